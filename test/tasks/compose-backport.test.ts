// compose:backport against the compose lab: accepted hand edits of docker1 become a branch of the apps repository
// with one conventional commit per service, changing exactly the accepted fields in place (comments, anchors and
// formatting kept), an image tag set through .env changed in .env; a secret is never written; main and the
// operator's checkout stay as they were; --push pushes the branch only; a drift against the branch is gone.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startComposeLab, type ComposeLab } from '../../lab/compose/index.ts';
import { cli } from '../helpers/cli.ts';

const run = promisify(execFile);

describe('compose:backport', () => {
  let lab: ComposeLab;
  let env: Record<string, string | undefined>;
  let remote: string;
  const git = async (repo: string, ...args: string[]) => (await run('git', ['-C', repo, ...args])).stdout.trim();
  beforeAll(async () => {
    lab = await startComposeLab();
    env = { ...process.env, RACKHAND_CONFIG: lab.configPath, RACKHAND_STATE_DIR: `${lab.dir}/.rackhand`, CI: 'true', GIT_AUTHOR_NAME: 'Operator', GIT_AUTHOR_EMAIL: 'op@home.arpa', GIT_COMMITTER_NAME: 'Operator', GIT_COMMITTER_EMAIL: 'op@home.arpa' };
    remote = `${lab.dir}/apps-remote.git`;
    await run('git', ['init', '-q', '--bare', '-b', 'main', remote]);
    await git(lab.repos.apps, 'remote', 'add', 'origin', remote);
    await git(lab.repos.apps, 'push', '-q', 'origin', 'main');
    lab.faults.editTag('docker1', 'sonarr', 'lscr.io/linuxserver/sonarr:4.0.10');
    lab.faults.addLabel('docker1', 'radarr', 'traefik.enable', 'true');
    lab.faults.moveVolume('docker1', 'radarr', '/config', '/mnt/ssd/radarr');
    lab.faults.setEnv('docker1', 'radarr', 'TZ', 'UTC');
    lab.faults.setEnv('docker1', 'radarr', 'RADARR__AUTH__APIKEY', 'hand-set-api-key');
    lab.faults.removeService('docker1', 'jellyfin');
  }, 60_000);
  afterAll(async () => { await lab?.stop(); });

  it('--dry-run shows the git commands and makes no branch', async () => {
    const r = await cli(['compose:backport', '--host', 'docker1', '--accept', 'critical,warning', '--dry-run'], { env, cwd: lab.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\[dry-run\] git -C \S+ worktree add -q -b rackhand\/backport-docker1-\S+/);
    expect(await git(lab.repos.apps, 'branch', '--list', 'rackhand/*')).toBe('');
  });

  it('a branch with one commit per service, the accepted fields changed in place, pushed; main untouched', async () => {
    const mainBefore = await git(lab.repos.apps, 'rev-parse', 'main');
    const r = await cli(['compose:backport', '--host', 'docker1', '--accept', 'critical,warning', '--push'], { env, cwd: lab.dir });
    expect(r.code, r.stderr).toBe(0);
    const branch = await git(lab.repos.apps, 'branch', '--list', 'rackhand/*', '--format=%(refname:short)');
    expect(branch).toMatch(/^rackhand\/backport-docker1-\d{8}-\d{6}$/);
    expect(await git(lab.repos.apps, 'rev-parse', 'main')).toBe(mainBefore);
    expect(await git(lab.repos.apps, 'status', '--porcelain')).toBe('');
    expect(await git(lab.repos.apps, 'log', '--format=%s|%an', `main..${branch}`)).toBe([
      'fix(media/sonarr): take image as running on docker1|Operator',
      'fix(media/radarr): take environment, labels, volumes as running on docker1|Operator',
    ].join('\n'));
    const diff = await git(lab.repos.apps, 'diff', '-U0', 'main', branch);
    const changed = diff.split('\n').filter((l) => /^[+-](?![+-])/.test(l));
    expect(changed).toEqual([
      '-SONARR_TAG=4.0.9', '+SONARR_TAG=4.0.10',
      '-      - ./config/radarr:/config', '+      - /mnt/ssd/radarr:/config',
      // the anchor's environment copied onto radarr before TZ changes (a YAML merge is shallow)
      '+    environment:', '+      PUID: "1000"', '+      PGID: "1000"', '+      TZ: UTC',
      '+    labels:', '+      traefik.enable: "true"',
    ]);
    expect(diff).not.toContain('hand-set-api-key');
    // pushed: the remote has the branch, its main is what it was
    expect(await git(remote, 'rev-parse', branch)).toBe(await git(lab.repos.apps, 'rev-parse', branch));
    expect(await git(remote, 'rev-parse', 'main')).toBe(mainBefore);
    // the pull-request text lists each change and what was left alone
    expect(r.stdout).toContain('- `environment.TZ` in `media/compose.yaml`: Europe/Berlin → UTC');
    expect(r.stdout).toMatch(/media\/radarr `environment.RADARR__AUTH__APIKEY`: RADARR__AUTH__APIKEY is a secret: never written to Git/);
    expect(r.stdout).toMatch(/media\/jellyfin `service`: in Git, not running/);
    expect(r.stdout + r.stderr + JSON.stringify(r.record)).not.toContain('hand-set-api-key');
    expect(lab.mutations).toEqual([]);

    // compared with the branch, only what was not accepted is left
    const text = await readFile(lab.configPath, 'utf8');
    await writeFile(lab.configPath, text.replace(`apps: { path: ${lab.repos.apps} }`, `apps: { path: ${lab.repos.apps}, ref: ${branch} }`));
    try {
      const d = await cli(['compose:drift', '--host', 'docker1'], { env, cwd: lab.dir });
      const left = (d.record!.data.drift as { hosts: { findings: { service: string; field: string }[] }[] }).hosts[0]!.findings.map((f) => `${f.service} ${f.field}`);
      expect(left).toEqual(['radarr environment.RADARR__AUTH__APIKEY', 'jellyfin service']);
    } finally {
      await writeFile(lab.configPath, text);
    }
  });

  it('asks one difference at a time without --accept: a yes is written, a no is not', async () => {
    // a lab of its own with two differences, so that the two questions are the only ones
    const own = await startComposeLab();
    try {
      own.faults.addLabel('docker1', 'radarr', 'traefik.enable', 'true');
      own.faults.setEnv('docker1', 'sonarr', 'TZ', 'UTC');
      const e = { ...env, RACKHAND_CONFIG: own.configPath, RACKHAND_STATE_DIR: `${own.dir}/.rackhand` };
      const r = await cli(['compose:backport', '--host', 'docker1'], { env: e, cwd: own.dir, typed: ['y', 'n'] });
      expect(r.code, r.stderr).toBe(0);
      // eslint-disable-next-line no-control-regex
      const shown = r.stderr.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\s+/g, ' ');
      expect(shown).toContain('warning: media/radarr labels.traefik.enable: Git (none) -> running true. Write the running value into Git?');
      const branch = await git(own.repos.apps, 'branch', '--list', 'rackhand/*', '--format=%(refname:short)');
      expect(await git(own.repos.apps, 'log', '--format=%s', `main..${branch}`)).toBe('fix(media/radarr): take labels as running on docker1');
    } finally {
      await own.stop();
    }
  }, 60_000);

  it('Ctrl-C after the branch is made: exit 130, the branch and its worktree are gone, main untouched', async () => {
    const own = await startComposeLab();
    try {
      own.faults.addLabel('docker1', 'radarr', 'traefik.enable', 'true');
      const e = { ...env, RACKHAND_CONFIG: own.configPath, RACKHAND_STATE_DIR: `${own.dir}/.rackhand` };
      const mainBefore = await git(own.repos.apps, 'rev-parse', 'main');
      const interrupt = new AbortController();
      // as soon as git has made the worktree (and so the branch), the operator presses Ctrl-C
      const poll = setInterval(() => { void git(own.repos.apps, 'worktree', 'list').then((l) => { if (l.split('\n').length > 1) interrupt.abort(); }, () => undefined); }, 5);
      const r = await cli(['compose:backport', '--host', 'docker1', '--accept', 'warning'], { env: e, cwd: own.dir, interrupt });
      clearInterval(poll);
      expect(r.code).toBe(130);
      expect(await git(own.repos.apps, 'branch', '--list', 'rackhand/*')).toBe('');
      expect((await git(own.repos.apps, 'worktree', 'list')).split('\n')).toHaveLength(1);
      expect(await git(own.repos.apps, 'rev-parse', 'main')).toBe(mainBefore);
    } finally {
      await own.stop();
    }
  }, 60_000);

  it('bad --accept is refused before anything runs (exit 2)', async () => {
    const r = await cli(['compose:backport', '--host', 'docker1', '--accept', 'critical,urgent'], { env, cwd: lab.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--accept: expected severities from critical,warning,info separated by commas, got "urgent"');
  });
});
