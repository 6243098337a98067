// node:uncordon — puts a node back into scheduling and says who took it out (node:drain's rackhand.dev/cordoned-by
// mark, or someone else), removing the mark. A node that is schedulable already is left as it is.
import { defineTask } from '../../lib/engine/define.ts';
import { NODE } from '../../lib/engine/flag-kit.ts';
import { StepFailure, type Step, type TaskContext } from '../../lib/engine/types.ts';
import type { Node } from '../../lib/tools/kube-types.ts';
import { CORDONED_BY } from '../../lib/nodes/drain.ts';

function uncordon() {
  return {
    async plan(ctx: TaskContext): Promise<Step[]> {
      const node = ctx.flags.node as string;
      const n = await ctx.kubectl.get<Node>('nodes', node);
      if (!n) throw new StepFailure(`no Node ${node}`, 'kubectl get nodes');
      const by = n.metadata.annotations?.[CORDONED_BY];
      return [{
        title: `uncordon ${node}`,
        async isDone() { return (await ctx.kubectl.get<Node>('nodes', node))?.spec?.unschedulable ? false : `${node} is schedulable`; },
        async run(rt) {
          await ctx.kubectl.uncordon(node);
          if (by) await ctx.kubectl.mutate(['annotate', 'node', node, `${CORDONED_BY}-`]);
          rt.output(by ? `${node} was cordoned by ${by}` : `${node} was cordoned by someone else (no node:drain mark)`);
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'uncordon a node, saying who cordoned it (node:drain\'s mark or someone else)',
  example: 'npx tsx tasks node:uncordon --cluster home --node w1',
  flags: { node: { ...NODE, required: true, description: 'the node' } },
  destructive: false,
  cluster: true,
  impl: uncordon,
});
