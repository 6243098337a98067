// The fake helmfile (registered as the fake CLI tool "helmfile"): cobra-style argv (global flags anywhere), the
// commands template, sync, apply, list and build; errors are printed as helmfile's main does (`err: ...`/the error text on
// stderr, exit 1; approximate). State files are read from the caller's cwd; the cluster is the lab's.
import { FlagError, parseFlags, type FlagSpec } from '../talos/argv.js';
import type { CliRequest, CliResult } from '../talos/talosctl.js';
import { build } from './cmd-build.js';
import { list } from './cmd-list.js';
import { syncOrApply } from './cmd-sync.js';
import { template } from './cmd-template.js';
import { COMMAND_FLAGS, type Ctx, GLOBAL_FLAGS, type HelmfileEnv } from './command.js';
import { HelmfileError } from './state.js';

export type { HelmfileEnv } from './command.js';

// helmfile 1.x commands the fake does not play (cmd/root.go)
const UNSUPPORTED = ['cache', 'deps', 'destroy', 'diff', 'fetch', 'init', 'lint', 'print-env', 'repos', 'show-dag', 'status', 'test', 'unittest', 'write-values', 'version', 'completion', 'help'];
export const HELMFILE_VERSION = '1.1.7';

/** the first word that is not a flag or a global flag's value */
function findCommand(argv: string[], specs: FlagSpec[]): { index: number; name?: string } {
  const withValue = new Set(specs.filter((s) => s.type !== 'bool').flatMap((s) => [`--${s.name}`, ...(s.short ? [`-${s.short}`] : [])]));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a.startsWith('-')) { if (withValue.has(a)) i++; continue; }
    return { index: i, name: a };
  }
  return { index: -1 };
}

export async function runHelmfile(h: HelmfileEnv, req: CliRequest): Promise<CliResult> {
  const io = { stdout: '', stderr: '' };
  const done = (exitCode: number): CliResult => ({ ...io, exitCode });
  const found = findCommand(req.argv, GLOBAL_FLAGS);
  if (req.argv.includes('--version') || req.argv.includes('-v')) {
    io.stdout += `helmfile version ${HELMFILE_VERSION}\n`; // approximate
    return done(0);
  }
  if (!found.name || req.argv.includes('--help') || req.argv.includes('-h')) {
    // cobra's help: the root command's description and usage line (wording approximate; no command list)
    io.stdout += `Declaratively deploy your Kubernetes manifests, Kustomize configs, and Charts as Helm releases in one shot\n\nUsage:\n  helmfile ${found.name ?? '[command]'}${found.name ? ' [flags]' : ''}\n`;
    return done(0);
  }
  if (!COMMAND_FLAGS[found.name]) {
    // cobra: `Error: unknown command "x" for "helmfile"` + `Run 'helmfile --help' for usage.`
    io.stderr += UNSUPPORTED.includes(found.name)
      ? `the lab's fake helmfile does not implement ${JSON.stringify(found.name)} yet\n`
      : `Error: unknown command ${JSON.stringify(found.name)} for "helmfile"\nRun 'helmfile --help' for usage.\n`;
    return done(1);
  }
  const specs = [...GLOBAL_FLAGS, ...COMMAND_FLAGS[found.name]!];
  let parsed;
  try {
    parsed = parseFlags(req.argv.filter((_, i) => i !== found.index), specs);
  } catch (e) {
    if (!(e instanceof FlagError)) throw e;
    io.stderr += `Error: ${e.message}\n`;
    return done(1);
  }
  if (parsed.positional.length) {
    io.stderr += `Error: unknown command ${JSON.stringify(parsed.positional[0])} for "helmfile ${found.name}"\n`;
    return done(1);
  }
  const c: Ctx = { h, flags: parsed.flags, cwd: req.cwd, env: req.env ?? {}, io, ...(req.stdin !== undefined ? { stdin: req.stdin } : {}) };
  try {
    if (found.name === 'template') return done(await template(c));
    if (found.name === 'list') return done(await list(c));
    if (found.name === 'build') return done(await build(c));
    return done(await syncOrApply(c, found.name as 'sync' | 'apply'));
  } catch (e) {
    if (!(e instanceof HelmfileError)) throw e;
    io.stderr += `${e.message}\n`;
    return done(1);
  }
}
