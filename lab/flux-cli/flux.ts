// The fake `flux` (Flux 2.x CLI): resolves the cobra command path, parses flags with pflag's errors, runs the command
// against the lab's store and prints a failure the way cmd/flux/main.go does: "✗ <error>" on stderr, exit 1
// (SilenceUsage, SilenceErrors). Status lines go to stderr, tables and versions to stdout.
//   flux --version | version --client | check [--pre]
//   flux reconcile kustomization|ks|helmrelease|hr NAME [--with-source] [--force] [--reset] | reconcile source git NAME
//   flux suspend|resume kustomization|ks|helmrelease|hr|source git [NAME...] [--all] [--wait]
//   flux get kustomizations|ks|helmreleases|hr|sources git [NAME] [-A] [--no-header] [--status-selector t=s]
import { FlagError, parseFlags, type FlagSpec } from '../talos/argv.js';
import { checkCmd } from './check.js';
import { FluxError, type FluxCtx, type FluxWorld } from './context.js';
import { getCmd } from './get.js';
import { GITREPOSITORY, HELMRELEASE, KUSTOMIZATION, type FluxKind } from './kinds.js';
import { reconcileCmd } from './reconcile.js';
import { resumeCmd, suspendCmd } from './suspend.js';

export interface FluxRequest {
  argv: string[];
  cwd: string;
  env?: Record<string, string>;
}

// cmd/flux/main.go persistent flags: --timeout (5m), --verbose, kubeconfig flags with -n/--namespace (flux-system)
const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'timeout', type: 'duration', default: 5 * 60_000 }, { name: 'verbose', type: 'bool' },
  { name: 'namespace', short: 'n', type: 'string', default: 'flux-system' }, { name: 'kubeconfig', type: 'string' },
  { name: 'context', type: 'string' }, { name: 'cluster', type: 'string' }, { name: 'user', type: 'string' }, { name: 'server', type: 'string' },
  { name: 'insecure-skip-tls-verify', type: 'bool' }, { name: 'as', type: 'string' }, { name: 'as-group', type: 'strings' }, { name: 'as-uid', type: 'string' },
  { name: 'cache-dir', type: 'string' }, { name: 'certificate-authority', type: 'string' }, { name: 'client-certificate', type: 'string' },
  { name: 'client-key', type: 'string' }, { name: 'token', type: 'string' }, { name: 'tls-server-name', type: 'string' },
  { name: 'disable-compression', type: 'bool' }, { name: 'kube-api-qps', type: 'string' }, { name: 'kube-api-burst', type: 'int' },
  { name: 'help', short: 'h', type: 'bool' }, { name: 'version', type: 'bool' },
];

type Run = (c: FluxCtx) => Promise<void>;
interface Leaf { flags: FlagSpec[]; run: Run }
type Node = { [word: string]: Node | Leaf };
const isLeaf = (n: Node | Leaf): n is Leaf => typeof (n as Leaf).run === 'function';

const bool = (name: string): FlagSpec => ({ name, type: 'bool' });
const byKind = (cmd: (c: FluxCtx, k: FluxKind) => Promise<void>, flags: Record<string, FlagSpec[]>) => {
  const leaf = (k: FluxKind, f: FlagSpec[]): Leaf => ({ flags: f, run: (c) => cmd(c, k) });
  const ks = leaf(KUSTOMIZATION, flags.ks ?? []);
  const hr = leaf(HELMRELEASE, flags.hr ?? []);
  return { kustomization: ks, ks, helmrelease: hr, hr, source: { git: leaf(GITREPOSITORY, []) } };
};
const getFlags: FlagSpec[] = [
  { name: 'all-namespaces', short: 'A', type: 'bool' }, bool('no-header'), { name: 'watch', short: 'w', type: 'bool' },
  { name: 'status-selector', type: 'string' }, { name: 'label-selector', short: 'l', type: 'string' },
];
const getLeaf = (k: FluxKind): Leaf => ({ flags: getFlags, run: (c) => getCmd(c, k) });

