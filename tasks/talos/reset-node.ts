// talos:reset-node — the most destructive node task: wipes the node's STATE and EPHEMERAL partitions (its machine
// config and data) and reboots it into maintenance mode (or powers it off with --shutdown). The operator types the
// cluster name to confirm; automation passes --yes --confirm-cluster NAME. A node already in maintenance mode is
// "nothing to do".
import { toolPresent } from '../../lib/checks/tools.ts';
import type { TaskImpl } from '../../lib/engine/types.ts';
import { resetStep, targetNode } from '../../lib/talos/power.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { NODE } from '../../lib/engine/flag-kit.ts';

function resetNode(): TaskImpl {
  return {
    changes: (ctx) => { const n = targetNode(ctx); return [`node ${n.name} (${n.address}, ${n.role}): its STATE and EPHEMERAL partitions are WIPED${ctx.flags.shutdown ? ', then it powers off' : ', back to maintenance mode'}`]; },
    validate(ctx) { targetNode(ctx); },
    preflight: () => [toolPresent('talosctl', ['version', '--client', '--short'])],
    async plan(ctx) { return [resetStep(ctx, targetNode(ctx))]; },
  };
}

export default defineTask({
  summary: 'wipe a node (STATE, EPHEMERAL) back to maintenance mode; type the cluster name to confirm',
  description: 'Automation: --yes --confirm-cluster NAME. The Kubernetes Node object stays until you delete it.',
  example: 'npx tsx tasks talos:reset-node --cluster lab --node w2 --yes --confirm-cluster lab',
  flags: {
    node: { ...NODE, description: 'the node to reset', required: true },
    'confirm-cluster': { type: 'string', description: 'with --yes: the cluster name, as a typed confirmation' },
    'no-graceful': { type: 'boolean', description: 'skip the cordon/drain and etcd leave (talosctl reset --graceful=false; a broken node)' },
    shutdown: { type: 'boolean', description: 'power off after the wipe instead of rebooting into maintenance mode' },
    timeout: { type: 'duration', description: 'deadline for the node to reach maintenance mode (or power off)', default: 10 * 60_000 },
  },
  destructive: 'typed',
  cluster: true,
  impl: resetNode,
});
