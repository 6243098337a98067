// compose:lint against the compose lab's Git repositories: the lab's own stacks break one convention (a committed .env
// holding the database password); a stack committed for the test breaks the rest, each reported as file:line.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startComposeLab, type ComposeLab } from '../../lab/compose/index.ts';
import { unpinned } from '../../lib/compose/lint.ts';
import { cli } from '../helpers/cli.ts';

const git = promisify(execFile);

describe('compose:lint', () => {
  let lab: ComposeLab;
  let env: Record<string, string | undefined>;
  beforeAll(async () => {
    lab = await startComposeLab();
    env = { ...process.env, RACKHAND_CONFIG: lab.configPath, RACKHAND_STATE_DIR: `${lab.dir}/.rackhand`, CI: 'true' };
  }, 60_000);
  afterAll(async () => { await lab?.stop(); });

  it('names what is pinned and what floats', () => {
    expect(unpinned('lscr.io/linuxserver/sonarr:4.0.9')).toBeUndefined();
    expect(unpinned('traefik:v3.1.6')).toBeUndefined();
    expect(unpinned(`ghcr.io/a/b@sha256:${'a'.repeat(64)}`)).toBeUndefined();
    expect(unpinned('nginx')).toBe('no tag: it means latest');
    expect(unpinned('ghcr.io/x/y:latest')).toBe('tag "latest" moves');
    expect(unpinned('postgres:16')).toMatch(/major version only/);
    expect(unpinned('localhost:5000/app')).toBe('no tag: it means latest');
  });

  it('reports every breach as repo/file:line, exit 2; the hosts are only read', async () => {
    const dir = join(lab.repos.apps, 'homepage');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'compose.yaml'), [
      'version: "3.8"',
      'services:',
      '  homepage:',
      '    image: ghcr.io/gethomepage/homepage:latest',
      '    env_file: homepage.env',
      '    environment:',
      '      HOMEPAGE_VAR_API_KEY: abc123',
      '      HOMEPAGE_VAR_TOKEN: ${TOKEN}',
      '  db:',
      '    image: postgres:16',
      '',
    ].join('\n'));
    await writeFile(join(dir, 'homepage.env'), 'PUID=1000\n');
    await git('git', ['-C', lab.repos.apps, '-c', 'user.name=t', '-c', 'user.email=t@t.invalid', 'add', '-A']);
    await git('git', ['-C', lab.repos.apps, '-c', 'user.name=t', '-c', 'user.email=t@t.invalid', 'commit', '-q', '-m', 'homepage']);
    const r = await cli(['compose:lint'], { env, cwd: lab.dir });
    expect(r.code).toBe(2);
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      'apps/homepage/compose.yaml:1: version-key: the top-level version: key is obsolete (Compose ignores it): remove it',
      'apps/homepage/compose.yaml:1: stale-stack: no host runs the stack in homepage (checked docker1, docker2): remove it, or deploy it',
      'apps/homepage/compose.yaml:4: unpinned-image: service homepage: image ghcr.io/gethomepage/homepage:latest: tag "latest" moves; pin an exact version or a digest',
      'apps/homepage/compose.yaml:5: env-file-committed: service homepage: env file homepage.env is committed: keep it out of Git (.gitignore) and give it to the host another way',
      'apps/homepage/compose.yaml:7: inline-secret: service homepage: HOMEPAGE_VAR_API_KEY is written in the file: put it in an env file kept out of Git, or a ${VARIABLE}',
      'apps/homepage/compose.yaml:10: unpinned-image: service db: image postgres:16: tag "16" is a major version only: it moves with every release; pin an exact version or a digest',
      'infra/stacks/paperless/.env:1: inline-secret: DB_PASSWORD has its value in a committed .env: keep the .env out of Git (or encrypt it with sops)',
    ]);
    expect(r.stdout + r.stderr).not.toContain('lab-paperless-db-password');
    expect(lab.mutations).toEqual([]);
    // --offline: no host is reached, no stale check
    const off = await cli(['compose:lint', '--offline'], { env, cwd: lab.dir });
    expect(off.code).toBe(2);
    expect(off.stdout).not.toContain('stale-stack');
    expect(off.record!.commands.filter((c) => c.argv[0] === 'ssh')).toEqual([]);
  });
});
