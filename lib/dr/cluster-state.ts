// The cluster-state target of dr:drill: the newest etcd snapshot kept off the nodes (folder or restic repository) is
// checked against its sha256, read by etcd's own tools (`snapshot status`: revision and key count), restored into a
// temp dir (`snapshot restore`, which checks the hash etcd appends) and served by a throwaway etcd on 127.0.0.1,
// whose keys are counted per resource (kube-apiserver's /registry/<resource>/... layout) and compared with the live
// cluster's namespaces. Nothing of the cluster is touched. The temp dir holds every Secret of the cluster: it is
// 0700 under the state dir and removed in every case (kept on failure only with --keep-on-failure).
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { TaskContext } from '../engine/types.ts';
import { formatBytes, formatDuration } from '../patterns.ts';
import { findCopy } from '../snapshots/keep.ts';
import { offNodeCopies, offNodeDir, ensurePrivateDir, sha256File, type OffNodeCopy } from '../snapshots/offnode.ts';
import { fetchCopy, repoCopies, snapshotRepo } from '../snapshots/restic-copies.ts';
import { EtcdSnapshotTools, findEtcdTools } from '../tools/etcd.ts';
import type { DrillCheck, DrillResult } from './drill.ts';
import { judgeTargets } from './targets.ts';


export interface ClusterStateOptions {
  snapshot?: string;
  timeoutMs: number;
  rpoMs: number;
  rtoMs: number;
  keepOnFailure: boolean;
  output(text: string): void;
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => { const a = s.address(); s.close(() => ok(typeof a === 'object' && a ? a.port : 0)); });
  });
}

/** The copy to drill: the named one, else the newest in the folder or the repository (fetched when only there). */
export async function chooseCopy(ctx: TaskContext, name?: string): Promise<OffNodeCopy | undefined> {
  if (name) return (await findCopy(ctx, name)).copy;
  const local = await offNodeCopies(offNodeDir(ctx));
  const repo = snapshotRepo(ctx);
  const remote = repo ? await repoCopies(await repo, ctx.cluster.name) : [];
  const newestLocal = local.at(-1);
  const newestRemote = remote.filter((r) => !local.some((l) => l.name === r.name)).at(-1);
  if (newestRemote && (!newestLocal || newestRemote.created > newestLocal.created)) return fetchCopy(await repo!, newestRemote, offNodeDir(ctx));
  return newestLocal;
}

/** "/registry/deployments/ns/x" => deployments; "/registry/cert-manager.io/certificates/ns/x" => cert-manager.io/certificates */
export function resourceOfKey(key: string): string {
  const [, , first = '', second = ''] = key.split('/');
  return first.includes('.') ? `${first}/${second}` : first;
}

