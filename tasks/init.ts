// init (`rackhand init`) — a starting rackhand.yaml from what the repository already has: one cluster per talhelper
// talconfig.yaml (its clusterName, endpoint, talosconfig under clusterconfig/), the bootstrap folder nearest to it
// (helmfile.d/, helmfile/ or helmfile.yaml), and -- with --kubeconfig -- the Flux Kustomizations and VolSync apps the
// live cluster has. Every value rackhand guessed carries a comment saying so and why; `rackhand doctor` checks the
// result. Refuses to overwrite an existing file unless --force; --dry-run prints it.
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { findHelmfiles } from '../lib/bootstrap/helmfiles.ts';
import { readTalconfig } from '../lib/config/talconfig.ts';
import { defineTask } from '../lib/engine/define.ts';
import { UsageError, type TaskContext } from '../lib/engine/types.ts';
import { Kubectl } from '../lib/tools/kubectl.ts';
import { moverOf, RS, type ReplicationSource } from '../lib/volsync/types.ts';

const SKIP = new Set(['node_modules', '.git', 'dist', '.rackhand', '.cache']);

/** files named `name` (and folders holding `marker`) down to a few levels, skipping dependency folders */
function walk(dir: string, depth: number, visit: (path: string, isDir: boolean) => void): void {
  if (depth < 0) return;
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(d.name) || d.name.startsWith('.')) continue;
    const p = join(dir, d.name);
    visit(p, d.isDirectory());
    if (d.isDirectory()) walk(p, depth - 1, visit);
  }
}

const label = (s: string) => s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'home';
const q = (s: string) => JSON.stringify(s);

interface Found { key: string; lines: string[]; notes: string[] }

async function describeCluster(ctx: TaskContext, root: string, talconfig: string, bootstraps: string[], taken: Set<string>, owner: (b: string) => string | undefined): Promise<Found> {
  const notes: string[] = [];
  const tal = await readTalconfig(talconfig, ctx.env).catch((err: Error) => { notes.push(`${relative(root, talconfig)} did not load (${err.message.split('\n')[0]}): fix it, then run rackhand doctor`); return undefined; });
  let key = label(tal?.clusterName ?? basename(dirname(talconfig)));
  while (taken.has(key)) key = `${key}-2`;
  taken.add(key);
  const dir = dirname(talconfig);
  const rel = (p: string) => `./${relative(root, p)}`;
  const endpoint = tal?.endpoint && !tal.unset.length ? tal.endpoint : undefined;
  const talosconfig = join(dir, 'clusterconfig', 'talosconfig');
  // the bootstrap folder nearest to this talconfig, among those nearer to it than to any other talconfig (a folder is
  // given to one cluster only: bootstrapping the wrong cluster from it would be worse than no guess)
  const bootstrap = bootstraps.find((b) => owner(b) === talconfig);
  const kubeconfig = (ctx.flags.kubeconfig as string | undefined) ?? (existsSync(join(root, 'kubeconfig')) ? join(root, 'kubeconfig') : undefined);
  const lines = [
    `  ${key}:`,
    '    distribution: talos',
    `    talconfig: ${q(rel(talconfig))}                  # read: nodes, versions, installers come from it`,
    kubeconfig ? `    kubeconfig: ${q(relative(root, kubeconfig).startsWith('..') ? kubeconfig : rel(kubeconfig))}` : '    kubeconfig: "~/.kube/config"      # GUESS: no ./kubeconfig here; point it at the cluster\'s kubeconfig',
    `    context: ${q(`admin@${tal?.clusterName ?? key}`)}       # GUESS: the context name talosctl kubeconfig writes (admin@<clusterName>)`,
    endpoint ? `    apiServer: ${q(endpoint)}   # from talconfig's endpoint (a VIP or DNS name must reach the same API server)`
      : `    apiServer: "https://127.0.0.1:6443"  # GUESS: talconfig's endpoint is ${tal?.endpoint ? `"${tal.endpoint}" with unset variables` : 'not set'}; put the API server URL here`,
    ...(existsSync(talosconfig) ? [`    talosconfig: ${q(rel(talosconfig))}`] : []),
    ...(bootstrap ? [`    bootstrap: ${q(rel(bootstrap))}       # GUESS: the bootstrap folder nearest to the talconfig`] : []),
  ];
  if (!kubeconfig) notes.push(`${key}: kubeconfig guessed as ~/.kube/config`);
  notes.push(`${key}: context guessed as admin@${tal?.clusterName ?? key}`);
  if (!endpoint) notes.push(`${key}: apiServer is a placeholder`);
  if (bootstrap) notes.push(`${key}: bootstrap folder guessed as ${rel(bootstrap)}`);
  if (tal?.unset.length) notes.push(`${key}: talconfig variables ${tal.unset.map((v) => `\${${v}}`).join(', ')} are set nowhere here (talenv.yaml, talenv.sops.yaml, the environment)`);
  return { key, lines, notes };
}

