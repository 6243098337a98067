// The fake talosctl: resolves the command path (cobra-style, global flags anywhere), parses flags with pflag's
// errors, runs the command and turns errors into talosctl's stderr: cmd/talosctl/cmd/root.go Execute prints
// err.Error() (no "Error: " prefix: SilenceErrors) and, when the text mentions "arg(s)", "flag" or "command", a
// blank line and the usage; exit code 1.
import { FlagError, parseFlags, usage } from './argv.js';
import { bootstrapCmd, etcdMembersCmd, etcdSnapshotCmd, etcdStatusCmd, serviceCmd } from './cmd-etcd.js';
import { applyConfigCmd, upgradeK8sCmd } from './cmd-config.js';
import { getCmd, versionCmd } from './cmd-info.js';
import { machineconfigPatchCmd } from './cmd-machineconfig.js';
import { kubeconfigCmd } from './cmd-kubeconfig.js';
import { configNewCmd } from './cmd-talosconfig.js';
import { rebootCmd, resetCmd, shutdownCmd } from './cmd-power.js';
import { upgradeCmd, upgradeFlags } from './cmd-upgrade.js';
import { CliError, type Command, type Ctx, isGen13 } from './command.js';
import { GLOBAL_FLAGS } from './flags.js';
import { SuppressedError } from './tracker.js';
import type { TalosWorld } from './world.js';

export interface CliRequest {
  argv: string[];
  cwd: string;
  stdin?: string;
  /** the caller's allowlisted environment (fake-cli.mjs forwards KUBECONFIG, HELMFILE_*, OP_*) */
  env?: Record<string, string>;
  umask?: number;
}

export interface CliResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const COMMANDS: Command[] = [serviceCmd, machineconfigPatchCmd, versionCmd, getCmd, etcdMembersCmd, etcdStatusCmd, etcdSnapshotCmd, bootstrapCmd, kubeconfigCmd, configNewCmd, upgradeCmd, upgradeK8sCmd, applyConfigCmd, rebootCmd, shutdownCmd, resetCmd];
const GROUPS: Record<string, string[]> = { etcd: ['members', 'status', 'snapshot', 'alarm', 'defrag', 'forfeit-leadership', 'leave', 'remove-member'], machineconfig: ['patch', 'gen'], mc: ['patch', 'gen'], config: ['new', 'add', 'context', 'contexts', 'endpoint', 'node', 'merge', 'remove', 'info'] };
const KNOWN_UNSUPPORTED = ['health', 'logs', 'dmesg', 'services', 'containers', 'config', 'dashboard', 'patch', 'edit', 'gen', 'list', 'read', 'copy', 'cluster', 'image', 'netstat', 'processes', 'memory', 'mounts', 'restart', 'rollback', 'stats', 'time', 'disks', 'events', 'inspect', 'support', 'wipe', 'meta', 'inject', 'completion', 'docs', 'help', 'validate', 'conformance', 'cgroups', 'pcap', 'usage'];

/** The command path: the leading non-flag words, skipping global flags and their values. */
function findCommand(argv: string[]): { cmd?: Command; rest: string[]; path: string; unknown?: string } {
  const withValue = new Set(['--talosconfig', '--context', '--nodes', '-n', '--endpoints', '-e', '--cluster']);
  const words: number[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a.startsWith('-')) { if (withValue.has(a)) i++; continue; }
    words.push(i);
  }
  const w0 = words[0] !== undefined ? argv[words[0]]! : undefined;
  if (w0 === undefined) return { rest: argv, path: 'talosctl' };
  const byName = (p: string) => COMMANDS.find((c) => c.path === p || (c.aliases ?? []).includes(p));
  if (GROUPS[w0]) {
    const w1 = words[1] !== undefined ? argv[words[1]]! : undefined;
    const cmd = w1 !== undefined ? byName(`${w0} ${w1}`) : undefined;
    if (!cmd) return { rest: argv, path: `talosctl ${w0}`, unknown: w1 ?? '' };
    return { cmd, rest: argv.filter((_, i) => i !== words[0] && i !== words[1]), path: `talosctl ${w0} ${w1}` };
  }
  const cmd = byName(w0);
  if (!cmd) return { rest: argv, path: 'talosctl', unknown: w0 };
  return { cmd, rest: argv.filter((_, i) => i !== words[0]), path: `talosctl ${cmd.path}` };
}

export async function runTalosctl(world: TalosWorld, req: CliRequest, defaultTalosconfig: string): Promise<CliResult> {
  const io = { stdout: '', stderr: '' };
  const gen13 = isGen13(world);
  const found = findCommand(req.argv);
  const fail = (message: string, usageOf?: string) => {
    io.stderr += `${message}\n`;
    if (/arg\(s\)|flag|command/.test(message)) io.stderr += `\n${usageOf ?? `Usage:\n  ${found.path} [command]\n`}\n`;
    return { ...io, exitCode: 1 };
  };
  if (found.unknown !== undefined) {
    if (found.unknown === '' || (found.path === 'talosctl' && KNOWN_UNSUPPORTED.includes(found.unknown))) {
      return fail(found.unknown === '' ? `${found.path} requires a subcommand` : `the lab's fake talosctl does not implement "${found.unknown}" yet`);
    }
    return fail(`unknown command ${JSON.stringify(found.unknown)} for ${JSON.stringify(found.path)}`);
  }
  if (!found.cmd) {
    io.stdout += 'A CLI for out-of-band management of Kubernetes nodes created by Talos\n';
    return { ...io, exitCode: 0 };
  }
  const cmd = found.cmd;
  const specs = [...(cmd === upgradeCmd ? upgradeFlags(gen13, world.clientVersion) : cmd.flags), ...GLOBAL_FLAGS];
  const helpText = usage(found.path, specs.filter((s) => !GLOBAL_FLAGS.includes(s)), GLOBAL_FLAGS);
  let parsed;
  try {
    parsed = parseFlags(req.argv.includes('--help') || req.argv.includes('-h') ? [] : found.rest, specs);
  } catch (e) {
    if (e instanceof FlagError) return fail(e.message, helpText);
    throw e;
  }
  if (req.argv.includes('--help') || req.argv.includes('-h')) return { stdout: helpText, stderr: '', exitCode: 0 };
  io.stderr += parsed.notices.join('');
  const n = parsed.positional.length;
  if (cmd.args?.exact !== undefined && n !== cmd.args.exact) {
    return fail(cmd.args.exact === 0 ? `unknown command ${JSON.stringify(parsed.positional[0])} for ${JSON.stringify(found.path)}` : `accepts ${cmd.args.exact} arg(s), received ${n}`, helpText);
  }
  if (cmd.args?.max !== undefined && n > cmd.args.max) return fail(`accepts at most ${cmd.args.max} arg(s), received ${n}`, helpText);
  const ctx: Ctx = { world, flags: parsed.flags, changed: parsed.changed, args: parsed.positional, cwd: req.cwd, env: req.env ?? {}, umask: req.umask ?? 0o022, io, defaultTalosconfig, gen13, ...(req.stdin !== undefined ? { stdin: req.stdin } : {}) };
  try {
    await cmd.run(ctx);
    return { ...io, exitCode: 0 };
  } catch (e) {
    if (e instanceof SuppressedError) return { ...io, exitCode: 1 };
    if (e instanceof CliError) return fail(e.message, helpText);
    return fail(e instanceof Error ? e.message : String(e), helpText);
  }
}
