// One restore drill of a CloudNativePG Cluster: a NEW Cluster in a scratch namespace, bootstrapped by `recovery` from
// the original's object store (to a point in time with --to), waited for, checked with the verification queries of
// backups.cnpg.<cluster>.verify, measured (restore time, RTO, recovery point, data age), and always deleted with its
// namespace (so its PVCs). The original's archive is only ever read: the source is an externalClusters entry, the
// new Cluster has no backup section and no barman-cloud plugin of its own (cnpg docs "Bootstrap from a backup
// (recovery)": recovery.source names an externalClusters entry; an object store with archives from another cluster is
// refused for archiving, "Expected empty archive").
import type { Verification } from '../config/databases.ts';
import type { TaskContext } from '../engine/types.ts';
import { StepFailure } from '../engine/types.ts';
import { archiver, backupMethod, BARMAN_PLUGIN, BACKUPS, CLUSTERS, type Backup, type Cluster } from '../cnpg/objects.ts';
import { formatDuration } from '../patterns.ts';
import { condition, type KubeObject } from '../tools/kube-types.ts';
import { watched } from '../k8s/watch.ts';
import { waitUntil } from '../wait.ts';
import { failed, teardownScratch, type DrillResult } from './drill.ts';
import { copySecret, createScratch, deleteScratch, scratchNamespace } from './scratch.ts';
import { runVerifications } from './sql-verify.ts';

const OBJECT_STORES = 'objectstores.barmancloud.cnpg.io';
const seconds = (ms: number) => Math.round(ms / 100) / 10;

export interface CnpgDrillOptions {
  timeoutMs: number;
  /** recover to this point in time (RFC 3339) instead of the end of the archive */
  to?: string;
  verify: Verification[];
  keepOnFailure: boolean;
  output(text: string): void;
}

/** the scratch namespace of a Cluster's drill */
export const cnpgScratch = (name: string) => scratchNamespace(`pg-${name}`);

/** Secret names an object store configuration refers to ({name, key} selectors: s3Credentials, endpointCA, ...) */
function secretRefs(o: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(o)) o.forEach((x) => secretRefs(x, out));
  else if (o && typeof o === 'object') {
    const r = o as Record<string, unknown>;
    if (typeof r.name === 'string' && typeof r.key === 'string') out.add(r.name);
    Object.values(r).forEach((x) => secretRefs(x, out));
  }
  return out;
}

/** The recovery Cluster: same image and storage size, one instance, the original's store as a read-only external cluster. */
export function renderRecoveryCluster(src: Cluster, ns: string, to?: string): object {
  const serverName = (c: Cluster) => c.spec!.backup?.barmanObjectStore?.serverName ?? c.metadata.name!;
  const plugin = (src.spec!.plugins ?? []).find((p) => p.name === BARMAN_PLUGIN);
  const external = plugin
    ? { name: 'origin', plugin: { name: BARMAN_PLUGIN, parameters: { barmanObjectName: plugin.parameters?.barmanObjectName, serverName: plugin.parameters?.serverName ?? src.metadata.name } } }
    : { name: 'origin', barmanObjectStore: { ...src.spec!.backup!.barmanObjectStore, serverName: serverName(src) } };
  const initdb = src.spec!.bootstrap?.initdb ?? {};
  return {
    apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster',
    metadata: { name: `${src.metadata.name}-drill`.slice(0, 50), namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'rackhand', 'rackhand.dev/drill': `${src.metadata.namespace}.${src.metadata.name}` } },
    spec: {
      instances: 1,
      ...(src.spec!.imageName ? { imageName: src.spec!.imageName } : {}),
      ...(src.spec!.imageCatalogRef ? { imageCatalogRef: src.spec!.imageCatalogRef } : {}),
      storage: { size: src.spec!.storage?.size ?? '1Gi', ...(src.spec!.storage?.storageClass ? { storageClass: src.spec!.storage.storageClass } : {}) },
      // the application database and owner as the original has them, so its app Secret's name is the same kind
      bootstrap: { recovery: { source: 'origin', database: initdb.database ?? 'app', owner: initdb.owner ?? initdb.database ?? 'app', ...(to ? { recoveryTarget: { targetTime: to } } : {}) } },
      externalClusters: [external],
      // no `backup` and no `plugins`: the drill never archives anywhere
    },
  };
}

