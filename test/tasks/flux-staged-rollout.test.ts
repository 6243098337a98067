// flux:override-staged-rollout with a real git remote (lab.gitRepo: a bare repository and a clone in the lab's folder) and the Flux lab's
// GitRepository following `release`: the commits main has and release lacks are shown, release is fast-forwarded on
// the remote (no force), the GitRepository reconciled; a re-run has nothing to do; a release branch with its own
// commit is refused in preflight (exit 3) with the remote untouched.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabGitRepo } from '../../lab/git.ts';
import { withLab } from '../helpers/lab.ts';

const FLUX = fileURLToPath(new URL('../../lab/topologies/flux.yaml', import.meta.url));
const GITREPO = 'gitrepositories.source.toolkit.fluxcd.io';

describe('flux:override-staged-rollout', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  let repo: LabGitRepo;
  beforeAll(async () => {
    lab = await withLab({ topology: FLUX });
    repo = await lab.gitRepo('home-ops');
    await repo.commit('a.txt', 'feat: first');
    await repo.git('push', '-q', 'origin', 'main', 'main:release');
    await repo.commit('b.txt', 'feat(gatus): v5.18.0');
    await repo.commit('c.txt', 'fix: probe timeout');
    await repo.git('push', '-q', 'origin', 'main');
    const gitrepo = lab.store.get(GITREPO, 'flux-system', 'flux-system');
    lab.store.update(GITREPO, { ...gitrepo, spec: { ...gitrepo.spec, ref: { branch: 'release' } } });
  });
  afterAll(async () => { await lab?.stop(); });
  const clone = () => repo.clone;
  const remoteBranch = (b: string) => repo.remoteBranch(b);

  it('shows the commits, fast-forwards release on the remote, reconciles the GitRepository; a re-run does nothing', async () => {
    const main = await remoteBranch('main');
    const dry = await lab.run(['flux:override-staged-rollout', '--cluster', 'lab', '--repo', clone(), '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toMatch(/commits origin\/release would get \(oldest first\):\n\s+\w+ feat\(gatus\): v5\.18\.0\n\s+\w+ fix: probe timeout/);
    expect(await remoteBranch('release')).not.toBe(main);
    const before = lab.events.length;
    const r = await lab.run(['flux:override-staged-rollout', '--cluster', 'lab', '--repo', clone(), '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(await remoteBranch('release')).toBe(main);
    expect(r.record!.commands.some((c) => c.argv.includes('push') && !c.argv.some((a) => a.startsWith('--force') || a.startsWith('+')))).toBe(true);
    expect(lab.events.slice(before).filter((e) => e.type === 'flux-reconciled').map((e) => e.object)).toContain('gitrepository/flux-system/flux-system');
    const again = await lab.run(['flux:override-staged-rollout', '--cluster', 'lab', '--repo', clone(), '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.record!.steps[0]!.status).toBe('skipped');
  });

  it('a release branch with a commit main lacks is refused before anything changes (no forced push)', async () => {
    await repo.git('checkout', '-q', '-b', 'hotfix', 'origin/release');
    await repo.commit('d.txt', 'fix: hotfix only on release');
    await repo.git('push', '-q', 'origin', 'hotfix:release');
    const release = await remoteBranch('release');
    const r = await lab.run(['flux:override-staged-rollout', '--cluster', 'lab', '--repo', clone(), '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('origin/release has commits origin/main does not: not a fast-forward');
    expect(await remoteBranch('release')).toBe(release);
  });
});
