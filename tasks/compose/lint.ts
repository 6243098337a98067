// compose:lint — the compose repositories' conventions, from Git (every repository of compose.repos at its ref):
// pinned images, no obsolete version: key, env files referenced but not committed, no inline secrets (in the file
// or a committed .env), and stale stacks (a project folder no host runs: the hosts are read over SSH, read-only;
// --offline skips it). Each breach as file:line. Exit 2 on any.
import { posix } from 'node:path';
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, type TaskContext } from '../../lib/engine/types.ts';
import { COMPOSE_FILES, composeSsh, loadCompose, repoReaders } from '../../lib/compose/config.ts';
import { secretMatcher, toRepo } from '../../lib/compose/drift.ts';
import { readHost } from '../../lib/compose/host.ts';
import { lintComposeFile, lintDotenv, type Breach } from '../../lib/compose/lint.ts';
import { ACCEPT_NEW_HOST_KEY } from '../../lib/k3s/checks.ts';
import { parse as parseDotenv } from 'dotenv';

function lint() {
  return {
    async plan(ctx: TaskContext) {
      const compose = await loadCompose(ctx);
      return [{
        title: `check the conventions of ${Object.keys(compose.repos).join(', ')}${ctx.flags.offline ? '' : ` and which stacks ${compose.hosts.map((h) => h.name).join(', ')} run`}`,
        mutating: false,
        async run(rt: { output(t: string): void }) {
          const isSecret = secretMatcher(compose.secretKeys);
          const breaches: (Breach & { repo: string })[] = [];
          const stacks: { repo: string; dir: string; file: string }[] = [];
          for (const [name, reader] of repoReaders(ctx, compose)) {
            const files = await reader.list('');
            const exists = (p: string) => files.includes(p);
            for (const f of files.filter((x) => COMPOSE_FILES.includes(posix.basename(x)))) {
              const dir = posix.dirname(f);
              const envText = await reader.read(posix.join(dir === '.' ? '' : dir, '.env').replace(/^\//, ''));
              const env = envText !== undefined ? parseDotenv(envText) : {};
              breaches.push(...lintComposeFile(f, (await reader.read(f)) ?? '', { env, exists, isSecret }).map((b) => ({ ...b, repo: name })));
              stacks.push({ repo: name, dir: dir === '.' ? '' : dir, file: f });
            }
            for (const f of files.filter((x) => posix.basename(x) === '.env')) breaches.push(...lintDotenv(f, (await reader.read(f)) ?? '', isSecret).map((b) => ({ ...b, repo: name })));
            rt.output(`${name}: ${files.length} files, ${stacks.filter((s) => s.repo === name).length} stacks`);
          }
          if (!ctx.flags.offline) {
            const ssh = composeSsh(ctx);
            const running = new Set<string>();
            await Promise.all(compose.hosts.map(async (h) => {
              const state = await readHost(ctx, ssh, h);
              for (const p of state.projects.values()) { const w = toRepo(h, p.workingDir); if (w) running.add(`${w.repo}:${w.path}`); }
            }));
            for (const s of stacks) if (!running.has(`${s.repo}:${s.dir}`)) breaches.push({ repo: s.repo, file: s.file, line: 1, rule: 'stale-stack', message: `no host runs the stack in ${s.dir || '.'} (checked ${compose.hosts.map((h) => h.name).join(', ')}): remove it, or deploy it` });
          }
          breaches.sort((a, b) => a.repo.localeCompare(b.repo) || a.file.localeCompare(b.file) || a.line - b.line);
          ctx.data.breaches = breaches;
          if (breaches.length) {
            ctx.out(breaches.map((b) => `${b.repo}/${b.file}:${b.line}: ${b.rule}: ${b.message}`).join('\n'));
            throw new StepFailure(`${breaches.length} convention breach(es) in ${[...new Set(breaches.map((b) => b.repo))].join(', ')}`, 'fix each file:line above and commit', 2);
          }
          ctx.out(`${stacks.length} stacks in ${Object.keys(compose.repos).length} repositories follow the conventions`);
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'compose repositories\' conventions: pinned images, no version: key, env files not committed, no inline secrets, no stale stacks; file:line for each, exit 2',
  example: 'npx tsx tasks compose:lint',
  flags: {
    offline: { type: 'boolean', description: 'do not read the hosts: skip the stale-stack check' },
    'accept-new-host-key': ACCEPT_NEW_HOST_KEY,
  },
  destructive: false,
  cluster: false,
  impl: lint,
});
