// compose:backport — the drift of one host that the operator accepts, written into Git: per repository a new branch
// (made in a separate worktree, so the operator's checkout is untouched), one conventional commit per service
// editing its compose file in place (comments and order kept: lib/compose/backport.ts), and a pull-request
// description listing each change and why. Pushed only with --push; never merged. Accepted: by severity (--accept),
// by service (--service), or one by one at the prompt.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, UsageError, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { backportService, type ServicePatch, type Skipped } from '../../lib/compose/backport.ts';
import { composeSsh, loadCompose, repoReaders } from '../../lib/compose/config.ts';
import type { Finding } from '../../lib/compose/diff.ts';
import { driftHost, secretMatcher } from '../../lib/compose/drift.ts';
import { loadGitProject } from '../../lib/compose/project.ts';
import { ACCEPT_NEW_HOST_KEY } from '../../lib/k3s/checks.ts';

const SEVERITIES = ['critical', 'warning', 'info'];

function backport() {
  return {
    validate(ctx: TaskContext) {
      const bad = String(ctx.flags.accept ?? '').split(',').filter(Boolean).filter((s) => !SEVERITIES.includes(s));
      if (bad.length) throw new UsageError(`--accept: expected severities from critical,warning,info separated by commas, got "${bad.join(',')}"`);
    },
    async plan(ctx: TaskContext): Promise<Step[]> {
      const host = String(ctx.flags.host);
      const compose = await loadCompose(ctx, host);
      const h = compose.hosts[0]!;
      const ssh = composeSsh(ctx);
      const readers = repoReaders(ctx, compose);
      const drift = await driftHost(ctx, ssh, h, readers, compose.secretKeys);
      const severities = String(ctx.flags.accept ?? '').split(',').filter(Boolean);
      const services = String(ctx.flags.service ?? '').split(',').filter(Boolean);
      const chosen: Finding[] = [];
      for (const f of drift.findings) {
        const byFlag = severities.includes(f.severity) || services.includes(`${f.project}/${f.service}`) || services.includes(f.service);
        if (byFlag) { chosen.push(f); continue; }
        if (severities.length || services.length) continue;
        if (await ctx.confirm(`${f.severity}: ${f.project}/${f.service} ${f.field}: Git ${f.git ?? '(none)'} -> running ${f.running ?? '(none)'}. Write the running value into Git?`)) chosen.push(f);
      }
      const isSecret = secretMatcher(compose.secretKeys);
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '').replace('T', '-');
      const branch = `rackhand/backport-${host}-${stamp}`;
      const byRepo = new Map<string, { patches: (ServicePatch & { project: string })[] }>();
      const skipped: Skipped[] = [];
      for (const p of drift.projects) {
        const mine = chosen.filter((f) => f.project === p.name);
        if (!mine.length) continue;
        if (!p.repo || !p.files) { skipped.push(...mine.map((finding) => ({ finding, reason: 'the project is in none of the host\'s sources' }))); continue; }
        const reader = readers.get(p.repo)!;
        const project = await loadGitProject((f) => reader.read(f), p.name, p.files);
        const texts: Record<string, string> = {};
        for (const f of [...project.files, `${project.dir}/.env`]) { const t = await reader.read(f); if (t !== undefined) texts[f] = t; }
        for (const service of [...new Set(mine.map((f) => f.service))].sort()) {
          const r = backportService({ project, service, hostDir: p.workingDir!, findings: mine.filter((f) => f.service === service), texts, isSecret });
          skipped.push(...r.skipped);
          if (r.patch) {
            // several services of one project may edit one file: each builds on the text the previous one wrote
            Object.assign(texts, r.patch.files);
            const repo = byRepo.get(p.repo) ?? { patches: [] };
            repo.patches.push({ ...r.patch, project: p.name });
            byRepo.set(p.repo, repo);
          }
        }
      }
      skipped.push(...chosen.filter((f) => !drift.projects.some((p) => p.name === f.project)).map((finding) => ({ finding, reason: 'no project in Git to write it to' })));
      ctx.data.backport = { host, branch, repos: [...byRepo].map(([repo, r]) => ({ repo, changes: r.patches.flatMap((p) => p.changes) })), skipped: skipped.map((s) => ({ ...s.finding, reason: s.reason })) };
      if (!byRepo.size) {
        return [{ title: 'nothing to write into Git', mutating: false, async run(rt) { rt.output(chosen.length ? `${skipped.length} accepted difference(s), none can be written back: ${skipped.map((s) => `${s.finding.project}/${s.finding.service} ${s.finding.field}: ${s.reason}`).join('; ')}` : 'no difference accepted'); } }];
      }
      // a branch name not taken yet in each repository (two runs in one second get -2, -3, ...)
      const branches = new Map<string, string>();
      for (const name of byRepo.keys()) {
        let b = branch;
        for (let i = 2; (await ctx.exec.run(['git', '-C', compose.repos[name]!.path, 'show-ref', '--verify', '--quiet', `refs/heads/${b}`], { mutating: false, timeoutMs: 30_000 })).exitCode === 0; i++) b = `${branch}-${i}`;
        branches.set(name, b);
      }
      return [...byRepo].map(([name, r]): Step => {
        const repo = compose.repos[name]!;
        const branch = branches.get(name)!;
        const tree = join(ctx.stateDir, 'compose', 'worktrees', `${name}-${branch.split('/').pop()}`);
        const git = (args: string[], mutating = true) => ctx.exec.run(['git', ...args], { mutating, timeoutMs: 60_000 });
        const must = async (args: string[]) => {
          const x = await git(args);
          if (x.exitCode !== 0) throw new StepFailure(`git ${args.slice(2).join(' ')} in ${name}: ${x.stderr.trim().split('\n').pop()}`, `git -C ${repo.path} status`);
          return x;
        };
        return {
          title: `${name}: branch ${branch} from ${repo.ref}, ${r.patches.length} commit(s) (${r.patches.map((p) => `${p.project}/${p.service}`).join(', ')})${ctx.flags.push ? ', pushed' : ''}`,
          mutating: true,
          // a failure part-way leaves no half-made branch: the worktree and the branch go
          cleanup: async () => {
            await git(['-C', repo.path, 'worktree', 'remove', '--force', tree]);
            await git(['-C', repo.path, 'branch', '-D', branch]);
          },
          byHand: [`git -C ${repo.path} worktree remove --force ${tree}`, `git -C ${repo.path} branch -D ${branch}`],
          async run(rt) {
            await must(['-C', repo.path, 'worktree', 'add', '-q', '-b', branch, tree, repo.ref]);
            for (const p of r.patches) {
              for (const [file, text] of Object.entries(p.files)) {
                if (!ctx.dryRun) { await mkdir(dirname(join(tree, file)), { recursive: true }); await writeFile(join(tree, file), text); }
              }
              await must(['-C', tree, 'add', '--', ...Object.keys(p.files)]);
              const fields = [...new Set(p.changes.map((c) => c.field.replace(/ \(.*$/, '').replace(/\..*$/, '')))].join(', ');
              const body = p.changes.map((c) => `- ${c.field} in ${c.file}: ${c.from ?? '(none)'} -> ${c.to ?? '(removed)'}`).join('\n');
              // Conventional Commits 1.0.0 (conventionalcommits.org): type(scope): description, then a body
              await must(['-C', tree, 'commit', '-q', '-m', `fix(${p.project}/${p.service}): take ${fields} as running on ${host}`, '-m', `${body}\n\nFound by rackhand compose:drift on ${host}; accepted with compose:backport.`]);
              rt.output(`committed ${p.project}/${p.service}: ${fields}`);
            }
            const pr = prText(host, name, branch, r.patches, skipped.filter((s) => r.patches.some((p) => p.project === s.finding.project)));
            const prFile = join(ctx.stateDir, 'compose', `pr-${name}-${branch.split('/').pop()}.md`);
            if (!ctx.dryRun) { await mkdir(dirname(prFile), { recursive: true }); await writeFile(prFile, pr, { mode: 0o600 }); }
            ctx.artifact(`pull request text (${name})`, prFile);
            if (ctx.flags.push) await must(['-C', tree, 'push', '-u', 'origin', branch]);
            await must(['-C', repo.path, 'worktree', 'remove', tree]);
            ctx.out(pr);
          },
        };
      });
    },
  };
}

