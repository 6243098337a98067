// talos:shutdown-node — powers one node off (Talos cordons and drains it first unless --force) and waits until it
// stops answering. Destructive; a node that is already off is "nothing to do".
import { toolPresent } from '../../lib/checks/tools.ts';
import { drainAllowedByPdbs } from '../../lib/checks/pdbs.ts';
import type { TaskImpl } from '../../lib/engine/types.ts';
import { shutdownStep, targetNode } from '../../lib/talos/power.ts';

export default function shutdownNode(): TaskImpl {
  return {
    changes: (ctx) => { const n = targetNode(ctx); return [`node ${n.name} (${n.address}, ${n.role}) powers off${ctx.flags.force ? ' without a drain' : ' after Talos drains it'}`]; },
    validate(ctx) { targetNode(ctx); },
    preflight: (ctx) => [toolPresent('talosctl', ['version', '--client', '--short']),
      // --force skips Talos's cordon/drain: nothing to block then
      ...(ctx.flags.force ? [] : [drainAllowedByPdbs(() => [targetNode(ctx).name], { ignore: ctx.flags['ignore-pdbs'] === true, what: 'Talos drains the node before it powers off' })])],
    async plan(ctx) { return [shutdownStep(ctx, targetNode(ctx))]; },
  };
}
