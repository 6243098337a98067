// node:drain — takes one node out for maintenance: PodDisruptionBudgets that would block it are named before anything
// changes (exit 3; --ignore-pdbs makes that a warning), then cordon (only a schedulable node) and `kubectl drain` with
// a deadline. The node is marked rackhand.dev/cordoned-by so node:uncordon can say who took it out; a drain that fails
// or is interrupted uncordons what this run cordoned. Better than `kubectl drain`: the blockers up front instead of a
// drain that retries evictions forever, a deadline, and a node never left cordoned by a failed run.
import { drainAllowedByPdbs } from '../../lib/checks/pdbs.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { IGNORE_PDBS, NODE } from '../../lib/engine/flag-kit.ts';
import type { Check, Step, TaskContext } from '../../lib/engine/types.ts';
import { CORDONED_BY, cordonAndDrain, uncordonOurs, type Cordon } from '../../lib/nodes/drain.ts';
import { formatDuration } from '../../lib/patterns.ts';
import type { Node } from '../../lib/tools/kube-types.ts';

function drain() {
  let cordon: Cordon | undefined;
  return {
    preflight: (ctx: TaskContext): Check[] => [
      {
        name: 'the node is in the cluster',
        async run() {
          const n = await ctx.kubectl.get<Node>('nodes', ctx.flags.node as string);
          return n ? { ok: true, message: `${n.metadata.name}${n.spec?.unschedulable ? ' (cordoned already)' : ''}` } : { ok: false, message: `no Node ${String(ctx.flags.node)}`, remedy: 'kubectl get nodes' };
        },
      },
      drainAllowedByPdbs(() => [ctx.flags.node as string], { ignore: ctx.flags['ignore-pdbs'] === true, what: 'node:drain' }),
    ],
    async plan(ctx: TaskContext): Promise<Step[]> {
      const node = ctx.flags.node as string;
      const timeout = ctx.flags.timeout as number;
      return [{
        title: `cordon and drain ${node} (deadline ${formatDuration(timeout)})`,
        async run(rt) {
          const c = await cordonAndDrain(ctx, node, timeout, (x) => { cordon = x; });
          if (c.byUs) await ctx.kubectl.mutate(['annotate', 'node', node, '--overwrite', `${CORDONED_BY}=${ctx.task} ${new Date().toISOString()}`]);
          rt.output(c.byUs ? `${node} cordoned and drained` : `${node} was cordoned already (not by this run); drained`);
        },
        // a drain that does not finish leaves the node as it found it
        async cleanup() { await uncordonOurs(ctx, cordon); },
        byHand: [`kubectl uncordon ${node}`],
      }];
    },
    changes: (ctx: TaskContext) => [`${String(ctx.flags.node)} gets no new pods and its pods are evicted (DaemonSets stay) until node:uncordon`],
  };
}

export default defineTask({
  summary: 'cordon and drain a node with PDB blockers named first and a deadline; a failed drain uncordons it again',
  example: 'npx tsx tasks node:drain --cluster home --node w1',
  flags: {
    node: { ...NODE, required: true, description: 'the node' },
    timeout: { type: 'duration', default: 10 * 60_000, description: 'deadline for the drain' },
    'ignore-pdbs': IGNORE_PDBS,
  },
  destructive: true,
  cluster: true,
  impl: drain,
});
