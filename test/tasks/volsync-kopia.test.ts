// An app backed up by VolSync's kopia mover (perfectra1n/volsync, used by onedr0p/home-ops's volsync component):
// everything that goes through VolSync objects works (snapshot, status, restore); tasks that open the repository
// themselves refuse it clearly (exit 3), naming what to run instead.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TOPOLOGY } from '../../lab/topology.ts';
import { withLab } from '../helpers/lab.ts';
import { get, RS, tree } from '../lab/volsync-helpers.ts';

function topology(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rh-kopia-'));
  writeFileSync(join(dir, 'topology.yaml'), readFileSync(DEFAULT_TOPOLOGY, 'utf8').replace('  - name: paperless\n    namespace: apps\n', '  - name: paperless\n    namespace: apps\n    mover: kopia\n'));
  return join(dir, 'topology.yaml');
}

describe('the kopia mover', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => { lab = await withLab({ topology: topology() }); });
  afterAll(async () => { await lab?.stop(); });

  it('volsync:snapshot triggers a kopia backup and waits for it; volsync:status reads it', async () => {
    const rs = get(lab, RS, 'apps', 'paperless') as { spec: { kopia?: object; restic?: object } };
    expect(rs.spec.kopia).toBeDefined();
    expect(rs.spec.restic).toBeUndefined();
    const r = await lab.run(['volsync:snapshot', '--app', 'paperless', '--timeout', '60s']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^apps\/paperless: backup Successful at /);
    const status = await lab.run(['volsync:status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/apps\s+paperless\s+\d{4}-/);
  });

  it('volsync:restore restores through a kopia ReplicationDestination (sourceIdentity set) and puts the app back', async () => {
    const vol = lab.volumePath('apps', 'paperless');
    const good = await tree(vol);
    await writeFile(join(vol, 'config/app.db'), 'garbage');
    await rm(join(vol, '.rackhand-sentinel'));
    let spec: Record<string, any> | undefined;
    const stop = lab.store.listen((ev) => { if (ev.type === 'ADDED' && ev.resource === 'replicationdestinations.volsync.backube') spec = ev.object.spec; });
    const r = await lab.run(['volsync:restore', '--app', 'paperless', '--yes', '--confirm-cluster', 'lab', '--timeout', '60s']);
    stop();
    expect(r.code, r.stderr).toBe(0);
    expect(spec?.kopia).toMatchObject({ repository: 'paperless-volsync-secret', destinationPVC: 'paperless', copyMethod: 'Direct', sourceIdentity: { sourceName: 'paperless', sourceNamespace: 'apps' } });
    expect(spec?.restic).toBeUndefined();
    expect(await tree(vol)).toEqual(good);
    expect(r.stderr).toContain('with the kopia snapshot VolSync\'s mover picks (the latest; last backup ');
    expect(r.record!.checks.map((c) => [c.name, c.ok])).toEqual(expect.arrayContaining([['restic present', true], ['a snapshot matches the selection', true]]));
    expect((get(lab, 'deployments.apps', 'apps', 'paperless') as { spec: { replicas: number } }).spec.replicas).toBe(1);
    expect((get(lab, RS, 'apps', 'paperless') as { spec: { paused?: boolean } }).spec.paused).toBe(false);
  });

  it('volsync:list and volsync:unlock refuse a kopia repository clearly; dr:verify-backups --all leaves it out, naming it', async () => {
    const list = await lab.run(['volsync:list', '--app', 'paperless']);
    expect(list.code).toBe(3);
    expect(list.stderr).toContain('apps/paperless is backed up by the kopia mover');
    expect(list.stderr).toContain('kopia snapshot list');
    const unlock = await lab.run(['volsync:unlock', '--app', 'paperless', '--yes']);
    expect(unlock.code).toBe(1);
    expect(unlock.stderr).toContain('apps/paperless is backed up by the kopia mover');
    expect(unlock.record!.commands.filter((c) => c.mutating)).toEqual([]);
    const verify = await lab.run(['dr:verify-backups', '--all']);
    expect(verify.stderr).toContain('left out (kopia mover; rackhand opens restic repositories only): apps/paperless');
  });
});