const TREE: Node = {
  check: { flags: [bool('pre'), { name: 'components', type: 'strings' }, { name: 'components-extra', type: 'strings' }, { name: 'poll-interval', type: 'duration', default: 5000 }], run: checkCmd },
  reconcile: byKind(reconcileCmd, { ks: [bool('with-source')], hr: [bool('with-source'), bool('force'), bool('reset')] }),
  suspend: byKind(suspendCmd, { ks: [bool('all')], hr: [bool('all')] }),
  resume: byKind(resumeCmd, { ks: [bool('all'), bool('wait')], hr: [bool('all'), bool('wait')] }),
  get: { kustomizations: getLeaf(KUSTOMIZATION), kustomization: getLeaf(KUSTOMIZATION), ks: getLeaf(KUSTOMIZATION), helmreleases: getLeaf(HELMRELEASE), helmrelease: getLeaf(HELMRELEASE), hr: getLeaf(HELMRELEASE), sources: { git: getLeaf(GITREPOSITORY) } },
  version: { flags: [bool('client'), { name: 'output', short: 'o', type: 'string', default: 'yaml' }], run: async () => undefined },
};
// suspend/resume flags are persistent: --all and --wait apply to the source subcommands too
for (const verb of ['suspend', 'resume'] as const) ((TREE[verb] as Node).source as Node).git = { flags: verb === 'suspend' ? [bool('all')] : [bool('all'), bool('wait')], run: (c) => (verb === 'suspend' ? suspendCmd : resumeCmd)(c, GITREPOSITORY) };
const VALUED = new Set(['--timeout', '-n', '--namespace', '--kubeconfig', '--context', '--cluster', '--user', '--server', '--as', '--as-group', '--as-uid',
  '--cache-dir', '--certificate-authority', '--client-certificate', '--client-key', '--token', '--tls-server-name', '--kube-api-qps', '--kube-api-burst',
  '--status-selector', '-l', '--label-selector', '--components', '--components-extra', '--poll-interval', '-o', '--output']);

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export async function runFlux(world: FluxWorld, req: FluxRequest): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const io = { stdout: '', stderr: '' };
  const fail = (message: string) => ({ ...io, stderr: `${io.stderr}✗ ${message}\n`, exitCode: 1 });
  // walk the command tree over the leading words, skipping flags and their values
  let node: Node | Leaf = TREE;
  const path: string[] = [];
  const used = new Set<number>();
  for (let i = 0; i < req.argv.length && !isLeaf(node); i++) {
    const a = req.argv[i]!;
    if (a === '--') break;
    if (a.startsWith('-')) { if (VALUED.has(a)) i++; continue; }
    const next: Node | Leaf | undefined = Object.hasOwn(node, a) ? (node as Node)[a] : undefined;
    if (!next) {
      // cobra: an unknown word under the root fails; under a group it prints the group's help (exit 0)
      if (!path.length) return fail(`unknown command "${a}" for "flux"`);
      break;
    }
    node = next;
    path.push(a);
    used.add(i);
  }
  const rest = req.argv.filter((_, i) => !used.has(i));
  if (!isLeaf(node)) {
    if (!path.length && (rest.includes('--version'))) return { ...io, stdout: `flux version ${world.version}\n`, exitCode: 0 }; // cobra's version template
    io.stdout += `Usage:\n  flux${path.map((p) => ` ${p}`).join('')} [command]\n\nAvailable Commands:\n${Object.keys(node).map((k) => `  ${k}\n`).join('')}`;
    return { ...io, exitCode: 0 };
  }
  const leaf = node;
  let parsed;
  try {
    parsed = parseFlags(rest, [...leaf.flags, ...GLOBAL_FLAGS]);
  } catch (e) {
    if (e instanceof FlagError) return fail(e.message);
    throw e;
  }
  if (parsed.flags.help) return { ...io, stdout: `Usage:\n  flux ${path.join(' ')} [flags]\n`, exitCode: 0 };
  const namespace = String(parsed.flags.namespace);
  // root PersistentPreRunE
  if (!DNS_LABEL.test(namespace)) return fail(`namespace must be a valid DNS label: ${JSON.stringify(namespace)}`);
  if (path[0] === 'version') {
    // version.go --client: "flux: v<version>"; the server side (distribution, controllers) is not in the lab
    if (!parsed.flags.client) return fail("the lab's fake flux implements only `flux version --client`");
    return { ...io, stdout: `flux: v${world.version}\n`, exitCode: 0 };
  }
  const ctx: FluxCtx = { world, flags: parsed.flags, changed: parsed.changed, args: parsed.positional, io, namespace };
  try {
    await leaf.run(ctx);
    return { ...io, exitCode: 0 };
  } catch (e) {
    if (e instanceof FluxError) return fail(e.message);
    return fail(e instanceof Error ? e.message : String(e));
  }
}
