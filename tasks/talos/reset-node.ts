// talos:reset-node — the most destructive node task: wipes the node's STATE and EPHEMERAL partitions (its machine
// config and data) and reboots it into maintenance mode (or powers it off with --shutdown). The operator types the
// cluster name to confirm; automation passes --yes --confirm-cluster NAME. A node already in maintenance mode is
// "nothing to do".
import { toolPresent } from '../../lib/checks/tools.ts';
import type { TaskImpl } from '../../lib/engine/types.ts';
import { resetStep, targetNode } from '../../lib/talos/power.ts';

export default function resetNode(): TaskImpl {
  return {
    changes: (ctx) => { const n = targetNode(ctx); return [`node ${n.name} (${n.address}, ${n.role}): its STATE and EPHEMERAL partitions are WIPED${ctx.flags.shutdown ? ', then it powers off' : ', back to maintenance mode'}`]; },
    validate(ctx) { targetNode(ctx); },
    preflight: () => [toolPresent('talosctl', ['version', '--client', '--short'])],
    async plan(ctx) { return [resetStep(ctx, targetNode(ctx))]; },
  };
}
