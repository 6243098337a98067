// volsync:snapshot — a backup now: a unique spec.trigger.manual (computed once, so it always changes: the
// community's single-quoted `$(date +%s)` never did), a wait with a deadline until status.lastManualSync equals it,
// the mover's result reported; a scheduled source gets its schedule back afterwards. Exit 1 if the mover failed.
import { StepFailure, type TaskImpl } from '../../lib/engine/types.ts';
import { findApp } from '../../lib/volsync/app.ts';
import { clearOurTrigger, manualSync, moverDiagnosis, moverRemedy } from '../../lib/volsync/manual-sync.ts';
import { WaitTimeout } from '../../lib/wait.ts';
import { RS, uniqueTrigger } from '../../lib/volsync/types.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { APP, NAMESPACE } from '../../lib/engine/flag-kit.ts';

function snapshot(): TaskImpl {
  return {
    async plan(ctx) {
      const app = await findApp(ctx, String(ctx.flags.app), ctx.flags.namespace as string | undefined);
      const trigger = uniqueTrigger('manual');
      return [{
        title: `back up ${app.namespace}/${app.name} now (trigger ${trigger})`,
        async run(rt) {
          const rs = await manualSync(ctx, app, trigger, { timeoutMs: ctx.flags.timeout as number, output: rt.output }).catch((err: Error) => {
            throw err instanceof WaitTimeout ? new StepFailure(`backup of ${app.name}: ${err.message}`, moverRemedy(err.message, app) ?? `kubectl describe replicationsource -n ${app.namespace} ${app.name}`) : err;
          });
          if (!rs) return;
          const mover = rs.status?.latestMoverStatus;
          ctx.data.snapshot = { app: `${app.namespace}/${app.name}`, trigger, result: mover?.result, lastSyncTime: rs.status?.lastSyncTime, lastSyncDuration: rs.status?.lastSyncDuration };
          if (mover?.result !== 'Successful') throw new StepFailure(`backup of ${app.name}: mover result ${mover?.result ?? 'unknown'}: ${moverDiagnosis(mover?.logs, 3)}`, moverRemedy(mover?.logs ?? '', app) ?? `kubectl describe replicationsource -n ${app.namespace} ${app.name}`);
          ctx.out(`${app.namespace}/${app.name}: backup ${mover.result} at ${rs.status?.lastSyncTime} in ${rs.status?.lastSyncDuration}`);
        },
        // interrupted mid-wait: a scheduled source must not keep this run's manual trigger (VolSync would ignore its
        // schedule from then on); a trigger someone set since is left alone
        async cleanup() { await clearOurTrigger(ctx, app, trigger); },
        byHand: [`kubectl patch ${RS} ${app.name} --namespace ${app.namespace} --type merge -p '{"spec":{"trigger":{"manual":null}}}'`],
      }];
    },
  };
}

export default defineTask({
  summary: 'back up an app now: a unique manual trigger, waited for with a deadline; the schedule is kept',
  example: 'npx tsx tasks volsync:snapshot --cluster lab --app paperless',
  flags: { app: { ...APP, required: true }, namespace: NAMESPACE, timeout: { type: 'duration', description: 'deadline for the mover', default: 30 * 60_000 } },
  destructive: false,
  cluster: true,
  impl: snapshot,
});
