// talos:reboot-node — reboots one node and waits (with a deadline) until it is Ready, its machine status is ready
// and, for a control plane, etcd is whole again. Destructive; refuses when etcd is already unhealthy.
import { etcdHealthyCheck } from '../../lib/checks/talos.ts';
import { toolPresent } from '../../lib/checks/tools.ts';
import type { TaskImpl } from '../../lib/engine/types.ts';
import { rebootStep, targetNode } from '../../lib/talos/power.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { NODE } from '../../lib/engine/flag-kit.ts';

function rebootNode(): TaskImpl {
  return {
    changes: (ctx) => { const n = targetNode(ctx); return [`node ${n.name} (${n.address}, ${n.role}) reboots`]; },
    validate(ctx) { targetNode(ctx); },
    preflight: () => [toolPresent('talosctl', ['version', '--client', '--short']), etcdHealthyCheck],
    async plan(ctx) { return [rebootStep(ctx, targetNode(ctx))]; },
  };
}

export default defineTask({
  summary: 'reboot one node and wait until it is Ready, its machine status ready and etcd whole again',
  example: 'npx tsx tasks talos:reboot-node --cluster lab --node w1',
  flags: {
    node: { ...NODE, description: 'the node to reboot', required: true },
    mode: { type: 'string', description: 'talosctl reboot --mode', choices: ['default', 'powercycle'], default: 'default' },
    timeout: { type: 'duration', description: 'deadline for the node to be back', default: 10 * 60_000 },
  },
  destructive: true,
  cluster: true,
  impl: rebootNode,
});
