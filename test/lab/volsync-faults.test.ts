// Restic faults in the lab: a real stale lock (cleared by spec.restic.unlock), a wrong password, a mover that fails
// mid-way (a partially written restore, then a retry that completes), and the /_lab/faults side channel.
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/lab.js';
import { closeLab, openLab, until } from './kubectl.js';
import { apply, get, patch, RD, restic, restoreDestination, RS, tree, waitFailed, waitSynced } from './volsync-helpers.js';

let lab: Lab;
beforeAll(async () => { lab = await openLab({ moverRetryMs: 700 }); });
afterAll(async () => closeLab(lab));

describe('restic faults', () => {
  it('resticLocked leaves a lock restic honours; the source fails and retries until spec.restic.unlock runs restic unlock', async () => {
    await lab.faults.resticLocked('paperless');
    const direct = await restic(lab, 'paperless', 'backup', '--host', 'volsync', lab.volumePath('apps', 'paperless'));
    expect(direct.exitCode).not.toBe(0);
    expect(direct.stderr).toContain('repository is already locked exclusively');
    await patch(lab, 'replicationsource', 'apps', 'paperless', { spec: { trigger: { manual: 'locked-1' } } });
    const failed = await waitFailed(lab, RS, 'apps', 'paperless');
    expect(failed.status.latestMoverStatus.logs).toContain('repository is already locked exclusively');
    expect(failed.status.latestMoverStatus.logs).toMatch(/^ERROR: /m);
    expect(failed.status.lastManualSync).toBeUndefined();
    expect(failed.status.conditions[0]).toMatchObject({ reason: 'SyncInProgress', status: 'True' });
    await until('a failed retry', () => lab.events.filter((e) => e.type === 'volsync-backup-failed').length >= 2); // VolSync retries forever
    await patch(lab, 'replicationsource', 'apps', 'paperless', { spec: { restic: { unlock: 'unlock-1' } } });
    const rs = await waitSynced(lab, RS, 'apps', 'paperless', 'locked-1');
    expect(rs.status.restic.lastUnlocked).toBe('unlock-1');
    expect(rs.status.latestMoverStatus.result).toBe('Successful');
    expect(rs.status.latestMoverStatus.logs).toContain('successfully removed');
  });

  it('wrongPassword: restic says "wrong password or no key found" until clearFaults puts the password back', async () => {
    lab.faults.wrongPassword('apps/paperless');
    const direct = await restic(lab, 'paperless', 'snapshots');
    expect(direct.stderr).toContain('wrong password or no key found');
    await patch(lab, 'replicationsource', 'apps', 'paperless', { spec: { trigger: { manual: 'pw-1' } } });
    const failed = await waitFailed(lab, RS, 'apps', 'paperless');
    expect(failed.status.latestMoverStatus.logs).toContain('Fatal: wrong password or no key found');
    expect(failed.status.latestMoverStatus.logs).toMatch(/ERROR: failure (checking existence of repository|connecting to repository, incorrect password)/);
    lab.faults.clearFaults();
    expect((await restic(lab, 'paperless', 'snapshots', '--json')).exitCode).toBe(0);
    await waitSynced(lab, RS, 'apps', 'paperless', 'pw-1');
  });

  it('moverFails: the restore is written part-way and Failed (Fatal/ERROR in the logs); the retry completes it', async () => {
    await lab.volsync.addApp({ name: 'vault', replicas: 0, snapshots: 1, paused: true, files: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`f${i}.bin`, { bytes: 4096, seed: i }])) });
    const dir = lab.volumePath('apps', 'vault');
    const want = await tree(dir);
    for (const f of await readdir(dir)) await (await import('node:fs/promises')).rm(`${dir}/${f}`);
    const r = await fetch(`${lab.url}/_lab/faults`, { method: 'POST', body: JSON.stringify({ type: 'mover-fails', app: 'vault', times: 1 }) });
    expect(r.status).toBe(200);
    let partial: number | undefined;
    const unlisten = lab.store.listen((ev) => {
      if (ev.resource === RD && ev.object.status?.latestMoverStatus?.result === 'Failed' && partial === undefined) partial = (require('node:fs') as typeof import('node:fs')).readdirSync(dir).length;
    });
    await apply(lab, restoreDestination('vault-restore', 'apps', { repository: 'vault-volsync-secret', destinationPVC: 'vault', enableFileDeletion: true }, 'v1'));
    const failed = await waitFailed(lab, RD, 'apps', 'vault-restore');
    expect(failed.status.latestMoverStatus.logs).toMatch(/^Fatal: /m);
    expect(failed.status.latestMoverStatus.logs).toMatch(/^ERROR: /m);
    const rd = await waitSynced(lab, RD, 'apps', 'vault-restore', 'v1');
    unlisten();
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(8);
    expect(rd.status.latestMoverStatus.result).toBe('Successful');
    expect(await tree(dir)).toEqual(want);
    expect(get(lab, 'jobs.batch', 'apps', 'volsync-dst-vault-restore')).toBeUndefined();
  });

  it('the side channel names unknown apps (404) and bad fault bodies (400)', async () => {
    let r = await fetch(`${lab.url}/_lab/faults`, { method: 'POST', body: JSON.stringify({ type: 'wrong-password', app: 'nope' }) });
    expect(r.status).toBe(404);
    r = await fetch(`${lab.url}/_lab/faults`, { method: 'POST', body: JSON.stringify({ type: 'restic-locked' }) });
    expect(r.status).toBe(400);
  });
});
