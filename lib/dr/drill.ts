// One DR drill of one app: restore its latest backup into a scratch namespace (a ReplicationDestination rendered
// from the LIVE source into a NEW volume; never a ReplicationSource there), verify the restored volume from inside
// the cluster with a Job (file count and bytes against the snapshot's own listing, the sentinel's sha256), measure
// restore duration, RTO and data age, and tear the scratch namespace down in `finally` (kept on failure only with
// --keep-on-failure). A drill never touches the app itself.
import type { TaskContext } from '../engine/types.ts';
import { StepFailure } from '../engine/types.ts';
import { formatDuration } from '../patterns.ts';
import type { KubeObject } from '../tools/kube-types.ts';
import type { Snapshot } from '../tools/restic.ts';
import { ToolError } from '../tools/tool-error.ts';
import { resticFor, type VolsyncApp } from '../volsync/app.ts';
import { runDestination } from '../volsync/destination.ts';
import { renderDestination } from '../volsync/restore.ts';
import { uniqueTrigger, type ReplicationSource } from '../volsync/types.ts';
import { copySecret, createScratch, deleteScratch, scratchNamespace } from './scratch.ts';
import { runVerifyJob, renderVerifyJob } from './verify-job.ts';

export interface DrillCheck { name: string; ok: boolean; message: string }
export interface DrillResult {
  /** namespace/name of the app (the Cluster, the dump; cluster-state/<cluster>) */
  app: string;
  /** what was drilled (absent: a VolSync app) */
  kind?: 'volsync' | 'cnpg' | 'dump' | 'cluster-state';
  /** the point in time the restored data reaches (databases) */
  recoveryPoint?: string;
  scratchNamespace: string;
  ok: boolean;
  startedAt: string;
  finishedAt: string;
  /** the newest snapshot in the repository when the drill started */
  latestSnapshot?: { id: string; time: string };
  /** the snapshot the mover restored */
  restoredSnapshot?: { id: string; time: string };
  restoreSeconds?: number;
  rtoSeconds?: number;
  dataAgeSeconds?: number;
  restored?: { files: number; bytes: number };
  expected?: { files: number; bytes: number };
  checks: DrillCheck[];
  /** the scratch namespace was left for inspection (--keep-on-failure) */
  kept: boolean;
  error?: string;
  remedy?: string;
  /** one line for the table where files and bytes do not describe the target (the cluster state) */
  detail?: string;
  /** what the drill was held to (lib/dr/targets.ts) */
  targets?: { rtoSeconds: number; rpoSeconds: number };
  /** the targets it missed, as sentences ("RTO breach: 45m, target 30m") */
  breaches?: string[];
}

