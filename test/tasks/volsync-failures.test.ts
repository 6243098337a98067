// VolSync tasks against the lab, when things go wrong: a mover that keeps failing, an empty repository, a wrong
// password and a stale lock, stale sources (the happy paths are in volsync.test.ts).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';
import { get } from '../lab/volsync-helpers.ts';

type TestLab = Awaited<ReturnType<typeof withLab>>;
const deployReplicas = (lab: TestLab) => (get(lab, 'deployments.apps', 'apps', 'paperless') as { spec: { replicas: number } }).spec.replicas;
const suspended = (lab: TestLab, resource: string, ns: string) => (get(lab, resource, ns, 'paperless') as { spec: { suspend?: boolean } }).spec.suspend === true;
const KS = 'kustomizations.kustomize.toolkit.fluxcd.io';
const HR = 'helmreleases.helm.toolkit.fluxcd.io';

describe('VolSync tasks against the lab (real restic)', () => {
  let lab: TestLab | undefined;
  afterEach(async () => { await lab?.stop(); lab = undefined; });
  it('a mover that keeps failing mid-restore: exit 1, Flux resumed and replicas restored; the re-run succeeds', async () => {
    lab = await withLab({ moverRetryMs: 300 });
    lab.faults.moverFails('paperless', { times: 1000 });
    const r = await lab.run(['volsync:restore', '--app', 'paperless', '--yes', '--confirm-cluster', 'lab', '--timeout', '5s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/gave up waiting for ReplicationDestination apps\/paperless-rackhand-restore to finish/);
    expect(deployReplicas(lab)).toBe(1);
    expect(suspended(lab, KS, 'flux-system')).toBe(false);
    expect(suspended(lab, HR, 'apps')).toBe(false);
    expect(r.record!.steps.filter((s) => s.status === 'undone').map((s) => s.title)).toEqual(expect.arrayContaining([
      'suspend Kustomization flux-system/paperless', 'suspend HelmRelease apps/paperless', 'scale deployment/paperless to 0']));
    lab.faults.clearFaults();
    const again = await lab.run(['volsync:restore', '--app', 'paperless', '--yes', '--confirm-cluster', 'lab', '--timeout', '60s']);
    expect(again.code).toBe(0);
    expect(await readFile(join(lab.volumePath('apps', 'paperless'), '.rackhand-sentinel'), 'utf8')).toBe('rackhand-sentinel apps/paperless v1\n');
  });

  it('an empty repository is never a successful restore: refused before anything changes', async () => {
    lab = await withLab();
    await lab.volsync.addApp({ name: 'empty', snapshots: 0, paused: true, replicas: 0 });
    const r = await lab.run(['volsync:restore', '--app', 'empty', '--yes', '--confirm-cluster', 'lab']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('no snapshot of empty matches (latest; 0 in the repository): the mover would restore NOTHING');
    expect(r.record!.commands.filter((c) => c.mutating)).toEqual([]);
  });

  it('a wrong password names the app and refuses; a stale lock is cleared by volsync:unlock', async () => {
    lab = await withLab();
    lab.faults.wrongPassword('paperless');
    const r = await lab.run(['volsync:restore', '--app', 'paperless', '--yes', '--confirm-cluster', 'lab']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('apps/paperless: repository paperless-volsync-secret: wrong password');
    lab.faults.clearFaults();

    await lab.faults.resticLocked('paperless');
    const locked = await lab.run(['volsync:snapshot', '--app', 'paperless', '--timeout', '6s']);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toContain('repository is already locked');
    expect(locked.stderr).toContain('next: npx tsx tasks volsync:unlock --app paperless --namespace apps');
    const unlock = await lab.run(['volsync:unlock', '--app', 'paperless', '--yes', '--timeout', '60s']);
    expect(unlock.code).toBe(0);
    const after = await lab.run(['volsync:snapshot', '--app', 'paperless', '--timeout', '60s']);
    expect(after.code).toBe(0);
  });

  it('volsync:status lists sources and flags stale ones (exit 1)', async () => {
    lab = await withLab();
    const fresh = await lab.run(['volsync:status']);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toMatch(/^apps +paperless +\S+ +\S+ +Successful/m);
    await new Promise((res) => setTimeout(res, 1_100));
    const stale = await lab.run(['volsync:status', '--max-age', '1s']);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toMatch(/paperless .*STALE/);
  });
});