export async function drillClusterState(ctx: TaskContext, o: ClusterStateOptions): Promise<DrillResult> {
  const started = Date.now();
  const checks: DrillCheck[] = [];
  const add = (name: string, ok: boolean, message: string) => { checks.push({ name, ok, message }); o.output(`${ok ? '✓' : '✗'} ${name}: ${message}`); return ok; };
  const drillRoot = join(ctx.stateDir, 'drills');
  await ensurePrivateDir(drillRoot);
  const dir = await mkdtemp(join(drillRoot, `etcd-${ctx.cluster.name}-`));
  const result: DrillResult = { app: `cluster-state/${ctx.cluster.name}`, kind: 'cluster-state', scratchNamespace: dir, ok: false, startedAt: new Date(started).toISOString(), finishedAt: '', checks, kept: false };
  let server: { stop(): Promise<unknown> } | undefined;
  try {
    const copy = await chooseCopy(ctx, o.snapshot);
    if (!copy) {
      result.error = `no snapshot of ${ctx.cluster.name}${o.snapshot ? ` named ${o.snapshot}` : ''} in ${offNodeDir(ctx)}${ctx.cluster.snapshots?.restic ? ' or the restic repository' : ''}`;
      result.remedy = `npx tsx tasks cluster:snapshot --cluster ${ctx.cluster.name}`;
      return result;
    }
    result.latestSnapshot = { id: copy.name, time: copy.created };
    result.restoredSnapshot = { id: copy.name, time: copy.created };
    if (!add('copy intact', (await sha256File(copy.path)) === copy.sha256, `${copy.name} (${formatBytes(copy.size)}, taken on ${copy.node} at ${copy.created})`)) {
      result.error = `${copy.path} changed since it was taken (sha256 differs)`;
      result.remedy = `npx tsx tasks cluster:snapshot --cluster ${ctx.cluster.name}`;
      return result;
    }
    const found = await findEtcdTools(ctx.exec);
    if ('missing' in found) {
      result.error = `etcd's tools: ${found.missing}`;
      result.remedy = 'apt-get install etcd-server etcd-client (or etcd 3.5+ with etcdutl from its release)';
      return result;
    }
    const etcd = new EtcdSnapshotTools(ctx.exec, found);
    const status = await etcd.status(copy.path).catch((err: Error) => err);
    if (status instanceof Error) {
      add('etcd reads the snapshot', false, status.message.split('\n').at(-1) ?? status.message);
      result.error = `${copy.name} is not a readable etcd snapshot`;
      result.remedy = 'take a new snapshot (npx tsx tasks cluster:snapshot) and drill again';
      return result;
    }
    const revisionOk = copy.revision === undefined || copy.revision === status.revision;
    add('etcd reads the snapshot', revisionOk, `${found.snapshotTool} ${found.version}: revision ${status.revision}, ${status.totalKey} keys with history, ${formatBytes(status.totalSize)}${revisionOk ? '' : ` (taken at revision ${copy.revision})`}`);
    const restoreStarted = Date.now();
    const [peer, client] = [`http://127.0.0.1:${await freePort()}`, `http://127.0.0.1:${await freePort()}`];
    await etcd.restore(copy.path, join(dir, 'data'), 'rackhand-drill', peer);
    server = etcd.serve(join(dir, 'data'), 'rackhand-drill', peer, client, o.timeoutMs);
    const deadline = Date.now() + Math.min(o.timeoutMs, 120_000);
    while (!(await etcd.healthy(client))) {
      if (Date.now() > deadline) throw new Error(`the restored etcd did not answer on ${client} within ${formatDuration(Math.min(o.timeoutMs, 120_000))}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const keys = await etcd.keys(client, '/registry/');
    result.restoreSeconds = (Date.now() - restoreStarted) / 1000;
    const perResource = new Map<string, number>();
    for (const k of keys) perResource.set(resourceOfKey(k), (perResource.get(resourceOfKey(k)) ?? 0) + 1);
    const top = [...perResource].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([r, n]) => `${r} ${n}`).join(', ');
    const namespaces = keys.filter((k) => k.startsWith('/registry/namespaces/')).map((k) => k.split('/')[3]!);
    add('restored etcd serves the cluster\'s objects', namespaces.includes('kube-system') && keys.length <= status.totalKey,
      `${keys.length} objects under /registry (${top}); ${namespaces.length} namespaces${namespaces.includes('kube-system') ? '' : ', kube-system missing'}`);
    const live = await ctx.kubectl.list('namespaces').then((items) => items.map((n) => n.metadata.name), () => undefined);
    if (live) {
      const lost = live.filter((n) => !namespaces.includes(n));
      o.output(`namespaces: ${namespaces.length} in the snapshot, ${live.length} in the cluster now${lost.length ? `; created since (a restore would lose them): ${lost.join(', ')}` : ''}`);
    }
    result.restored = { files: keys.length, bytes: copy.size };
    result.expected = { files: status.totalKey, bytes: status.totalSize };
    result.detail = `revision ${status.revision}, ${keys.length} objects, ${namespaces.length} namespaces`;
    result.dataAgeSeconds = (Date.now() - Date.parse(copy.created)) / 1000;
    result.rtoSeconds = (Date.now() - started) / 1000;
    judgeTargets(result, { rtoMs: o.rtoMs, rpoMs: o.rpoMs }, 'to a serving etcd');
    for (const c of checks.slice(-2)) o.output(`${c.ok ? '✓' : '✗'} ${c.name}: ${c.message}`);
    result.ok = checks.every((c) => c.ok);
    if (!result.ok) {
      const bad = checks.find((c) => !c.ok)!;
      result.error = `${bad.name}: ${bad.message}`;
      result.remedy = bad.name.startsWith('recovery point') ? `npx tsx tasks cluster:snapshot --cluster ${ctx.cluster.name} (and schedule it)` : `npx tsx tasks cluster:snapshots --cluster ${ctx.cluster.name}`;
    }
    return result;
  } catch (err) {
    result.error = ctx.exec.redactor.redact((err as Error).message.split('\n').slice(0, 3).join(' '));
    return result;
  } finally {
    await server?.stop();
    result.finishedAt = new Date().toISOString();
    if (result.ok || !o.keepOnFailure) await rm(dir, { recursive: true, force: true });
    else result.kept = true;
  }
}
