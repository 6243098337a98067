// talos:reboot-node — reboots one node and waits (with a deadline) until it is Ready, its machine status is ready
// and, for a control plane, etcd is whole again. Destructive; refuses when etcd is already unhealthy.
import { etcdHealthyCheck } from '../../lib/checks/talos.ts';
import { toolPresent } from '../../lib/checks/tools.ts';
import type { TaskImpl } from '../../lib/engine/types.ts';
import { rebootStep, targetNode } from '../../lib/talos/power.ts';

export default function rebootNode(): TaskImpl {
  return {
    changes: (ctx) => { const n = targetNode(ctx); return [`node ${n.name} (${n.address}, ${n.role}) reboots`]; },
    validate(ctx) { targetNode(ctx); },
    preflight: () => [toolPresent('talosctl', ['version', '--client', '--short']), etcdHealthyCheck],
    async plan(ctx) { return [rebootStep(ctx, targetNode(ctx))]; },
  };
}
