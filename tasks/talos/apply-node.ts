// talos:apply-node — applies a node's machine config. Detects a node in maintenance mode (no config yet: applied
// through the insecure maintenance API, then waits for it to install, reboot and register Ready) versus a configured
// node (authenticated API). Shows talosctl's own dry-run result first; when it reports no changes the step is done,
// so a re-run changes nothing. Destructive.
import { toolPresent } from '../../lib/checks/tools.ts';
import type { TaskImpl } from '../../lib/engine/types.ts';
import { applySource, applyStep } from '../../lib/talos/apply.ts';
import { targetNode } from '../../lib/talos/power.ts';
import { describeSource, resolveFlagFile, type MachineConfigSource } from '../../lib/talos/machine-source.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { NODE } from '../../lib/engine/flag-kit.ts';

function applyNode(): TaskImpl {
  let source: MachineConfigSource;
  return {
    changes: (ctx) => { const n = targetNode(ctx); return [`node ${n.name} (${n.address}, ${n.role}) gets the machine config ${describeSource(source)} (mode ${String(ctx.flags.mode)})`]; },
    validate(ctx) { source = applySource(ctx, targetNode(ctx), resolveFlagFile(ctx), '--file'); },
    preflight: () => [toolPresent('talosctl', ['version', '--client', '--short'])],
    async plan(ctx) {
      const step = await applyStep(ctx, targetNode(ctx), source);
      ctx.data.mode = step.applied.mode;
      ctx.data.dryRunSummary = step.applied.dryRunSummary;
      return [step];
    },
  };
}

export default defineTask({
  summary: 'apply a node\'s machine config (maintenance mode or configured), showing the dry-run result first',
  description: 'Default --file with a talconfig: clusterconfig/<cluster>-<node>.yaml next to talconfig.yaml (talhelper genconfig).',
  example: 'npx tsx tasks talos:apply-node --cluster lab --node w3 --file clusterconfig/lab-w3.yaml',
  flags: {
    node: { ...NODE, description: 'the node to configure', required: true },
    file: { type: 'string', description: 'the node\'s machine config' },
    mode: { type: 'string', description: 'talosctl apply-config --mode', choices: ['auto', 'no-reboot', 'reboot', 'staged', 'try'], default: 'auto' },
    timeout: { type: 'duration', description: 'deadline for the node to be configured and Ready', default: 15 * 60_000 },
  },
  destructive: true,
  cluster: true,
  impl: applyNode,
});
