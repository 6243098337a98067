// Runs one ReplicationDestination to the end: apply it, wait (with a deadline) until status.lastManualSync equals
// its trigger (job names can be truncated, the trigger cannot), then refuse anything but a real restore: the mover
// result must be Successful and its logs must not say "No eligible snapshots found", which the mover reports as a
// success after restoring nothing (reference/backup-restore-facts.md; backube/volsync#1004, #1138, #1211).
import { StepFailure, type TaskContext } from '../engine/types.ts';
import { watchedObject } from '../k8s/watch.ts';
import { waitUntil } from '../wait.ts';
import { moverDiagnosis } from './manual-sync.ts';
import { RD, type ReplicationDestination } from './types.ts';

export interface RunDestinationOptions { timeoutMs: number; app: string; output(text: string): void }

/** The finished ReplicationDestination, or undefined in a dry run (the apply is only shown). */
export async function runDestination(ctx: TaskContext, rd: ReplicationDestination, o: RunDestinationOptions): Promise<ReplicationDestination | undefined> {
  const k = ctx.kubectl;
  const { name, namespace } = rd.metadata;
  const trigger = rd.spec?.trigger?.manual;
  await k.apply(rd);
  if (ctx.dryRun) return undefined;
  o.output(`waiting for the mover (status.lastManualSync = ${trigger})`);
  const w = watchedObject<ReplicationDestination>(ctx, RD, namespace, name!, 1_000);
  const done = await waitUntil<ReplicationDestination>({
    what: `ReplicationDestination ${namespace}/${name} to finish (lastManualSync = ${trigger})`,
    // woken by the watch on rackhand's ReplicationDestinations; the slow poll is the fallback
    timeoutMs: o.timeoutMs, signal: ctx.signal, ...w.wait,
    probe: async () => {
      const cached = w.cached();
      const cur = cached !== undefined ? cached ?? undefined : await k.get<ReplicationDestination>(RD, name, namespace);
      if (cur && cur.status?.lastManualSync === trigger) return { done: true, value: cur };
      const failed = cur?.status?.latestMoverStatus?.result === 'Failed';
      return { done: false, seen: failed ? `mover failed (VolSync retries): ${moverDiagnosis(cur?.status?.latestMoverStatus?.logs)}` : 'mover running' };
    },
  });
  const mover = done.status?.latestMoverStatus;
  if (mover?.result !== 'Successful') throw new StepFailure(`restore of ${o.app} failed: mover result ${mover?.result ?? 'unknown'}: ${moverDiagnosis(mover?.logs)}`, `kubectl describe replicationdestination -n ${namespace} ${name}`);
  if (/No eligible snapshots found/.test(mover.logs ?? '')) throw new StepFailure(`restore of ${o.app} restored NOTHING: the mover found no eligible snapshot (it still reports Successful)`, `npx tsx tasks volsync:list --app ${o.app}`);
  return done;
}

/** VolSync's mover Job for a ReplicationDestination (backube/volsync controllers/mover/restic/mover.go: "volsync-dst-"
 *  + owner name); its pods carry the Job's `batch.kubernetes.io/job-name` label (kubernetes.io/docs/concepts/workloads/controllers/job). */
export const moverJobName = (rd: string): string => `volsync-dst-${rd}`.slice(0, 63).replace(/[-.]+$/, '');

/** The commands that remove a ReplicationDestination and wait for its mover by hand. */
export function removeDestinationByHand(name: string, namespace: string): string[] {
  return [
    `kubectl delete replicationdestination.volsync.backube -n ${namespace} ${name} --ignore-not-found`,
    `kubectl wait --for=delete job/${moverJobName(name)} -n ${namespace} --timeout=5m`,
  ];
}

/** Deletes the ReplicationDestination and waits until its mover can no longer write: the object, its Job and the Job's
 *  pods all gone (the Job is garbage-collected after its owner; a pod takes its grace period to stop). Idempotent. */
export async function removeDestination(ctx: TaskContext, name: string, namespace: string, timeoutMs: number): Promise<void> {
  const k = ctx.kubectl;
  await k.mutate(['delete', RD, name, '--namespace', namespace, '--ignore-not-found', '--wait=false']);
  if (ctx.dryRun) return;
  const job = moverJobName(name);
  await waitUntil({
    what: `ReplicationDestination ${namespace}/${name} and its mover (job/${job}) to be gone`, timeoutMs, intervalMs: 500,
    probe: async () => {
      const left = [
        (await k.get(RD, name, namespace)) ? `replicationdestination/${name}` : '',
        (await k.get('jobs.batch', job, namespace)) ? `job/${job}` : '',
        ...(await k.list('pods', { namespace, labels: `batch.kubernetes.io/job-name=${job}` })).map((p) => `pod/${p.metadata.name}`),
      ].filter(Boolean);
      return left.length ? { done: false, seen: `still there: ${left.join(', ')}` } : { done: true, value: undefined };
    },
  });
}
