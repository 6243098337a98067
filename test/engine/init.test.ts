// `rackhand init` in repositories shaped like the corpus: one cluster per talconfig, the bootstrap folder given to the
// cluster it belongs to, every guess marked, the result loadable; with --kubeconfig the live cluster is read too.
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { cli } from '../helpers/cli.ts';
import { withLab } from '../helpers/lab.ts';

const env = (repo: string) => ({ ...process.env, CI: 'true', RACKHAND_CACHE_DIR: join(repo, '.cache'), RACKHAND_STATE_DIR: join(repo, '.rackhand'), RACKHAND_CONFIG: join(repo, 'rackhand.yaml') });

describe('init', () => {
  it('joryirving-shaped repository: two clusters, the bootstrap folder only for the cluster it sits in, guesses marked', async () => {
    const repo = await mkdtemp(join(tmpdir(), 'rh-init-'));
    await cp('test/fixtures/real-world/joryirving-home-ops', repo, { recursive: true });
    const dry = await cli(['init', '--dry-run'], { env: env(repo), cwd: repo });
    expect(dry.code, dry.stderr).toBe(0);
    expect(existsSync(join(repo, 'rackhand.yaml'))).toBe(false);
    expect(dry.stdout).toContain('  main:\n    distribution: talos\n');
    const r = await cli(['init'], { env: env(repo), cwd: repo });
    expect(r.code, r.stderr).toBe(0);
    const text = await readFile(join(repo, 'rackhand.yaml'), 'utf8');
    expect(text).toMatch(/^ {4}bootstrap: "\.\/kubernetes\/main\/bootstrap" +# GUESS/m);
    expect(text.match(/bootstrap:/g)).toHaveLength(1);
    expect(text).toMatch(/^ {4}apiServer: "https:\/\/10\.69\.1\.40:6443"/m);
    expect(r.record!.data.guesses).toEqual(expect.arrayContaining(['main: context guessed as admin@main', 'utility: kubeconfig guessed as ~/.kube/config']));
    const config = await loadConfig(join(repo, 'rackhand.yaml'), { cluster: 'main' }, {});
    expect(config.clusters.get('main')!.nodes.map((n) => n.name)).toEqual(['marvin', 'trillian', 'zaphod', 'arthur']);
    const again = await cli(['init'], { env: env(repo), cwd: repo });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('rackhand.yaml exists (--force to overwrite it');
  });

  it('cluster-template-shaped repository with a kubeconfig: the live cluster\'s Flux and VolSync apps are noted', async () => {
    const lab = await withLab();
    try {
      const repo = await mkdtemp(join(tmpdir(), 'rh-init-'));
      await cp('test/fixtures/real-world/cluster-template', repo, { recursive: true });
      const r = await cli(['init', '--kubeconfig', lab.kubeconfigPath], { env: env(repo), cwd: repo });
      expect(r.code, r.stderr).toBe(0);
      const text = await readFile(join(repo, 'rackhand.yaml'), 'utf8');
      expect(text).toContain('# VolSync apps (volsync:restore --app NAME): apps/paperless (restic)');
      expect(text).toMatch(/^# Flux Kustomizations in the cluster: \d+ \(flux-system\//m);
      expect(text).toMatch(/^ {2}kubernetes:\n/m);
      expect(text).toMatch(/^ {4}bootstrap: "\.\/bootstrap"/m);
    } finally {
      await lab.stop();
    }
  });
});
