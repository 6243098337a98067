// volsync:unlock — clears stale restic locks the VolSync way: a new spec.restic.unlock value makes the mover run
// `restic unlock` (stale locks only) and report status.restic.lastUnlocked. --remove-all runs `restic unlock
// --remove-all` from here, and only after checking that no mover Job of the app is running (it would corrupt a
// running backup's view otherwise). Destructive.
import { StepFailure, UsageError, type Step, type TaskImpl } from '../../lib/engine/types.ts';
import type { KubeObject } from '../../lib/tools/kube-types.ts';
import { findApp, kopiaRefusal, resticApps, resticFor, type VolsyncApp } from '../../lib/volsync/app.ts';
import { manualSync } from '../../lib/volsync/manual-sync.ts';
import { uniqueTrigger } from '../../lib/volsync/types.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { APP, NAMESPACE } from '../../lib/engine/flag-kit.ts';

type Job = KubeObject<Record<string, unknown>, { active?: number }>;

function unlock(): TaskImpl {
  return {
    validate(ctx) {
      if (Boolean(ctx.flags.app) === Boolean(ctx.flags.all)) throw new UsageError('expected exactly one of --app NAME or --all');
    },
    async plan(ctx) {
      const apps: VolsyncApp[] = ctx.flags.all
        ? await resticApps(ctx)
        : [await findApp(ctx, String(ctx.flags.app), ctx.flags.namespace as string | undefined)];
      // spec.restic.unlock and `restic unlock` mean nothing to a kopia repository
      for (const app of apps) if (app.mover === 'kopia') throw kopiaRefusal(app);
      const value = uniqueTrigger('unlock');
      return apps.map((app): Step => (ctx.flags['remove-all'] ? {
        title: `restic unlock --remove-all on the repository of ${app.namespace}/${app.name}`,
        async run() {
          // VolSync names mover Jobs volsync-src-<rs> / volsync-dst-<rd> (backup-restore-facts.md "Jobs").
          const jobs = await ctx.kubectl.list<Job>('jobs.batch', { namespace: app.namespace });
          const running = jobs.filter((j) => /^volsync-(src|dst)-/.test(j.metadata.name) && j.metadata.name.includes(app.name) && (j.status?.active ?? 0) > 0);
          if (running.length) throw new StepFailure(`a mover of ${app.name} is running (${running.map((j) => j.metadata.name).join(', ')}): --remove-all would pull the lock from under it`, `kubectl get jobs -n ${app.namespace}`);
          await (await resticFor(ctx, app)).unlock(true);
        },
      } : {
        title: `unlock the repository of ${app.namespace}/${app.name} through VolSync (spec.restic.unlock = ${value})`,
        async run(rt) {
          // The mover runs `restic unlock` before its next backup: set the unlock value and trigger that backup now.
          const rs = await manualSync(ctx, app, value, { extraSpec: { restic: { unlock: value } }, timeoutMs: ctx.flags.timeout as number, output: rt.output });
          if (rs && rs.status?.restic?.lastUnlocked !== value) {
            throw new StepFailure(`${app.name}: the mover ran but did not report restic.lastUnlocked = ${value} (last: ${rs.status?.restic?.lastUnlocked ?? 'never'})`, `kubectl describe replicationsource -n ${app.namespace} ${app.name}`);
          }
        },
      }));
    },
  };
}

export default defineTask({
  summary: 'clear stale restic locks through VolSync (spec.restic.unlock); --remove-all only when no mover runs',
  example: 'npx tsx tasks volsync:unlock --cluster lab --app paperless',
  flags: {
    app: APP,
    all: { type: 'boolean', description: 'every ReplicationSource' },
    namespace: NAMESPACE,
    'remove-all': { type: 'boolean', description: 'run `restic unlock --remove-all` from here (refused while a mover Job runs)' },
    timeout: { type: 'duration', description: 'deadline for the mover', default: 30 * 60_000 },
  },
  destructive: true,
  cluster: true,
  impl: unlock,
});
