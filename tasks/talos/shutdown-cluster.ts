// talos:shutdown-cluster — powers every node off for a planned outage (a move, a power cut): workers first, then the
// control planes, one at a time, each waited for until it stops answering; or --all-at-once. No drain (talosctl
// shutdown --force): every node is going down, so draining would only push pods onto nodes about to stop, and the last
// nodes' drains could never finish. The cluster name is typed; no cluster lock (the API goes away during the run); a
// re-run skips nodes already off. Better than `talosctl -n <all> shutdown`: the API stays up until the workers are
// off, a deadline per node, and a half-done shutdown can simply be run again.
import { toolPresent } from '../../lib/checks/tools.ts';
import { defineTask } from '../../lib/engine/define.ts';
import type { TaskContext } from '../../lib/engine/types.ts';
import { allAtOnce, clusterOrder, shutdownStep } from '../../lib/talos/power.ts';

function shutdownCluster() {
  return {
    changes: (ctx: TaskContext) => [
      `every node of ${ctx.cluster.name} powers off ${ctx.flags['all-at-once'] ? 'at the same time' : 'one at a time'}, without a drain: ${clusterOrder(ctx, 'worker').map((n) => n.name).join(', ')}`,
      'they stay off until powered on (out of band: IPMI, wake-on-LAN, the power button)',
    ],
    validate(ctx: TaskContext) { clusterOrder(ctx, 'worker'); },
    preflight: () => [toolPresent('talosctl', ['version', '--client', '--short'])],
    async plan(ctx: TaskContext) {
      const nodes = clusterOrder(ctx, 'worker');
      ctx.data.order = nodes.map((n) => n.name);
      const steps = nodes.map((n) => shutdownStep(ctx, n, { force: true }));
      return ctx.flags['all-at-once'] ? [allAtOnce(`shut down ${nodes.map((n) => n.name).join(', ')} at once`, steps)] : steps;
    },
  };
}

export default defineTask({
  summary: 'power every node of a Talos cluster off, workers first (or --all-at-once), no drain; type the cluster name',
  description: 'Automation: --yes --confirm-cluster NAME. Works while the API is down (a re-run finishes a half-done shutdown).',
  example: 'npx tsx tasks talos:shutdown-cluster --cluster lab',
  flags: {
    'all-at-once': { type: 'boolean', description: 'shut every node down at the same time instead of one by one' },
    'confirm-cluster': { type: 'string', description: 'with --yes: the cluster name, as a typed confirmation' },
    timeout: { type: 'duration', description: 'deadline for each node to power off', default: 10 * 60_000 },
  },
  destructive: 'typed',
  cluster: true,
  lock: false,
  identityFrom: 'config',
  impl: shutdownCluster,
});
