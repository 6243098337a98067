// talos:apply-node — applies a node's machine config. Detects a node in maintenance mode (no config yet: applied
// through the insecure maintenance API, then waits for it to install, reboot and register Ready) versus a configured
// node (authenticated API). Shows talosctl's own dry-run result first; when it reports no changes the step is done,
// so a re-run changes nothing. Destructive.
import { readFileSync } from 'node:fs';
import { toolPresent } from '../../lib/checks/tools.ts';
import { StepFailure, UsageError, type TaskImpl } from '../../lib/engine/types.ts';
import { talosctlFor } from '../../lib/talos/driver.ts';
import { backReady, bootId, machineReady, wentDown, type GateContext } from '../../lib/talos/gates.ts';
import { targetNode, waitMode } from '../../lib/talos/power.ts';
import { waitUntil } from '../../lib/wait.ts';
import { machineConfigProblem } from '../../lib/talos/machine-config.ts';
import { applyInput, checkFileSource, describeSource, loadMachineConfig, machineConfigSource, resolveFlagFile, type MachineConfigSource } from '../../lib/talos/machine-source.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { NODE } from '../../lib/engine/flag-kit.ts';

function applyNode(): TaskImpl {
  let source: MachineConfigSource;
  return {
    changes: (ctx) => { const n = targetNode(ctx); return [`node ${n.name} (${n.address}, ${n.role}) gets the machine config ${describeSource(source)} (mode ${String(ctx.flags.mode)})`]; },
    validate(ctx) {
      const node = targetNode(ctx);
      // --file, a render command (rackhand.yaml machineConfig.render) or talhelper's clusterconfig/ file
      source = machineConfigSource(ctx.cluster, node, resolveFlagFile(ctx));
      checkFileSource(source, '--file');
      if (source.kind !== 'file') return;
      // before anything reaches talosctl: the file must be a machine config for this node's role
      const problem = machineConfigProblem(readFileSync(source.path, 'utf8'), node.role);
      if (problem) throw new UsageError(`--file ${source.path}: ${problem}`);
    },
    preflight: () => [toolPresent('talosctl', ['version', '--client', '--short'])],
    async plan(ctx) {
      const node = targetNode(ctx);
      const talosctl = talosctlFor(ctx);
      const text = await loadMachineConfig(ctx, node, source, source.kind === 'file' ? '--file' : `clusters.${ctx.cluster.name}.machineConfig.render`);
      const { file, input } = applyInput(source, text);
      const mode = await talosctl.mode(node.address);
      if (mode === 'unreachable') throw new StepFailure(`${node.name} (${node.address}) does not answer talosctl, neither configured nor in maintenance mode`, `talosctl -n ${node.address} version --insecure`);
      const insecure = mode === 'maintenance';
      const args = ['--nodes', node.address, 'apply-config', '--file', file, '--mode', String(ctx.flags.mode), ...(insecure ? ['--insecure'] : [])];
      // talosctl's dry run changes nothing: it runs even under --dry-run and is shown before any confirmation.
      const dry = await ctx.exec.run(talosctl.argv([...args, '--dry-run']), { mutating: false, timeoutMs: 60_000, ...(input !== undefined ? { input } : {}) });
      if (dry.exitCode !== 0) throw new StepFailure(`talosctl apply-config --dry-run on ${node.name} failed: ${(dry.stderr || dry.stdout).trim().split('\n').pop()}`, `talosctl ${args.join(' ')} --dry-run`);
      const summary = ctx.exec.redactor.redact(`${dry.stdout}${dry.stderr}`.trim());
      ctx.data.mode = mode;
      ctx.data.dryRunSummary = summary;
      ctx.log.info(`talosctl apply-config --dry-run on ${node.name} (${mode}):`);
      for (const line of summary.split('\n')) ctx.log.info(`  ${line}`);
      // "Config diff:\n\nNo changes." (helpers.PrintApplyResults prints machined's ModeDetails)
      const unchanged = !insecure && /No changes\./.test(summary);
      return [{
        title: `apply ${describeSource(source)} to ${node.name} (mode ${String(ctx.flags.mode)}${insecure ? ', maintenance mode: --insecure' : ''})`,
        isDone: async () => (unchanged ? `${node.name} already runs this config` : false),
        async run(rt) {
          const g: GateContext = { kubectl: ctx.kubectl, talosctl, signal: ctx.signal, deadline: Date.now() + (ctx.flags.timeout as number), pollMs: 500 };
          const before = insecure ? undefined : await bootId(g, node.name);
          await talosctl.mutate(args, input !== undefined ? { input } : {});
          if (ctx.dryRun) return;
          if (insecure) {
            rt.output(`waiting for ${node.name} to install its config, reboot and register`);
            await waitMode(ctx, node, 'configured', `${node.name} to leave maintenance mode`);
            await waitUntil({
              what: `node ${node.name} to register`, timeoutMs: Math.max(1_000, g.deadline - Date.now()), intervalMs: 500, signal: ctx.signal,
              probe: async () => ((await ctx.kubectl.get('nodes', node.name)) ? { done: true, value: undefined } : { done: false, seen: 'no Node object yet' }),
            });
          } else if (ctx.flags.mode === 'reboot') {
            rt.output(`waiting for ${node.name} to reboot`);
            await wentDown(g, node, before);
          }
          await backReady(g, node);
          await machineReady(g, node);
        },
      }];
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