export interface DrillOptions {
  timeoutMs: number;
  image: string;
  sentinel?: { path: string; sha256: string };
  keepOnFailure: boolean;
  output(text: string): void;
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;
const newest = (s: Snapshot[]) => [...s].sort((a, b) => Date.parse(b.time) - Date.parse(a.time))[0];

export async function drillApp(ctx: TaskContext, app: VolsyncApp, o: DrillOptions): Promise<DrillResult> {
  const started = Date.now();
  const ns = scratchNamespace(app.name);
  const r: DrillResult = { app: `${app.namespace}/${app.name}`, kind: 'volsync', scratchNamespace: ns, ok: false, startedAt: new Date(started).toISOString(), finishedAt: '', checks: [], kept: false };
  const check = (name: string, ok: boolean, message: string) => { r.checks.push({ name, ok, message }); if (!ok) throw new StepFailure(`${r.app}: ${name}: ${message}`); };
  try {
    // 1. Outside in: what the repository holds (the drill must restore at least this).
    const restic = await resticFor(ctx, app);
    let snapshots: Snapshot[];
    try {
      snapshots = await restic.snapshots({ host: 'volsync' });
    } catch (err) {
      const kind = err instanceof ToolError ? err.kind : 'Other';
      throw new StepFailure(`${r.app}: repository ${app.secret} does not open: ${kind === 'Auth' ? 'wrong password' : kind === 'Locked' ? 'locked' : kind === 'NotFound' ? 'no repository at RESTIC_REPOSITORY' : (err as Error).message}`,
        `npx tsx tasks volsync:unlock --app ${app.name} (if locked); npx tsx tasks dr:verify-backups --app ${app.name}`);
    }
    const latest = newest(snapshots);
    if (latest) r.latestSnapshot = { id: latest.id, time: latest.time };
    check('the repository has a snapshot', Boolean(latest), latest ? `latest ${latest.short_id} from ${latest.time}` : 'none: a restore would restore NOTHING');

    // 2. A clean scratch namespace with a copy of the repository Secret.
    if (await ctx.kubectl.get('namespace', ns)) {
      o.output(`removing ${ns}, left by an earlier drill`);
      await deleteScratch(ctx, ns, o.timeoutMs);
    }
    await createScratch(ctx, ns, app);
    await copySecret(ctx, app.secret, app.namespace, ns);

    // 3. Restore into a new volume, sized and classed like the source's PVC.
    const live = await ctx.kubectl.get<ReplicationSource>('replicationsources.volsync.backube', app.name, app.namespace);
    if (!live?.spec?.restic) throw new StepFailure(`ReplicationSource ${r.app} disappeared`);
    const pvc = await ctx.kubectl.get<KubeObject<{ resources?: { requests?: { storage?: string } }; storageClassName?: string; accessModes?: string[] }>>('persistentvolumeclaim', app.pvc, app.namespace);
    const rdName = `${app.name}-drill`.slice(0, 63);
    const rd = renderDestination(live, uniqueTrigger('drill'), {
      name: rdName, namespace: ns,
      newVolume: {
        capacity: pvc?.spec?.resources?.requests?.storage ?? '1Gi',
        ...(pvc?.spec?.storageClassName ? { storageClassName: pvc.spec.storageClassName } : {}),
        ...(pvc?.spec?.accessModes ? { accessModes: pvc.spec.accessModes } : {}),
      },
    });
    const restoreStarted = Date.now();
    const done = await runDestination(ctx, rd, { timeoutMs: o.timeoutMs, app: app.name, output: o.output });
    const restoredPvc = done?.status?.latestImage?.name ?? `volsync-${rdName}-dest`;
    const job = {
      name: `${app.name}-drill-verify`.slice(0, 63), namespace: ns, pvc: restoredPvc, image: o.image, deadlineSeconds: Math.ceil(o.timeoutMs / 1000),
      ...(o.sentinel ? { sentinel: o.sentinel.path } : {}),
      ...(live.spec.restic.moverSecurityContext ? { securityContext: live.spec.restic.moverSecurityContext } : {}),
    };
    if (!done) {
      // dry run: show the verification Job too, then the teardown (finally)
      await ctx.kubectl.apply(renderVerifyJob(job));
      r.ok = true;
      return r;
    }
    r.restoreSeconds = seconds(Date.now() - restoreStarted);
    // restic restore prints `restoring <Snapshot 1a2b3c4d of [/data] at ...>`, a line VolSync keeps
    // (backube/volsync controllers/mover/restic/logfilter.go)
    const short = /restoring <Snapshot ([0-9a-f]{8})/.exec(done.status?.latestMoverStatus?.logs ?? '')?.[1];
    const restored = (short && snapshots.find((s) => s.short_id === short || s.id.startsWith(short))) || latest!;
    r.restoredSnapshot = { id: restored.id, time: restored.time };
    o.output(`restored ${restored.short_id} in ${formatDuration(r.restoreSeconds * 1000)}; verifying with Job ${job.name}`);

    // 4. Verify from inside the cluster, against the snapshot's own listing.
    const [seen, want] = await Promise.all([runVerifyJob(ctx, job, o.timeoutMs), restic.contents(restored.id)]);
    r.restored = { files: seen.files, bytes: seen.bytes };
    r.expected = want;
    check('restored files match the snapshot', seen.files === want.files && seen.bytes === want.bytes,
      `restored ${seen.files} files / ${seen.bytes} bytes; snapshot ${restored.short_id} lists ${want.files} / ${want.bytes}`);
    if (o.sentinel) {
      check(`sentinel ${o.sentinel.path}`, seen.sentinelSha256 === o.sentinel.sha256,
        seen.sentinelSha256 === o.sentinel.sha256 ? 'sha256 matches' : `sha256 ${seen.sentinelSha256 ?? 'missing'}, expected ${o.sentinel.sha256}`);
    }
    const verified = Date.now();
    r.rtoSeconds = seconds(verified - started);
    r.dataAgeSeconds = seconds(verified - Date.parse(restored.time));
    r.ok = true;
    return r;
  } catch (err) {
    return failed(ctx, r, err);
  } finally {
    r.finishedAt = new Date().toISOString();
    await teardownScratch(ctx, r, o);
  }
}

/** A drill that stopped on an error: the error and its remedy recorded as a failed check (an interrupt is thrown on:
 *  the run is ending). Every kind of drill ends its `catch` with this. */
export function failed<R extends DrillResult>(ctx: TaskContext, r: R, err: unknown): R {
  if (ctx.signal.aborted) throw err;
  r.error = (err as Error).message;
  if (err instanceof StepFailure && err.remedy) r.remedy = err.remedy;
  if (!r.checks.some((c) => !c.ok)) r.checks.push({ name: 'drill ran', ok: false, message: r.error });
  return r;
}

/** Deletes the drill's scratch namespace (kept on failure with --keep-on-failure); a failed deletion fails the drill. */
export async function teardownScratch(ctx: TaskContext, r: DrillResult, o: Pick<DrillOptions, 'keepOnFailure' | 'output' | 'timeoutMs'>): Promise<void> {
  if (!r.ok && o.keepOnFailure && !ctx.signal.aborted) {
    r.kept = true;
    o.output(`kept ${r.scratchNamespace} for inspection; remove it with: kubectl delete namespace ${r.scratchNamespace}`);
    return;
  }
  // A signal stops the run: the drill step's cleanup tears the namespace down then, under its own deadline
  // (tasks/dr/drill.ts); this run's commands are being cancelled.
  if (ctx.signal.aborted) return;
  try {
    await deleteScratch(ctx, r.scratchNamespace, o.timeoutMs);
  } catch (err) {
    r.checks.push({ name: 'teardown', ok: false, message: `${r.scratchNamespace} was not deleted: ${(err as Error).message}` });
    r.ok = false;
  }
}
