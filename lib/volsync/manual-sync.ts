// One manual VolSync sync: a unique spec.trigger.manual (computed once), a wait with a deadline until
// status.lastManualSync equals it, and then — always, also on failure — the manual trigger removed again when the
// source has a schedule: VolSync ignores the schedule while a manual trigger is set (backube/volsync#1259), so the
// community's leftover `trigger.manual` silently stops scheduled backups.
import type { TaskContext } from '../engine/types.ts';
import { waitUntil } from '../wait.ts';
import type { VolsyncApp } from './app.ts';
import { RS, type ReplicationSource } from './types.ts';

/** A cleanup for a run stopped mid-wait: a scheduled source must not keep this run's manual trigger; a trigger someone
 *  set since is left alone. */
export async function clearOurTrigger(ctx: TaskContext, app: VolsyncApp, trigger: string): Promise<void> {
  if (!app.source.spec?.trigger?.schedule) return;
  const cur = await ctx.kubectl.get<ReplicationSource>(RS, app.name, app.namespace);
  if (cur?.spec?.trigger?.manual === trigger) await ctx.kubectl.mutate(['patch', RS, app.name, '--namespace', app.namespace, '--type', 'merge', '-p', JSON.stringify({ spec: { trigger: { manual: null } } })]);
}

export async function manualSync(ctx: TaskContext, app: VolsyncApp, trigger: string, o: { extraSpec?: Record<string, unknown>; timeoutMs: number; output(text: string): void }): Promise<ReplicationSource | undefined> {
  const patch = (spec: Record<string, unknown>) => ctx.kubectl.mutate(['patch', RS, app.name, '--namespace', app.namespace, '--type', 'merge', '-p', JSON.stringify({ spec })]);
  const scheduled = Boolean(app.source.spec?.trigger?.schedule);
  await patch({ ...o.extraSpec, trigger: { manual: trigger } });
  try {
    if (ctx.dryRun) return undefined;
    o.output('waiting for the mover');
    return await waitUntil({
      what: `ReplicationSource ${app.namespace}/${app.name} to report lastManualSync = ${trigger}`,
      timeoutMs: o.timeoutMs, intervalMs: 1_000, signal: ctx.signal,
      probe: async () => {
        const cur = await ctx.kubectl.get<ReplicationSource>(RS, app.name, app.namespace);
        if (cur?.status?.lastManualSync === trigger) return { done: true, value: cur };
        const m = cur?.status?.latestMoverStatus;
        return { done: false, seen: cur?.spec?.paused ? 'the ReplicationSource is paused' : m?.result === 'Failed' ? `mover failed, VolSync retries: ${moverDiagnosis(m.logs)}` : 'mover running' };
      },
    });
  } finally {
    // after a signal the step's cleanup removes it (this run's commands are being cancelled)
    if (scheduled && !ctx.signal.aborted) await patch({ trigger: { manual: null } }).catch((e: Error) => ctx.log.warning(`could not remove the manual trigger of ${app.name}: ${e.message}; its schedule stays ignored until you do`));
  }
}

// The lines of a mover log that say what went wrong (restic's own texts: internal/restic/lock.go "repository is
// already locked", internal/repository "wrong password or no key found"; VolSync's "ERROR:" lines; the Multi-Attach
// and "No eligible snapshots found" cases from backup-restore-facts.md), else the last lines.
const TELLING = /already locked|wrong password|no key found|Multi-Attach|No eligible snapshots|Fatal:|Is there a repository/;

export function moverDiagnosis(logs: string | undefined, n = 2): string {
  const lines = (logs ?? '').trim().split('\n').filter(Boolean);
  const telling = lines.filter((l) => TELLING.test(l));
  return (telling.length ? telling.slice(0, n) : lines.slice(-n)).join(' | ');
}

/** The next command for a mover failure whose cause is known. */
export function moverRemedy(text: string, app: VolsyncApp): string | undefined {
  if (/already locked/.test(text)) return `npx tsx tasks volsync:unlock --app ${app.name} --namespace ${app.namespace}`;
  if (/wrong password|no key found/.test(text)) return `check RESTIC_PASSWORD in Secret ${app.namespace}/${app.secret}`;
  return undefined;
}
