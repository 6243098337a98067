// talos:apply-cluster — applies every node's machine config (talhelper's clusterconfig/, or the render command of
// rackhand.yaml), one node at a time: control planes first, then workers, each waited for until Ready before the next.
// talosctl's dry run for every node is shown in the plan, so the confirmation (the cluster name, typed) covers exactly
// the nodes whose config changes; nodes already running their config are skipped, which makes a re-run finish only what
// is left. Better than a `for node in ...; talosctl apply-config` loop: every node's diff before anything changes, the
// whole cluster never rebooting at once, and a stop at the first node that does not come back.
import { toolPresent } from '../../lib/checks/tools.ts';
import { etcdHealthyCheck } from '../../lib/checks/talos.ts';
import { defineTask } from '../../lib/engine/define.ts';
import type { TaskContext } from '../../lib/engine/types.ts';
import { applySource, applyStep } from '../../lib/talos/apply.ts';
import type { MachineConfigSource } from '../../lib/talos/machine-source.ts';
import { clusterOrder } from '../../lib/talos/power.ts';

function applyCluster() {
  let sources: MachineConfigSource[] = [];
  let changing: string[] = [];
  return {
    validate(ctx: TaskContext) {
      // every node's source is checked before anything runs: one missing file refuses the whole run
      sources = clusterOrder(ctx, 'controlplane').map((n) => applySource(ctx, n, undefined, `node ${n.name}`));
    },
    preflight: () => [toolPresent('talosctl', ['version', '--client', '--short']), etcdHealthyCheck],
    async plan(ctx: TaskContext) {
      const nodes = clusterOrder(ctx, 'controlplane');
      const steps = [];
      for (const [i, n] of nodes.entries()) steps.push(await applyStep(ctx, n, sources[i]!));
      ctx.data.nodes = steps.map((s) => s.applied);
      changing = steps.filter((s) => s.applied.changes).map((s) => s.applied.node);
      return steps;
    },
    changes: (ctx: TaskContext) => [changing.length
      ? `machine configs change on ${changing.join(', ')} (mode ${String(ctx.flags.mode)}; the diffs are above), one node at a time`
      : 'no node\'s config changes'],
  };
}

export default defineTask({
  summary: 'apply every node\'s machine config, control planes first, one at a time, each diff shown first; type the cluster name',
  description: 'Automation: --yes --confirm-cluster NAME.',
  example: 'npx tsx tasks talos:apply-cluster --cluster lab',
  flags: {
    mode: { type: 'string', description: 'talosctl apply-config --mode', choices: ['auto', 'no-reboot', 'reboot', 'staged', 'try'], default: 'auto' },
    'confirm-cluster': { type: 'string', description: 'with --yes: the cluster name, as a typed confirmation' },
    timeout: { type: 'duration', description: 'deadline for each node to be configured and Ready', default: 15 * 60_000 },
  },
  destructive: 'typed',
  cluster: true,
  impl: applyCluster,
});
