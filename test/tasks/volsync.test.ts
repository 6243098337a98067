import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';
import { get, RS, snapshots, tree } from '../lab/volsync-helpers.ts';

type TestLab = Awaited<ReturnType<typeof withLab>>;
const deployReplicas = (lab: TestLab) => (get(lab, 'deployments.apps', 'apps', 'paperless') as { spec: { replicas: number } }).spec.replicas;
const suspended = (lab: TestLab, resource: string, ns: string) => (get(lab, resource, ns, 'paperless') as { spec: { suspend?: boolean } }).spec.suspend === true;
const KS = 'kustomizations.kustomize.toolkit.fluxcd.io';
const HR = 'helmreleases.helm.toolkit.fluxcd.io';

describe('VolSync tasks against the lab (real restic)', () => {
  let lab: TestLab | undefined;
  afterEach(async () => { await lab?.stop(); lab = undefined; });

  it('volsync:snapshot makes a new snapshot that volsync:list shows; the schedule is kept', async () => {
    lab = await withLab();
    const before = await snapshots(lab, 'paperless');
    const r = await lab.run(['volsync:snapshot', '--app', 'paperless', '--timeout', '60s']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^apps\/paperless: backup Successful at /);
    // retain {hourly: 24} keeps one snapshot per hour: the new one replaces this hour's older one
    const after = await snapshots(lab, 'paperless');
    const newest = after.sort((a, b) => Date.parse(b.time) - Date.parse(a.time))[0]!;
    expect(before.map((s) => s.id)).not.toContain(newest.id);
    const rs = get(lab, RS, 'apps', 'paperless') as { spec: { trigger: { manual?: string; schedule?: string } } };
    expect(rs.spec.trigger).toEqual({ schedule: '0 * * * *' });
    const list = await lab.run(['volsync:list', '--app', 'paperless']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(` ${newest.short_id} `);
    expect(list.stdout.split('\n').filter((l) => / volsync /.test(l))).toHaveLength(after.length);
    const password = lab.volsync.repository('paperless').RESTIC_PASSWORD!;
    for (const t of [r.stdout, r.stderr, JSON.stringify(r.record), list.stdout, list.stderr, JSON.stringify(list.record)]) expect(t).not.toContain(password);
  });

  it('volsync:restore brings back the exact bytes after the volume was damaged; app and Flux are put back', async () => {
    lab = await withLab();
    const vol = lab.volumePath('apps', 'paperless');
    const good = await tree(vol);
    await writeFile(join(vol, 'config/app.db'), 'garbage');
    await rm(join(vol, '.rackhand-sentinel'));
    await writeFile(join(vol, 'junk.txt'), 'not in the backup');
    const r = await lab.run(['volsync:restore', '--app', 'paperless', '--yes', '--confirm-cluster', 'lab', '--timeout', '60s']);
    expect(r.code).toBe(0);
    expect(await tree(vol)).toEqual(good);
    // the owner found from the Deployment (Helm release annotations -> HelmRelease -> the Kustomization that applied it)
    expect(r.record!.data.gitopsOwner).toBe('Flux Kustomization flux-system/paperless, HelmRelease apps/paperless');
    expect(r.record!.steps.slice(0, 2).map((s) => s.title)).toEqual(['suspend Kustomization flux-system/paperless', 'suspend HelmRelease apps/paperless']);
    expect(deployReplicas(lab)).toBe(1);
    expect(suspended(lab, KS, 'flux-system')).toBe(false);
    expect(suspended(lab, HR, 'apps')).toBe(false);
    expect(get(lab, 'replicationdestinations.volsync.backube', 'apps', 'paperless-rackhand-restore')).toBeUndefined();
    expect((get(lab, RS, 'apps', 'paperless') as { spec: { paused?: boolean } }).spec.paused).toBe(false);
    const kinds = lab.events.map((e) => e.type);
    expect(kinds.indexOf('flux-suspended')).toBeLessThan(kinds.indexOf('volsync-restore-start'));
    expect(r.record!.steps.every((s) => s.status === 'done')).toBe(true);
  });

});
