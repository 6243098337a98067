// talos:reboot-cluster — reboots every node: rolling by default (control planes one at a time, each waited for until it
// is Ready, its machine status ready and etcd whole again, then the workers), or --all-at-once (every node told at
// once, then all waited for). The cluster name is typed. Refuses to start when etcd is already unhealthy: a rolling
// reboot of a cluster missing a member loses quorum. A re-run after a failure reboots every node again (a reboot has
// no state to probe). Better than `talosctl -n <all> reboot`: etcd checked before and after each control plane, a
// deadline on every node, and one confirmation naming the nodes.
import { etcdHealthyCheck } from '../../lib/checks/talos.ts';
import { toolPresent } from '../../lib/checks/tools.ts';
import { defineTask } from '../../lib/engine/define.ts';
import type { TaskContext } from '../../lib/engine/types.ts';
import { allAtOnce, clusterOrder, rebootStep } from '../../lib/talos/power.ts';

function rebootCluster() {
  return {
    changes: (ctx: TaskContext) => [`every node of ${ctx.cluster.name} reboots ${ctx.flags['all-at-once'] ? 'at the same time (the cluster is down meanwhile)' : 'one at a time'}: ${clusterOrder(ctx, 'controlplane').map((n) => n.name).join(', ')}`],
    validate(ctx: TaskContext) { clusterOrder(ctx, 'controlplane'); },
    preflight: () => [toolPresent('talosctl', ['version', '--client', '--short']), etcdHealthyCheck],
    async plan(ctx: TaskContext) {
      const nodes = clusterOrder(ctx, 'controlplane');
      ctx.data.order = nodes.map((n) => n.name);
      const steps = nodes.map((n) => rebootStep(ctx, n));
      return ctx.flags['all-at-once'] ? [allAtOnce(`reboot ${nodes.map((n) => n.name).join(', ')} at once and wait until every one is back`, steps)] : steps;
    },
  };
}

export default defineTask({
  summary: 'reboot every node of a Talos cluster, rolling (control planes first, etcd checked) or --all-at-once; type the cluster name',
  description: 'Automation: --yes --confirm-cluster NAME.',
  example: 'npx tsx tasks talos:reboot-cluster --cluster lab',
  flags: {
    'all-at-once': { type: 'boolean', description: 'reboot every node at the same time instead of one by one' },
    mode: { type: 'string', description: 'talosctl reboot --mode', choices: ['default', 'powercycle'], default: 'default' },
    'confirm-cluster': { type: 'string', description: 'with --yes: the cluster name, as a typed confirmation' },
    timeout: { type: 'duration', description: 'deadline for each node to be back', default: 10 * 60_000 },
  },
  destructive: 'typed',
  cluster: true,
  impl: rebootCluster,
});
