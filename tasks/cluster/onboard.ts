// cluster:onboard NAME — a new cluster's files from an existing one (--from): its rackhand.yaml entry (API server,
// context, nodes; paths renamed where they carry the old cluster's name as a whole token), its talos folder with
// talconfig.yaml rewritten for the new name, endpoint and nodes, its bootstrap folder, and its per-cluster Flux entry
// point with `path:` values renamed. Secrets (talsecret, *.sops.*, kubeconfig, talosconfig) and talhelper's generated
// configs are never copied: each is listed with what to make instead. Every file is shown before anything is written;
// an existing file is never overwritten (identical ones are skipped, different ones refuse the run, exit 3).
// Better than copying the folder by hand: no secret or old address carried over by accident, no `home-ops` turned into
// `lab2-ops` by a blind search and replace.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../lib/atomic-write.ts';
import { dirname, relative } from 'node:path';
import { configPath } from '../../lib/config/path.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { UsageError, type Check, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { findRepoRoot } from '../../lib/git/repo-root.ts';
import { planOnboard, type OnboardPlan } from '../../lib/onboard/plan.ts';
import type { NewNode } from '../../lib/onboard/talconfig.ts';
import { DNS_LABEL } from '../../lib/patterns.ts';

const NODE_SPEC = /^([a-z0-9][a-z0-9.-]*)=([0-9a-fA-F.:]+):(controlplane|worker|server|agent)$/;

function parseNodes(specs: string[]): NewNode[] {
  return specs.map((s) => {
    const m = NODE_SPEC.exec(s);
    if (!m) throw new UsageError(`--node: expected NAME=ADDRESS:ROLE like cp1=10.0.0.11:controlplane (got "${s}")`);
    return { name: m[1]!, address: m[2]!, role: m[3] === 'server' || m[3] === 'controlplane' ? 'controlplane' : 'worker' };
  });
}

function onboard() {
  let plan: OnboardPlan | undefined;
  const make = (ctx: TaskContext): OnboardPlan => {
    if (plan) return plan;
    const cfg = configPath(ctx.flags.config as string | undefined, ctx.env, ctx.cwd);
    if (!existsSync(cfg)) throw new UsageError(`--config: no rackhand.yaml at ${cfg}`);
    plan = planOnboard({
      configPath: cfg, from: ctx.flags.from as string, name: ctx.flags.name as string, apiServer: ctx.flags['api-server'] as string,
      ...(ctx.flags.context ? { context: ctx.flags.context as string } : {}), nodes: parseNodes(ctx.flags.node as string[]), repo: findRepoRoot(dirname(cfg)) ?? dirname(cfg),
    });
    return plan;
  };
  const state = (p: string, content: string) => (!existsSync(p) ? 'new' : readFileSync(p, 'utf8') === content ? 'same' : 'differs');
  return {
    validate(ctx: TaskContext) {
      parseNodes(ctx.flags.node as string[]);
      if (!/^https:\/\/\S+$/.test(ctx.flags['api-server'] as string)) throw new UsageError('--api-server: expected the new cluster\'s API server URL, e.g. https://10.0.0.10:6443');
      make(ctx); // the source cluster and the new name are checked here: exit 2 before anything runs
    },
    preflight: (ctx: TaskContext): Check[] => [{
      name: 'no file of the new cluster exists with other content',
      async run() {
        const p = make(ctx);
        const clash = p.files.filter((f) => state(f.path, f.content) === 'differs').map((f) => relative(ctx.cwd, f.path));
        return clash.length ? { ok: false, message: `already there with other content: ${clash.join(', ')}`, remedy: 'move them away, or onboard under another name' } : { ok: true, message: `${p.files.length} file(s) to write` };
      },
    }],
    async plan(ctx: TaskContext): Promise<Step[]> {
      const p = make(ctx);
      const show = (f: string) => relative(ctx.cwd, f) || f;
      ctx.log.info(`rackhand.yaml gets clusters.${String(ctx.flags.name)}:`);
      const entry = p.config.content.split('\n');
      const start = entry.findIndex((l) => l === `  ${String(ctx.flags.name)}:`);
      const next = entry.slice(start + 1).findIndex((x) => /^ {0,2}\S/.test(x));
      for (const l of entry.slice(start, next < 0 ? undefined : start + 1 + next)) if (l.trim()) ctx.log.info(`  ${l}`);
      for (const s of p.skipped) ctx.log.info(`not copied: ${show(s.path)} (${s.why})`);
      for (const n of p.notes) ctx.log.warning(n);
      ctx.data.files = p.files.map((f) => ({ path: show(f.path), state: state(f.path, f.content) }));
      ctx.data.skipped = p.skipped;
      const steps: Step[] = p.files.map((f) => ({
        title: `write ${show(f.path)} (${f.content.split('\n').length} lines)`,
        isDone: async () => (state(f.path, f.content) === 'same' ? `${show(f.path)} already has this content` : false),
        async run() {
          if (ctx.dryRun) return;
          await mkdir(dirname(f.path), { recursive: true });
          await writeFile(f.path, f.content, { flag: 'wx' });
        },
      }));
      steps.push({
        title: `add clusters.${String(ctx.flags.name)} to ${show(p.config.path)}`,
        isDone: async () => (readFileSync(p.config.path, 'utf8') === p.config.content ? 'already there' : false),
        async run() {
          if (ctx.dryRun) return;
          // rackhand.yaml keeps its mode (it holds no secrets: op:// references only)
          await writeFileAtomic(p.config.path, p.config.content, (await stat(p.config.path)).mode & 0o777);
        },
      });
      return steps;
    },
    changes: (ctx: TaskContext) => [`new files for cluster ${String(ctx.flags.name)} (listed above), and its entry in rackhand.yaml; nothing existing is changed`],
  };
}

export default defineTask({
  summary: 'a new cluster\'s rackhand.yaml entry, talos/, bootstrap/ and Flux entry point from an existing cluster\'s files; no secrets copied',
  example: 'npx tsx tasks cluster:onboard lab2 --from home --api-server https://10.9.0.10:6443 --node cp1=10.9.0.11:controlplane --node w1=10.9.0.21:worker',
  flags: {
    name: { type: 'string', required: true, positional: true, pattern: DNS_LABEL, hint: 'a cluster name like lab2', description: 'the new cluster' },
    from: { type: 'string', required: true, pattern: DNS_LABEL, hint: 'a cluster name from rackhand.yaml', description: 'the cluster whose files are the template' },
    'api-server': { type: 'string', required: true, description: 'the new cluster\'s API server URL' },
    node: { type: 'list', required: true, description: 'a node as NAME=ADDRESS:ROLE (controlplane/worker, or server/agent)' },
    context: { type: 'string', description: 'the kube context name (default: admin@NAME for Talos, NAME for k3s)' },
  },
  destructive: true,
  cluster: false,
  lock: false,
  impl: onboard,
});
