// sops:check — finds secrets about to be committed in the clear: files a .sops.yaml creation rule covers that are not
// SOPS-encrypted, and Kubernetes Secret manifests with values in plain text (templates and op:// references are not
// values). Looks at the files git would commit (tracked and untracked, .gitignore respected), or every file outside a
// git repository. Exit 1 with file and line for each finding. Read-only, no cluster. Better than a pre-commit grep for
// "kind: Secret": it knows the repository's own creation rules and what an encrypted file looks like.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { checkFiles, creationRules } from '../../lib/secrets/sops-check.ts';
import { table } from '../../lib/table.ts';

/** .sops.yaml in `dir` or the nearest folder above it */
function findSopsConfig(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, '.sops.yaml'))) return join(d, '.sops.yaml');
    if (dirname(d) === d) return undefined;
  }
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name === '.git' || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

function check() {
  return {
    async plan(ctx: TaskContext): Promise<Step[]> {
      const start = resolve(ctx.cwd, (ctx.flags.dir as string | undefined) ?? '.');
      const config = findSopsConfig(start);
      const root = config ? dirname(config) : start;
      return [{
        title: `look for unencrypted secrets under ${root}${config ? ` (rules: ${config})` : ' (no .sops.yaml: Secret manifests only)'}`,
        mutating: false,
        async run() {
          // git's view when there is one: what would be committed (git-ls-files(1): --cached --others --exclude-standard)
          const git = await ctx.exec.run(['git', '-C', root, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], { mutating: false, timeoutMs: 60_000 });
          const files = git.exitCode === 0 ? git.stdout.split('\0').filter(Boolean).map((f) => join(root, f)).filter((f) => existsSync(f)) : await walk(root);
          const findings = checkFiles(root, files, config ? creationRules(config) : []);
          ctx.data.checked = files.length;
          ctx.data.findings = findings;
          if (!findings.length) { ctx.out(`${files.length} files checked: no unencrypted secret`); return; }
          ctx.out(table(['FILE', 'PROBLEM'], findings.map((f) => [`${f.file}${f.line ? `:${f.line}` : ''}`, f.problem])));
          throw new StepFailure(`${findings.length} unencrypted secret file(s) or manifest(s)`, 'encrypt each with sops --encrypt --in-place FILE (or npx tsx tasks sops:edit)');
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'find secrets in the clear: files a .sops.yaml rule covers that are not encrypted, Secret manifests with plain values',
  example: 'npx tsx tasks sops:check --dir ~/home-ops',
  flags: { dir: { type: 'string', description: 'the repository (default: the current folder; .sops.yaml is looked for upward)' } },
  destructive: false,
  cluster: false,
  impl: check,
});
