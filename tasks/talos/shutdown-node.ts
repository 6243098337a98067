// talos:shutdown-node — powers one node off (Talos cordons and drains it first unless --force) and waits until it
// stops answering. Destructive; a node that is already off is "nothing to do".
import { toolPresent } from '../../lib/checks/tools.ts';
import type { TaskImpl } from '../../lib/engine/types.ts';
import { shutdownStep, targetNode } from '../../lib/talos/power.ts';

export default function shutdownNode(): TaskImpl {
  return {
    validate(ctx) { targetNode(ctx); },
    preflight: () => [toolPresent('talosctl', ['version', '--client', '--short'])],
    async plan(ctx) { return [shutdownStep(ctx, targetNode(ctx))]; },
  };
}
