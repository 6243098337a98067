// Where a node's machine config comes from: --file, a render command from rackhand.yaml (onedr0p, buroa and bjw-s
// render with minijinja and `talosctl machineconfig patch` instead of talhelper), or talhelper's clusterconfig/.
// Rendered configs stay in memory: they reach talosctl through stdin (`apply-config --file /dev/stdin`; talosctl
// reads --file with os.ReadFile, siderolabs/talos cmd/talosctl/cmd/talos/apply-config.go), never a file.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ClusterConfig, NodeConfig } from '../config.ts';
import { UsageError, type TaskContext } from '../engine/types.ts';
import { machineConfigProblem, registerMachineConfigSecrets, talhelperConfigFile } from './machine-config.ts';

export type MachineConfigSource = { kind: 'file'; path: string } | { kind: 'render'; commands: string[][]; cwd: string };

/** How `node`'s config is found (synchronous: validate() refuses a missing source before anything runs). */
export function machineConfigSource(cluster: ClusterConfig, node: NodeConfig, file?: string): MachineConfigSource {
  if (file) return { kind: 'file', path: file };
  const render = cluster.machineConfig?.render;
  if (render) {
    const pipeline = (typeof render[0] === 'string' ? [render as string[]] : render as string[][]);
    const vars: Record<string, string> = { node: node.name, hostname: node.hostname ?? node.name, role: node.role, address: node.address, cluster: cluster.name };
    const sub = (a: string) => a.replace(/\{(node|hostname|role|address|cluster)\}/g, (_, k: string) => vars[k]!);
    return { kind: 'render', commands: pipeline.map((argv) => argv.map(sub)), cwd: cluster.machineConfig!.cwd ?? '.' };
  }
  if (cluster.talconfig) return { kind: 'file', path: talhelperConfigFile({ ...cluster, talconfig: cluster.talconfig }, node.name) };
  throw new UsageError(`${cluster.source} clusters.${cluster.name}: no machine config source for ${node.name} (expected talconfig, machineConfig.render, or --file)`);
}

export const describeSource = (s: MachineConfigSource) => (s.kind === 'file' ? s.path : `the output of ${s.commands.map((c) => c.join(' ')).join(' | ')}`);

/** A file source must exist before anything runs. */
export function checkFileSource(s: MachineConfigSource, field: string): void {
  if (s.kind === 'file' && !existsSync(s.path)) throw new UsageError(`${field}: no machine config at ${s.path}`);
}

/**
 * The config's text, checked: a machine config for the node's role, its secrets registered with the redactor. A
 * render command runs read-only (also under --dry-run), each stage's stdout fed to the next one's stdin; its
 * failure or an output that is not a machine config is a usage error naming the command (exit 2).
 */
export async function loadMachineConfig(ctx: TaskContext, node: NodeConfig, s: MachineConfigSource, field: string): Promise<string> {
  let text: string;
  if (s.kind === 'file') {
    checkFileSource(s, field);
    text = readFileSync(s.path, 'utf8');
  } else {
    text = '';
    const env = { RACKHAND_NODE: node.name, RACKHAND_HOSTNAME: node.hostname ?? node.name, RACKHAND_ROLE: node.role, RACKHAND_ADDRESS: node.address, RACKHAND_CLUSTER: ctx.cluster.name };
    for (const [i, argv] of s.commands.entries()) {
      const r = await ctx.exec.run(argv, { mutating: false, timeoutMs: 120_000, cwd: s.cwd, env, ...(i > 0 ? { input: text } : {}) });
      if (r.exitCode !== 0) throw new UsageError(`${field}: ${argv.join(' ')} exited ${r.exitCode} rendering ${node.name}'s machine config: ${ctx.exec.redactor.redact((r.stderr || r.stdout).trim().split('\n').pop() ?? '')}`);
      text = r.stdout;
    }
  }
  // secrets first: a config that fails the check below must not leak through the message either
  registerMachineConfigSecrets(text, ctx.exec.redactor);
  const problem = machineConfigProblem(text, node.role);
  if (problem) throw new UsageError(`${field} (${describeSource(s)}): ${problem}`);
  return text;
}

export const resolveFlagFile = (ctx: TaskContext) => (ctx.flags.file ? resolve(ctx.cwd, ctx.flags.file as string) : undefined);

/** talosctl apply-config arguments and stdin for a loaded config: the file itself, or /dev/stdin for a rendered one. */
export function applyInput(s: MachineConfigSource, text: string): { file: string; input?: string } {
  return s.kind === 'file' ? { file: s.path } : { file: '/dev/stdin', input: text };
}