export async function drillCnpg(ctx: TaskContext, src: Cluster, o: CnpgDrillOptions): Promise<DrillResult> {
  const started = Date.now();
  const ns = cnpgScratch(src.metadata.name!);
  const id = `${src.metadata.namespace}/${src.metadata.name}`;
  const r: DrillResult = { app: id, kind: 'cnpg', scratchNamespace: ns, ok: false, startedAt: new Date(started).toISOString(), finishedAt: '', checks: [], kept: false };
  const check = (name: string, ok: boolean, message: string) => { r.checks.push({ name, ok, message }); if (!ok) throw new StepFailure(`${id}: ${name}: ${message}`); };
  try {
    // 1. What the archive holds: the newest base backup (at or before --to), and the end of the archived WAL.
    const method = backupMethod(src);
    if (!method) throw new StepFailure(`${id} has no backup configured: nothing to recover from`, `add spec.backup.barmanObjectStore or the ${BARMAN_PLUGIN} plugin to the Cluster`);
    const limit = o.to ? Date.parse(o.to) : Infinity;
    const backups = (await ctx.kubectl.list<Backup>(BACKUPS, { namespace: src.metadata.namespace! }))
      .filter((b) => b.spec?.cluster?.name === src.metadata.name && b.status?.phase === 'completed' && Date.parse(b.status.stoppedAt ?? '') <= limit)
      .sort((a, b) => Date.parse(b.status!.stoppedAt!) - Date.parse(a.status!.stoppedAt!));
    const base = backups[0];
    check('a base backup to recover from', !!base, base ? `${base.status!.backupId ?? base.metadata.name} from ${base.status!.stoppedAt}` : `no completed base backup${o.to ? ` at or before ${o.to}` : ''}`);
    r.restoredSnapshot = { id: base!.status!.backupId ?? base!.metadata.name!, time: base!.status!.stoppedAt! };
    const wal = o.to ? undefined : await archiver(ctx, src);
    // the recovery point: the target asked for, else the end of the archive (the last archived WAL), else the base backup
    const recoveryPoint = o.to ?? wal?.lastArchivedTime ?? base!.status!.stoppedAt!;
    r.recoveryPoint = new Date(recoveryPoint).toISOString();
    r.latestSnapshot = { id: wal?.lastArchivedWal ?? r.restoredSnapshot.id, time: r.recoveryPoint };

    // 2. A clean scratch namespace holding what the recovery reads: the store's credentials (and its ObjectStore).
    if (await ctx.kubectl.get('namespace', ns)) {
      o.output(`removing ${ns}, left by an earlier drill`);
      await deleteScratch(ctx, ns, o.timeoutMs);
    }
    await createScratch(ctx, ns, { name: src.metadata.name!, namespace: src.metadata.namespace! });
    let refs = secretRefs(src.spec!.backup?.barmanObjectStore);
    if (method === 'plugin') {
      const name = (src.spec!.plugins ?? []).find((p) => p.name === BARMAN_PLUGIN)?.parameters?.barmanObjectName;
      const store = name ? await ctx.kubectl.get<KubeObject & { spec?: Record<string, unknown> }>(OBJECT_STORES, name, src.metadata.namespace!) : undefined;
      if (!store) throw new StepFailure(`${id}: ObjectStore ${src.metadata.namespace}/${name} of the barman-cloud plugin not found`, `kubectl get objectstores.barmancloud.cnpg.io -n ${src.metadata.namespace}`);
      refs = secretRefs(store.spec);
      await ctx.kubectl.apply({ apiVersion: store.apiVersion, kind: store.kind, metadata: { name, namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'rackhand' } }, spec: store.spec });
    }
    for (const s of refs) await copySecret(ctx, s, src.metadata.namespace!, ns);

    // 3. The recovery Cluster, waited for until Ready.
    const cluster = renderRecoveryCluster(src, ns, o.to) as { metadata: { name: string } };
    await ctx.kubectl.apply(cluster);
    if (ctx.dryRun) { r.ok = true; return r; }
    o.output(`recovering ${cluster.metadata.name} in ${ns} from ${r.restoredSnapshot.id}${o.to ? ` to ${o.to}` : ' to the end of the archive'}`);
    const restoreStarted = Date.now();
    const ready = await waitUntil({
      what: `Cluster ${ns}/${cluster.metadata.name} to recover and be Ready`, timeoutMs: o.timeoutMs, signal: ctx.signal, ...watched(ctx, CLUSTERS, ns, cluster.metadata.name, 1000),
      probe: async () => {
        const c = await ctx.kubectl.get<Cluster & { status?: { phaseReason?: string } }>(CLUSTERS, cluster.metadata.name, ns);
        const isReady = !!c && condition(c, 'Ready')?.status === 'True' && (c.status?.readyInstances ?? 0) >= 1;
        return isReady ? { done: true, value: c! } : { done: false, seen: `${c?.status?.phase ?? 'no status'}${c?.status?.phaseReason ? `: ${c.status.phaseReason}` : ''}` };
      },
    }).catch((err: Error) => { throw new StepFailure(`${id}: ${err.message}`, `kubectl describe cluster.postgresql.cnpg.io -n ${ns} ${cluster.metadata.name}; kubectl get pods -n ${ns}`); });
    r.restoreSeconds = seconds(Date.now() - restoreStarted);
    o.output(`recovered in ${formatDuration(r.restoreSeconds * 1000)}; running ${o.verify.length} verification quer${o.verify.length === 1 ? 'y' : 'ies'}`);

    // 4. The verification queries, in the recovered primary.
    const primary = ready.status?.currentPrimary ?? `${cluster.metadata.name}-1`;
    const checks = await runVerifications(ctx, { namespace: ns, pod: primary, container: 'postgres' }, o.verify, o.timeoutMs);
    r.checks.push(...checks);
    const bad = checks.find((c) => !c.ok);
    if (bad) throw new StepFailure(`${id}: ${bad.name}: ${bad.message}`, `npx tsx tasks dr:drill --cnpg ${src.metadata.name} --keep-on-failure, then kubectl exec -n ${ns} ${primary} -c postgres -- psql`);
    if (!o.verify.length) r.checks.push({ name: 'verification queries', ok: true, message: `none configured (backups.cnpg.${src.metadata.name}.verify): only recovery was proven` });
    const verified = Date.now();
    r.rtoSeconds = seconds(verified - started);
    r.dataAgeSeconds = seconds(Math.max(0, verified - Date.parse(recoveryPoint)));
    r.detail = `recovery point ${r.recoveryPoint}, ${checks.length} quer${checks.length === 1 ? 'y' : 'ies'} passed`;
    r.ok = true;
    return r;
  } catch (err) {
    return failed(ctx, r, err);
  } finally {
    r.finishedAt = new Date().toISOString();
    await teardownScratch(ctx, r, o);
  }
}
