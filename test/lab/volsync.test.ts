// VolSync's restic mover in the lab, through the real kubectl and the real restic: backups on a manual trigger,
// restores that bring back the exact bytes, snapshot selection, the empty-repository trap and Multi-Attach.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/lab.js';
import { selectSnapshot } from '../../lab/volsync/select.js';
import { closeLab, json, ok, openLab, until } from './kubectl.js';
import { apply, get, patch, RD, restoreDestination, RS, snapshots, tree, waitFailed, waitSynced } from './volsync-helpers.js';

let lab: Lab;
beforeAll(async () => { lab = await openLab({ moverRetryMs: 600 }); });
afterAll(async () => closeLab(lab));

const podsOf = (app: string) => lab.store.list('pods', { namespace: 'apps', labelSelector: `app.kubernetes.io/name=${app}` }).items;

describe('VolSync restic mover (real restic)', () => {
  it('the default topology: paperless PVC folder seeded, repository with one host-volsync snapshot, source waiting for its schedule', async () => {
    expect(lab.volumePath('apps', 'paperless')).toBe(join(lab.dir, 'volumes', 'apps', 'paperless'));
    const files = await tree(lab.volumePath('apps', 'paperless'));
    expect(Object.keys(files)).toContain('.rackhand-sentinel');
    const secret = await json(lab, 'get', 'secret', 'paperless-volsync-secret', '-n', 'apps');
    expect(Buffer.from(secret.data.RESTIC_REPOSITORY, 'base64').toString()).toBe(join(lab.dir, 'repos', 'apps-paperless'));
    expect(Buffer.from(secret.data.RESTIC_PASSWORD, 'base64').toString()).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const snaps = await snapshots(lab, 'paperless');
    expect(snaps.map((s) => s.hostname)).toEqual(['volsync']);
    const rs = await json(lab, 'get', 'replicationsource', 'paperless', '-n', 'apps');
    expect(rs.status).toMatchObject({ latestMoverStatus: { result: 'Successful' }, conditions: [{ type: 'Synchronizing', reason: 'WaitingForSchedule' }] });
    expect(rs.status.latestMoverStatus.logs).toContain(`snapshot ${snaps[0]!.short_id} saved`);
    expect(Date.parse(rs.status.nextSyncTime) % 3_600_000).toBe(0);
  });

  it('a new spec.trigger.manual runs a backup: the Job exists meanwhile, then lastManualSync and a new snapshot', async () => {
    const before = (await snapshots(lab, 'paperless')).map((s) => s.id);
    await writeFile(join(lab.volumePath('apps', 'paperless'), 'new-document.txt'), 'scanned after the seed\n');
    await patch(lab, 'replicationsource', 'apps', 'paperless', { spec: { trigger: { manual: 'snap-1' } } });
    await until('mover Job', () => !!get(lab, 'jobs.batch', 'apps', 'volsync-src-paperless'));
    const job = get(lab, 'jobs.batch', 'apps', 'volsync-src-paperless')!;
    expect(job.metadata.labels).toMatchObject({ 'app.kubernetes.io/created-by': 'volsync' });
    expect(job.status.active).toBe(1);
    const rs = await waitSynced(lab, RS, 'apps', 'paperless', 'snap-1');
    expect(get(lab, 'jobs.batch', 'apps', 'volsync-src-paperless')).toBeUndefined();
    expect(rs.status.lastSyncDuration).toMatch(/^\d+(\.\d+)?(ms|s)$/);
    expect(rs.status.conditions[0]).toMatchObject({ reason: 'WaitingForManual', status: 'False' });
    const after = await snapshots(lab, 'paperless');
    const newest = after.sort((a, b) => b.time.localeCompare(a.time))[0]!;
    expect(before).not.toContain(newest.id);
    expect(newest.hostname).toBe('volsync');
    expect(rs.status.latestMoverStatus).toEqual({ result: 'Successful', logs: expect.stringContaining(`snapshot ${newest.short_id} saved`) });
    expect(rs.status.latestMoverStatus.logs).toMatch(/Restic completed in \d+s/);
    // retain hourly 24 / daily 7: restic forget keeps the newest snapshot of the hour
    expect(after).toHaveLength(1);
    expect(lab.events.filter((e) => e.object === 'apps/paperless' && e.type.startsWith('volsync-backup')).map((e) => e.type)).toEqual(['volsync-backup-start', 'volsync-backup-done']);
  });

  it('a restore fails like Multi-Attach while the app runs, retries, and brings back the exact bytes once it is scaled to 0', async () => {
    const dir = lab.volumePath('apps', 'paperless');
    const want = await tree(dir);
    // corrupt: a file gone, the sentinel changed, junk added
    await rm(join(dir, 'media/documents/originals/0000002.pdf'));
    await writeFile(join(dir, '.rackhand-sentinel'), 'garbage\n');
    await writeFile(join(dir, 'junk.tmp'), 'junk');
    await apply(lab, restoreDestination('paperless-restore', 'apps', { repository: 'paperless-volsync-secret', destinationPVC: 'paperless', enableFileDeletion: true }, 'r1'));
    const failed = await waitFailed(lab, RD, 'apps', 'paperless-restore');
    expect(failed.status.latestMoverStatus.logs).toMatch(/Multi-Attach error for volume "pvc-[^"]+" Volume is already used by pod\(s\) paperless-/);
    expect(get(lab, 'jobs.batch', 'apps', 'volsync-dst-paperless-restore')?.status.failed).toBeGreaterThanOrEqual(1);
    // the community order: suspend Flux, scale to 0, wait for the pods to go
    await patch(lab, 'helmrelease', 'apps', 'paperless', { spec: { suspend: true } });
    await ok(lab, 'scale', 'deployment', 'paperless', '-n', 'apps', '--replicas', '0');
    await until('paperless pods gone', () => podsOf('paperless').length === 0);
    const rd = await waitSynced(lab, RD, 'apps', 'paperless-restore', 'r1');
    expect(rd.status.latestMoverStatus.result).toBe('Successful');
    expect(rd.status.latestMoverStatus.logs).toContain('RESTORE_OPTIONS: --delete');
    expect(rd.status.latestMoverStatus.logs).toMatch(/^restoring /m);
    expect(rd.status.latestImage).toBeUndefined();
    expect(await tree(dir)).toEqual(want);
    expect(get(lab, 'jobs.batch', 'apps', 'volsync-dst-paperless-restore')).toBeUndefined();
    expect(lab.events.map((e) => e.type)).toEqual(expect.arrayContaining(['volsync-restore-failed', 'volsync-restore-done', 'flux-suspended']));
  });

  it('previous and restoreAsOf pick the snapshot the way the mover script does', async () => {
    const app = await lab.volsync.addApp({ name: 'wiki', replicas: 0, snapshots: 1, retain: { last: 10 }, files: { 'page.md': 'v1\n' } });
    const dir = lab.volumePath('apps', 'wiki');
    for (const v of ['v2', 'v3']) {
      await writeFile(join(dir, 'page.md'), `${v}\n`);
      await patch(lab, 'replicationsource', 'apps', 'wiki', { spec: { trigger: { manual: v } } });
      await waitSynced(lab, RS, 'apps', 'wiki', v);
    }
    expect(app.repository).toBe(join(lab.dir, 'repos', 'apps-wiki'));
    const snaps = (await snapshots(lab, 'wiki')).sort((a, b) => a.time.localeCompare(b.time));
    expect(snaps).toHaveLength(3);
    // the script compares whole seconds: each mover run takes longer than one
    expect(new Set(snaps.map((s) => s.time.slice(0, 19))).size).toBe(3);
    const { readFile } = await import('node:fs/promises');
    await apply(lab, restoreDestination('wiki-prev', 'apps', { repository: 'wiki-volsync-secret', destinationPVC: 'wiki', previous: 1 }, 'p1'));
    await waitSynced(lab, RD, 'apps', 'wiki-prev', 'p1');
    expect(await readFile(join(dir, 'page.md'), 'utf8')).toBe('v2\n');
    await apply(lab, restoreDestination('wiki-asof', 'apps', { repository: 'wiki-volsync-secret', destinationPVC: 'wiki', restoreAsOf: snaps[1]!.time.replace(/\.\d+/, ''), previous: 1 }, 'a1'));
    await waitSynced(lab, RD, 'apps', 'wiki-asof', 'a1');
    expect(await readFile(join(dir, 'page.md'), 'utf8')).toBe('v1\n');
  });

  it('selection table: newest first, restoreAsOf, previous, host volsync only', () => {
    const s = (id: string, time: string, hostname = 'volsync') => ({ id, time, hostname, paths: ['/data'] });
    const all = [s('a', '2025-01-01T10:00:00Z'), s('b', '2025-01-01T11:00:00Z'), s('c', '2025-01-01T12:00:00Z'), s('x', '2025-01-01T13:00:00Z', 'laptop')];
    const pick = (o: { previous?: number; restoreAsOf?: string }) => selectSnapshot(all, { host: 'volsync', ...o })?.id;
    expect(pick({})).toBe('c');
    expect(pick({ previous: 1 })).toBe('b');
    expect(pick({ previous: 3 })).toBeUndefined();
    expect(pick({ restoreAsOf: '2025-01-01T11:30:00Z' })).toBe('b');
    expect(pick({ restoreAsOf: '2025-01-01T11:00:00Z', previous: 1 })).toBe('a');
    expect(pick({ restoreAsOf: '2025-01-01T09:00:00Z' })).toBeUndefined();
  });

  it('an empty or missing repository restores nothing and still reports Successful ("No eligible snapshots found")', async () => {
    await lab.volsync.addApp({ name: 'notes', replicas: 0, paused: true, files: { 'keep.txt': 'local data\n' } });
    await lab.volsync.addApp({ name: 'photos', replicas: 0, paused: true, initRepo: false });
    await apply(lab, restoreDestination('notes-restore', 'apps', { repository: 'notes-volsync-secret', capacity: '2Gi', accessModes: ['ReadWriteOnce'] }, 'n1'));
    await apply(lab, restoreDestination('photos-restore', 'apps', { repository: 'photos-volsync-secret', destinationPVC: 'photos' }, 'p1'));
    const [notes, photos] = await Promise.all([waitSynced(lab, RD, 'apps', 'notes-restore', 'n1'), waitSynced(lab, RD, 'apps', 'photos-restore', 'p1')]);
    for (const rd of [notes, photos]) {
      expect(rd.status.latestMoverStatus.result).toBe('Successful');
      expect(rd.status.latestMoverStatus.logs).toContain('No eligible snapshots found');
    }
    expect(photos.status.latestMoverStatus.logs).toContain('=== Initialize Dir ===');
    expect(await snapshots(lab, 'photos')).toEqual([]); // the mover initialised the missing repository
    // destinationPVC omitted: VolSync's own volsync-<rd>-dest PVC
    const pvc = await json(lab, 'get', 'pvc', 'volsync-notes-restore-dest', '-n', 'apps');
    expect(pvc.status.phase).toBe('Bound');
    expect(pvc.spec.resources.requests.storage).toBe('2Gi');
    expect(await tree(lab.volumePath('apps', 'notes'))).toHaveProperty(['keep.txt']);
  });
});
