// Runs one ReplicationDestination to the end: apply it, wait (with a deadline) until status.lastManualSync equals
// its trigger (job names can be truncated, the trigger cannot), then refuse anything but a real restore: the mover
// result must be Successful and its logs must not say "No eligible snapshots found", which the mover reports as a
// success after restoring nothing (reference/backup-restore-facts.md; backube/volsync#1004, #1138, #1211).
import { StepFailure, type TaskContext } from '../engine/types.ts';
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
  const done = await waitUntil<ReplicationDestination>({
    what: `ReplicationDestination ${namespace}/${name} to finish (lastManualSync = ${trigger})`,
    timeoutMs: o.timeoutMs, intervalMs: 1_000, signal: ctx.signal,
    probe: async () => {
      const cur = await k.get<ReplicationDestination>(RD, name, namespace);
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
