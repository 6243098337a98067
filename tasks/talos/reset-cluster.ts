// talos:reset-cluster — the whole cluster back to maintenance mode: every node's STATE and EPHEMERAL partitions wiped
// (machine configs and data), workers first, then the control planes, one at a time, each waited for until it answers
// in maintenance mode (or is off with --shutdown). Not graceful: there is nothing to drain to, and the last etcd member
// cannot leave (talosctl reset --graceful=false, as talos.dev "Resetting a machine" says for a cluster teardown). The
// cluster name is typed; no cluster lock (the API goes away during the run); a re-run skips nodes already in
// maintenance mode. Better than `talosctl reset --nodes <all> --graceful=false`: the plan and the exact nodes first,
// control planes last so the API stays up while workers go, and a deadline on each node.
import { toolPresent } from '../../lib/checks/tools.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { UsageError, type TaskContext } from '../../lib/engine/types.ts';
import { resetStep } from '../../lib/talos/power.ts';

function resetCluster() {
  const ordered = (ctx: TaskContext) => [...ctx.cluster.nodes.filter((n) => n.role === 'worker'), ...ctx.cluster.nodes.filter((n) => n.role === 'controlplane')];
  return {
    changes: (ctx: TaskContext) => [
      `EVERY node of ${ctx.cluster.name} is wiped (STATE, EPHEMERAL: machine configs and data)${ctx.flags.shutdown ? ' and powered off' : ', back to maintenance mode'}: ${ordered(ctx).map((n) => n.name).join(', ')}`,
      'the cluster and everything in it is gone: bootstrap:cluster builds it again',
    ],
    validate(ctx: TaskContext) {
      if (ctx.cluster.distribution !== 'talos') throw new UsageError(`--cluster ${ctx.cluster.name}: a ${ctx.cluster.distribution} cluster; talos:reset-cluster resets Talos machines (k3s: node:remove per node)`);
    },
    preflight: () => [toolPresent('talosctl', ['version', '--client', '--short'])],
    async plan(ctx: TaskContext) {
      ctx.data.order = ordered(ctx).map((n) => n.name);
      return ordered(ctx).map((n) => resetStep(ctx, n, { graceful: false }));
    },
  };
}

export default defineTask({
  summary: 'wipe every node of a Talos cluster back to maintenance mode, workers first; type the cluster name to confirm',
  description: 'Automation: --yes --confirm-cluster NAME. Works while the API is down (a re-run finishes a half-done reset).',
  example: 'npx tsx tasks talos:reset-cluster --cluster lab',
  flags: {
    'confirm-cluster': { type: 'string', description: 'with --yes: the cluster name, as a typed confirmation' },
    shutdown: { type: 'boolean', description: 'power each node off after the wipe instead of rebooting into maintenance mode' },
    timeout: { type: 'duration', description: 'deadline for each node to reach maintenance mode (or power off)', default: 10 * 60_000 },
  },
  destructive: 'typed',
  cluster: true,
  lock: false,
  identityFrom: 'config',
  impl: resetCluster,
});