/** what the live cluster runs (Flux Kustomizations, VolSync apps), as comments */
async function liveComments(ctx: TaskContext, kubeconfig: string): Promise<string[]> {
  const current = await ctx.exec.run(['kubectl', '--kubeconfig', kubeconfig, 'config', 'current-context'], { mutating: false, timeoutMs: 15_000 });
  if (current.exitCode !== 0) return [`# the kubeconfig has no current context: the live cluster was not read`];
  const kubectl = new Kubectl(ctx.exec, { kubeconfig, context: current.stdout.trim() }, 15_000);
  const out: string[] = [];
  const ks = await kubectl.list('kustomizations.kustomize.toolkit.fluxcd.io', { allNamespaces: true }).catch(() => undefined);
  out.push(ks ? `# Flux Kustomizations in the cluster: ${ks.length}${ks.length ? ` (${ks.slice(0, 8).map((k) => `${k.metadata.namespace}/${k.metadata.name}`).join(', ')}${ks.length > 8 ? ', ...' : ''})` : ''}` : '# Flux: not readable with that kubeconfig');
  const rs = await kubectl.list<ReplicationSource>(RS, { allNamespaces: true }).catch(() => undefined);
  out.push(rs ? `# VolSync apps (volsync:restore --app NAME): ${rs.map((r) => `${r.metadata.namespace}/${r.metadata.name} (${moverOf(r) ?? 'no mover'})`).join(', ') || 'none'}` : '# VolSync: not installed, or not readable with that kubeconfig');
  return out;
}

export default defineTask({
  summary: 'write a starting rackhand.yaml from the repository (talconfigs, bootstrap folders, the live cluster), each guess explained',
  description: 'Then run `rackhand doctor` to see what rackhand understood. --dry-run prints the file instead of writing it.',
  example: 'npx rackhand init --kubeconfig ./kubeconfig',
  flags: {
    kubeconfig: { type: 'string', description: 'read the live cluster too (Flux Kustomizations, VolSync apps) with this kubeconfig' },
    output: { type: 'string', description: 'where to write', default: 'rackhand.yaml' },
    force: { type: 'boolean', description: 'overwrite an existing file' },
  },
  destructive: false,
  cluster: false,
  impl: () => ({
    async plan(ctx) {
      const root = ctx.cwd;
      const out = resolve(root, ctx.flags.output as string);
      if (existsSync(out) && !ctx.flags.force) throw new UsageError(`${out} exists (--force to overwrite it, or --output another file)`);
      if (ctx.flags.kubeconfig && !existsSync(resolve(root, ctx.flags.kubeconfig as string))) throw new UsageError(`--kubeconfig: ${ctx.flags.kubeconfig} does not exist`);
      return [{
        title: `read the repository and write ${relative(root, out) || out}`,
        mutating: false,
        async run(rt) {
          const talconfigs: string[] = [];
          const bootstraps: string[] = [];
          walk(root, 6, (p, isDir) => {
            if (!isDir && basename(p) === 'talconfig.yaml') talconfigs.push(p);
            if (isDir && ['helmfile.d', 'helmfile'].includes(basename(p)) && statSync(p).isDirectory()) bootstraps.push(dirname(p));
            if (!isDir && basename(p) === 'helmfile.yaml' && !bootstraps.includes(dirname(p))) bootstraps.push(dirname(p));
          });
          // only folders rackhand can read as a bootstrap
          const usable = bootstraps.filter((b) => { try { findHelmfiles(b, undefined, 'init'); return true; } catch { return false; } });
          const taken = new Set<string>();
          const clusters: Found[] = [];
          const steps = (from: string, to: string) => relative(from, to).split('/').filter(Boolean).length;
          const owner = (b: string) => [...talconfigs].sort((x, y) => steps(dirname(x), b) - steps(dirname(y), b))[0];
          for (const t of talconfigs.sort()) clusters.push(await describeCluster(ctx, root, t, usable, taken, owner));
          const kube = ctx.flags.kubeconfig ? resolve(root, ctx.flags.kubeconfig as string) : undefined;
          const live = kube ? await liveComments(ctx, kube) : [];
          const tasks = ['tasks', 'ops/tasks', '.rackhand/tasks'].find((d) => existsSync(join(root, d)));
          const text = [
            '# rackhand.yaml written by `rackhand init` from what this repository has. Lines marked GUESS are guesses:',
            '# check them, then run `rackhand doctor` to see what rackhand understands.',
            ...live,
            ...(tasks ? [`tasks: [./${tasks}]`] : []),
            clusters.length ? 'clusters:' : 'clusters: {}  # no talconfig.yaml found: add your clusters (see rackhand.example.yaml in the package)',
            ...clusters.flatMap((c) => c.lines),
            '',
          ].join('\n');
          ctx.data.clusters = clusters.map((c) => c.key);
          ctx.data.guesses = clusters.flatMap((c) => c.notes);
          for (const n of clusters.flatMap((c) => c.notes)) rt.output(n);
          if (ctx.dryRun) { ctx.out(text); return; }
          writeFileSync(out, text, { mode: 0o644 });
          ctx.out(`${out}: ${clusters.length} cluster(s) (${clusters.map((c) => c.key).join(', ') || 'none'}); next: rackhand doctor`);
        },
      }];
    },
  }),
});
