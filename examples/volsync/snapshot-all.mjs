// volsync:snapshot-all — a backup of every VolSync app now, one after the other, each through volsync:snapshot with
// its own run record (the loop over `kubectl get replicationsource -A` of home-ops Taskfiles). Better than the
// recipe: each backup gets a unique manual trigger and a deadline, a failed one is named and the rest still run,
// and the result is one table.
import { defineTask, StepFailure } from 'rackhand';

export default defineTask({
  summary: 'back up every VolSync app now (volsync:snapshot for each), then one result table',
  example: 'npx tsx tasks volsync:snapshot-all --cluster home',
  flags: { timeout: { type: 'duration', description: 'deadline for each backup', default: 1_800_000 } },
  destructive: false,
  cluster: true,
  impl: () => ({
    async plan(ctx) {
      const k = ['--kubeconfig', ctx.cluster.kubeconfig, '--context', ctx.cluster.context];
      const sources = (await ctx.$`kubectl ${k} get replicationsources.volsync.backube --all-namespaces -o json`).json().items;
      const results = [];
      const steps = sources.map((rs) => ({
        title: `back up ${rs.metadata.namespace}/${rs.metadata.name}`,
        async run(rt) {
          const r = await ctx.runTask('volsync:snapshot', ['--cluster', ctx.cluster.name, '--app', rs.metadata.name, '--namespace', rs.metadata.namespace, '--timeout', `${ctx.flags.timeout}ms`, ...(ctx.dryRun ? ['--dry-run'] : [])]);
          results.push({ app: `${rs.metadata.namespace}/${rs.metadata.name}`, result: r.result, record: r.recordPath });
          rt.output(r.result);
        },
      }));
      steps.push({
        title: 'report',
        mutating: false,
        async run() {
          ctx.data.backups = results;
          ctx.out(results.map((r) => `${r.app}\t${r.result}`).join('\n'));
          const bad = results.filter((r) => r.result !== 'success');
          if (bad.length) throw new StepFailure(`${bad.length} backup(s) failed: ${bad.map((b) => b.app).join(', ')}`, 'npx tsx tasks volsync:status');
        },
      });
      return steps;
    },
  }),
});
