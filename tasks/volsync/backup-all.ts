// volsync:backup-all — a backup of every ReplicationSource now (before maintenance, an upgrade, a move), in parallel
// with a limit (--parallel, default 2: each mover reads a volume and writes a repository), each with a unique manual
// trigger waited for with a deadline (the same as volsync:snapshot), scheduled sources given their schedule back. Paused
// sources are left out and named. Works through VolSync objects, so kopia sources are backed up too. Exit 1 when any
// backup failed, naming each. Better than a loop of `kubectl patch ... trigger.manual=$(date +%s)`: unique triggers,
// results waited for and checked, a bounded number of movers at once.
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, UsageError, type TaskContext } from '../../lib/engine/types.ts';
import { table } from '../../lib/table.ts';
import { allApps, type VolsyncApp } from '../../lib/volsync/app.ts';
import { clearOurTrigger, manualSync, moverDiagnosis } from '../../lib/volsync/manual-sync.ts';
import { uniqueTrigger } from '../../lib/volsync/types.ts';

interface Result { app: string; result: string; duration: string; detail: string }

function backupAll() {
  const triggers = new Map<string, { app: VolsyncApp; trigger: string }>();
  return {
    validate(ctx: TaskContext) {
      const n = ctx.flags.parallel as number;
      if (!Number.isInteger(n) || n < 1 || n > 10) throw new UsageError(`--parallel: expected a whole number from 1 to 10 (got ${n})`);
    },
    async plan(ctx: TaskContext) {
      const ns = ctx.flags.namespace as string | undefined;
      const apps = (await allApps(ctx)).filter((a) => !ns || a.namespace === ns);
      const paused = apps.filter((a) => a.source.spec?.paused);
      const run = apps.filter((a) => !a.source.spec?.paused);
      if (paused.length) ctx.log.info(`left out (paused): ${paused.map((a) => `${a.namespace}/${a.name}`).join(', ')}`);
      ctx.data.backups = run.map((a) => `${a.namespace}/${a.name}`);
      if (!run.length) { ctx.log.info('no ReplicationSource to back up'); return []; }
      const limit = ctx.flags.parallel as number;
      return [{
        title: `back up ${run.length} source(s) now, ${limit} at a time: ${run.map((a) => `${a.namespace}/${a.name}`).join(', ')}`,
        async run(rt: { output(t: string): void }) {
          const results: Result[] = [];
          const queue = [...run];
          const one = async (app: VolsyncApp) => {
            const trigger = uniqueTrigger('backup-all');
            triggers.set(`${app.namespace}/${app.name}`, { app, trigger });
            const rs = await manualSync(ctx, app, trigger, { timeoutMs: ctx.flags.timeout as number, output: (t) => rt.output(`${app.namespace}/${app.name}: ${t}`) }).catch((err: Error) => err);
            if (ctx.dryRun) return;
            if (rs instanceof Error || !rs) { results.push({ app: `${app.namespace}/${app.name}`, result: 'FAILED', duration: '-', detail: rs instanceof Error ? rs.message.split('\n')[0]! : 'no status' }); return; }
            const m = rs.status?.latestMoverStatus;
            results.push({ app: `${app.namespace}/${app.name}`, result: m?.result === 'Successful' ? 'Successful' : 'FAILED', duration: rs.status?.lastSyncDuration ?? '-', detail: m?.result === 'Successful' ? `at ${rs.status?.lastSyncTime}` : moverDiagnosis(m?.logs, 1) });
          };
          await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, async () => { for (let a = queue.shift(); a; a = queue.shift()) await one(a); }));
          if (ctx.dryRun) return;
          results.sort((a, b) => a.app.localeCompare(b.app));
          ctx.data.results = results;
          ctx.out(table(['SOURCE', 'RESULT', 'DURATION', 'DETAIL'], results.map((r) => [r.app, r.result, r.duration, r.detail])));
          const bad = results.filter((r) => r.result !== 'Successful');
          if (bad.length) throw new StepFailure(`${bad.length} of ${results.length} backup(s) failed: ${bad.map((b) => `${b.app} (${b.detail})`).join('; ')}`, `npx tsx tasks volsync:snapshot --cluster ${ctx.cluster.name} --app ${bad[0]!.app.split('/')[1]} --namespace ${bad[0]!.app.split('/')[0]}`);
        },
        // interrupted: a scheduled source must not keep this run's manual trigger (VolSync would ignore its schedule)
        async cleanup() { for (const { app, trigger } of triggers.values()) await clearOurTrigger(ctx, app, trigger); },
      }];
    },
  };
}

export default defineTask({
  summary: 'back up every ReplicationSource now, a few at a time; paused ones left out and named; exit 1 if any failed',
  example: 'npx tsx tasks volsync:backup-all --cluster home --parallel 3',
  flags: {
    namespace: { type: 'string', pattern: /^[a-z0-9][a-z0-9-]*$/, hint: 'a namespace', description: 'only this namespace' },
    parallel: { type: 'number', default: 2, description: 'how many movers at once' },
    timeout: { type: 'duration', default: 30 * 60_000, description: 'deadline for each backup' },
  },
  destructive: false,
  cluster: true,
  impl: backupAll,
});
