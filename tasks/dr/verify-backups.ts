// dr:verify-backups — verifies backups from OUTSIDE the cluster, straight against each app's restic repository
// (credentials from the app's repository Secret): opens, fresh within the RPO, `restic check` on a rotating subset,
// a real test restore with --verify whose content matches the snapshot (and a sentinel's hash when configured).
// Read-only for the cluster and the repositories. Exit 1 when any check of any app fails.
import { toolPresent } from '../../lib/checks/tools.ts';
import { verifyApp, type VerifyResult } from '../../lib/dr/verify.ts';
import { StepFailure, UsageError, type Step, type TaskContext, type TaskImpl } from '../../lib/engine/types.ts';
import { parseDuration } from '../../lib/patterns.ts';
import { table } from '../../lib/table.ts';
import { findApp, resticApps, resticFor, type VolsyncApp } from '../../lib/volsync/app.ts';
import { repositoryUnlocked } from '../../lib/volsync/locks.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { APP, NAMESPACE } from '../../lib/engine/flag-kit.ts';

function verifyBackups(): TaskImpl {
  let targets: Promise<VolsyncApp[]> | undefined;
  const resolveTargets = (ctx: TaskContext) => (targets ??= ctx.flags.all ? resticApps(ctx) : findApp(ctx, String(ctx.flags.app), ctx.flags.namespace as string | undefined).then((a) => [a]));
  return {
    validate(ctx) {
      if (Boolean(ctx.flags.app) === Boolean(ctx.flags.all)) throw new UsageError('expected exactly one of --app NAME or --all');
    },
    preflight: (ctx) => [toolPresent('restic', ['version']),
      repositoryUnlocked(() => resolveTargets(ctx), async (app) => {
        const restic = await resticFor(ctx, app);
        // the verification lists the snapshots anyway: start that now, beside the lock listing (one key derivation
        // less on the critical path)
        restic.snapshots({ host: 'volsync' }).catch(() => undefined);
        return restic;
      }, 'any')],
    async plan(ctx) {
      const cfg = ctx.cluster.backups ?? {};
      const apps: VolsyncApp[] = await resolveTargets(ctx);
      const results: VerifyResult[] = [];
      ctx.data.results = results;
      const steps: Step[] = apps.map((app) => ({
        title: `verify the backups of ${app.namespace}/${app.name}`,
        mutating: false,
        async run(rt) {
          const per = cfg.apps?.[app.name];
          const rpo = (ctx.flags.rpo as number | undefined) ?? parseDuration(per?.rpo ?? cfg.rpo ?? '25h');
          const r = await verifyApp(ctx, app, { rpoMs: rpo, subsets: (ctx.flags.subsets as number | undefined) ?? cfg.subsets ?? 10, sentinel: per?.sentinel });
          results.push(r);
          rt.output(`${r.ok ? 'ok' : 'FAILED'}: ${r.checks.filter((c) => !c.ok).map((c) => c.name).join(', ') || 'every check passed'}`);
        },
      }));
      steps.push({
        title: 'report',
        mutating: false,
        async run() {
          ctx.out(table(['APP', 'CHECK', 'RESULT', 'DETAIL'], results.flatMap((r) => r.checks.map((c) => [r.app, c.name, c.ok ? 'ok' : 'FAILED', c.message]))));
          const bad = results.filter((r) => !r.ok);
          if (bad.length) {
            const first = bad[0]!.checks.find((c) => !c.ok)!;
            throw new StepFailure(`${bad.length} of ${results.length} app(s) failed verification: ${bad.map((b) => `${b.app} (${b.checks.filter((c) => !c.ok).map((c) => c.name).join(', ')})`).join('; ')}`,
              first.name === 'latest snapshot within RPO' ? `npx tsx tasks volsync:snapshot --app ${bad[0]!.app.split('/')[1]}` : `npx tsx tasks volsync:unlock --app ${bad[0]!.app.split('/')[1]} (if locked), then restic check by hand`);
          }
        },
      });
      return steps;
    },
  };
}

export default defineTask({
  summary: 'verify backups from outside the cluster: opens, within RPO, restic check subset, test restore + content',
  description: 'Credentials come from each app\'s repository Secret. `--read-data-subset n/t` rotates n across runs.',
  example: 'npx tsx tasks dr:verify-backups --cluster lab --all',
  flags: {
    app: APP,
    all: { type: 'boolean', description: 'every ReplicationSource with a restic repository' },
    namespace: NAMESPACE,
    rpo: { type: 'duration', description: 'oldest acceptable latest snapshot (default: backups.rpo, else 25h)' },
    subsets: { type: 'number', description: 'restic check --read-data-subset n/<this> (default: backups.subsets, else 10)' },
  },
  destructive: false,
  cluster: true,
  impl: verifyBackups,
});