function prText(host: string, repo: string, branch: string, patches: (ServicePatch & { project: string })[], skipped: Skipped[]): string {
  return [
    `# Take what runs on ${host} into Git (${repo})`, '',
    `Branch \`${branch}\`. Found by \`rackhand compose:drift --host ${host}\`; each change below was accepted with \`compose:backport\`: the running value is what the service should be.`, '',
    '## Changes', '',
    ...patches.flatMap((p) => [`### ${p.project}/${p.service}`, '', ...p.changes.map((c) => `- \`${c.field}\` in \`${c.file}\`: ${c.from ?? '(none)'} → ${c.to ?? '(removed)'}`), '']),
    ...(skipped.length ? ['## Left for a person', '', ...skipped.map((s) => `- ${s.finding.project}/${s.finding.service} \`${s.finding.field}\`: ${s.reason}`), ''] : []),
    'Review, then merge by hand: rackhand never merges.', '',
  ].join('\n');
}

export default defineTask({
  summary: 'accepted compose drift written into Git: a branch per repository, one conventional commit per service (comments kept), a pull-request text; pushed only with --push, never merged',
  example: 'npx tsx tasks compose:backport --host docker1 --accept warning --service sonarr',
  flags: {
    host: { type: 'string', required: true, pattern: /^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/, hint: 'a host of compose.hosts', description: 'the host whose drift is taken into Git' },
    accept: { type: 'string', hint: 'critical,warning,info', description: 'accept every difference of these severities (else: asked one by one)' },
    service: { type: 'string', pattern: /^[\w./,-]+$/, hint: 'service or project/service, comma-separated', description: 'accept every difference of these services' },
    push: { type: 'boolean', description: 'push each branch to origin (never merged)' },
    'accept-new-host-key': ACCEPT_NEW_HOST_KEY,
  },
  destructive: false,
  cluster: false,
  impl: backport,
});
