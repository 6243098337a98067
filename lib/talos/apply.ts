// Applying one node's machine config: where it comes from (checked before anything runs), talosctl's own dry-run shown
// in the plan, then the apply with its waits (maintenance mode: install, reboot, register; --mode reboot: down and back;
// always Ready and machine status ready). Shared by talos:apply-node and talos:apply-cluster.
import { readFileSync } from 'node:fs';
import type { NodeConfig } from '../config.ts';
import { StepFailure, UsageError, type Step, type TaskContext } from '../engine/types.ts';
import { waitUntil } from '../wait.ts';
import { talosctlFor } from './driver.ts';
import { backReady, bootId, machineReady, wentDown, type GateContext } from './gates.ts';
import { machineConfigProblem } from './machine-config.ts';
import { applyInput, checkFileSource, describeSource, loadMachineConfig, machineConfigSource, type MachineConfigSource } from './machine-source.ts';
import { waitMode } from './power.ts';

/** The node's config source, refused (exit 2) when missing or, for a file, not a machine config for its role. */
export function applySource(ctx: TaskContext, node: NodeConfig, file: string | undefined, field: string): MachineConfigSource {
  // --file, a render command (rackhand.yaml machineConfig.render) or talhelper's clusterconfig/ file
  const source = machineConfigSource(ctx.cluster, node, file);
  checkFileSource(source, field);
  if (source.kind !== 'file') return source;
  const problem = machineConfigProblem(readFileSync(source.path, 'utf8'), node.role);
  if (problem) throw new UsageError(`${field} ${source.path}: ${problem}`);
  return source;
}

/** The apply step for one node, after talosctl's dry run (shown now; "No changes." makes the step done). */
export interface Applied { node: string; mode: string; changes: boolean; dryRunSummary: string }

export async function applyStep(ctx: TaskContext, node: NodeConfig, source: MachineConfigSource): Promise<Step & { applied: Applied }> {
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
  ctx.log.info(`talosctl apply-config --dry-run on ${node.name} (${mode}):`);
  for (const line of summary.split('\n')) ctx.log.info(`  ${line}`);
  // "Config diff:\n\nNo changes." (siderolabs/talos cmd/talosctl/pkg/talos/helpers PrintApplyResults prints ModeDetails)
  const unchanged = !insecure && /No changes\./.test(summary);
  const applied: Applied = { node: node.name, mode, changes: !unchanged, dryRunSummary: summary };
  return Object.assign({
    title: `apply ${describeSource(source)} to ${node.name} (mode ${String(ctx.flags.mode)}${insecure ? ', maintenance mode: --insecure' : ''})`,
    isDone: async () => (unchanged ? `${node.name} already runs this config` : false),
    async run(rt: { output(text: string): void }) {
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
  }, { applied });
}
