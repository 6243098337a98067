// talos:genconfig — renders the machine configs with talhelper (`talhelper genconfig` next to talconfig.yaml, so its
// own defaults find talenv.sops.yaml and talsecret.sops.yaml), the age key from 1Password in talhelper's environment
// only (SOPS_AGE_KEY: talhelper decrypts with the sops libraries). Afterwards every generated file is made 0600 (they
// hold the cluster's secrets) and the run says which nodes' configs changed, are new or stayed the same, so the
// operator knows which nodes need talos:apply-node. Better than `talhelper genconfig` by hand: no age key on disk,
// no world-readable machine configs, and the list of nodes that actually changed.
import { createHash } from 'node:crypto';
import { chmod, readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { toolPresent } from '../../lib/checks/tools.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, UsageError, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { ageKeyEnv } from '../../lib/secrets/age-key.ts';
import { table } from '../../lib/table.ts';

async function fingerprints(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of await readdir(dir).catch(() => [] as string[])) {
    const text = await readFile(join(dir, f)).catch(() => undefined);
    if (text) out.set(f, createHash('sha256').update(text).digest('hex'));
  }
  return out;
}

function genconfig() {
  return {
    validate(ctx: TaskContext) {
      if (!ctx.cluster.talconfig) throw new UsageError(`${ctx.cluster.source} clusters.${ctx.cluster.name}.talconfig: expected the path of talconfig.yaml (talos:genconfig runs talhelper on it)`);
    },
    preflight: () => [toolPresent('talhelper', ['--version'])],
    async plan(ctx: TaskContext): Promise<Step[]> {
      const talconfig = ctx.cluster.talconfig!;
      const dir = dirname(talconfig);
      const out = join(dir, 'clusterconfig');
      return [{
        title: `talhelper genconfig ${relative(ctx.cwd, talconfig) || talconfig} into ${relative(ctx.cwd, out) || out}${ctx.cluster.sopsAgeKey ? ' (age key from 1Password)' : ''}`,
        async run() {
          const env = await ageKeyEnv(ctx.exec, ctx.env, ctx.cluster);
          const before = await fingerprints(out);
          const r = await ctx.exec.run(['talhelper', 'genconfig', '--config-file', talconfig, '--out-dir', out], { mutating: true, timeoutMs: 120_000, env, cwd: dir });
          if (r.dryRun) return;
          if (r.exitCode !== 0) throw new StepFailure(`talhelper genconfig failed (exit ${r.exitCode}): ${ctx.exec.redactor.redact((r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / '))}`, ctx.cluster.sopsAgeKey ? 'npx tsx tasks op:check' : 'set clusters.<name>.sopsAgeKey to the op:// reference of the age key');
          const after = await fingerprints(out);
          const rows: string[][] = [];
          for (const [f, h] of [...after].sort()) {
            await chmod(join(out, f), 0o600);
            rows.push([f, !before.has(f) ? 'new' : before.get(f) === h ? 'unchanged' : 'changed']);
          }
          ctx.data.files = Object.fromEntries(rows);
          ctx.out(table(['FILE', 'STATE'], rows));
          const changed = rows.filter(([f, s]) => s !== 'unchanged' && f !== 'talosconfig').map(([f]) => f);
          if (changed.length) ctx.log.info(`next: talos:apply-node for each changed node (or talos:apply-cluster): ${changed.join(', ')}`);
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'render machine configs with talhelper, the age key from 1Password in its environment only; files 0600; changed nodes listed',
  example: 'npx tsx tasks talos:genconfig --cluster home',
  flags: {},
  destructive: false,
  cluster: true,
  lock: false,
  identityFrom: 'config',
  impl: genconfig,
});
