// Cluster-state snapshots and restore on a 3-server HA k3s lab: a snapshot is copied off-node and listed; after the
// datastore is destroyed, cluster:restore (cluster name typed) resets the first server from it, moves the other
// servers' old db/ aside so they can rejoin (k3s-io/k3s 2337/13085), and an interrupted restore resumes without a
// second reset and never moves the db/ of a server that already rejoined.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

const HA = fileURLToPath(new URL('../../lab/topologies/k3s-ha.yaml', import.meta.url));
const DB = '/var/lib/rancher/k3s/server/db';

describe('cluster:snapshot and cluster:restore on an HA k3s lab', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => {
    lab = await withLab({ topology: HA, rebootMs: 300 });
    await lab.k3s!.trustHostKeys();
  });
  afterAll(async () => { await lab?.stop(); });

  it('a server that kept its old db/ cannot rejoin a reset cluster (the trap cluster:restore avoids)', async () => {
    const w = lab.k3s!.world;
    const [s1, s2] = [lab.k3s!.host('s1'), lab.k3s!.host('s2')];
    const saved = await w.saveSnapshot(s1, 'trap');
    for (const h of w.servers()) w.stop(h);
    expect(await w.clusterReset(s1, saved.file)).toEqual({ ok: true });
    expect((await w.start(s1)).ok).toBe(true);
    expect((await w.start(s2)).ok).toBe(false);
    expect(s2.failed).toMatch(/remove \/var\/lib\/rancher\/k3s\/server\/db and rejoin/);
    // what the restore does: move it aside, then it joins
    s2.remove(DB);
    s2.dbEpoch = undefined;
    expect((await w.start(s2)).ok).toBe(true);
    expect((await w.start(lab.k3s!.host('s3'))).ok).toBe(false);
    lab.k3s!.host('s3').remove(DB);
    lab.k3s!.host('s3').dbEpoch = undefined;
    expect((await w.start(lab.k3s!.host('s3'))).ok).toBe(true);
    await lab.settled(20_000);
  });

  it('snapshot off-node, destroy the datastore, restore (typed), rejoin; an interrupted restore resumes without resetting twice', async () => {
    const snap = await lab.run(['cluster:snapshot', '--cluster', 'lab', '--name', 'before']);
    expect(snap.code, snap.stderr).toBe(0);
    const copy = snap.record!.data.etcdSnapshot as { name: string; path: string };
    expect(snap.stdout.trim()).toBe(copy.path);
    const list = await lab.run(['cluster:snapshots', '--cluster', 'lab']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${copy.name}\\s+off-node .*ok$`, 'm'));
    expect(list.stdout).toMatch(new RegExp(`^${copy.name}\\s+on s1 ${DB}/snapshots/${copy.name}`, 'm'));

    // written after the snapshot: gone after the restore
    lab.store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'written-after', namespace: 'default' }, data: { a: '1' } });
    // the datastore is destroyed: every server stopped, s1's db/ gone (the API is down); s2 and s3 keep their old db/
    const w = lab.k3s!.world;
    for (const h of w.servers()) w.stop(h);
    lab.k3s!.host('s1').remove(`${DB}/etcd`);

    const unconfirmed = await lab.run(['cluster:restore', '--cluster', 'lab', '--snapshot', copy.name, '--yes']);
    expect(unconfirmed.code).toBe(3);
    expect(lab.events.filter((e) => e.type === 'k3s-cluster-reset')).toHaveLength(1); // the trap test's only

    lab.faults.k3sNeverReady('s3');
    const failed = await lab.run(['cluster:restore', '--cluster', 'lab', '--snapshot', copy.name, '--yes', '--confirm-cluster', 'lab', '--timeout', '4s']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('server s3 to be Ready');
    expect(lab.store.find('configmaps', 'default', 'written-after')).toBeUndefined();
    // s2's old db/ was moved aside, not deleted, before it rejoined
    expect(lab.k3s!.host('s2').active).toBe(true);
    const s2Kept = lab.events.find((e) => e.type === 'node-mv' && e.object === 's2')!.detail!.split(' ')[1]!;
    expect(lab.k3s!.host('s2').exists(s2Kept)).toBe(true);

    // the operator fixes s3 (its kubelet reports Ready again) and runs the same command
    lab.faults.clearFaults();
    lab.faults.setNodeReady('s3', true);
    const resumed = await lab.run(['cluster:restore', '--cluster', 'lab', '--snapshot', copy.name, '--yes', '--confirm-cluster', 'lab', '--timeout', '30s']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const status = Object.fromEntries(resumed.record!.steps.map((s) => [s.title.split(' ').slice(0, 3).join(' '), s.status]));
    // nothing already done is done again: s2 and s3 run the restored cluster and are Ready, their db/ untouched
    expect(status).toMatchObject({ 'stop k3s on': 'skipped', 'reset the cluster': 'skipped', 'start k3s on': 'skipped', 'rejoin server s2:': 'skipped', 'rejoin server s3:': 'skipped', 'wait for every': 'done' });
    expect(lab.events.filter((e) => e.type === 'node-mv').map((e) => e.object)).toEqual(['s2', 's3']);
    expect(lab.events.filter((e) => e.type === 'k3s-cluster-reset')).toHaveLength(2); // the trap test's and this restore's one
    expect(w.servers().every((h) => h.active)).toBe(true);
    expect(lab.store.list('nodes').items.every((n) => (n.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True'))).toBe(true);
    const restore = resumed.record!.data.restore as { tookMs: number; withinTarget: boolean; targetMs: number; resumed?: boolean };
    expect(restore).toMatchObject({ withinTarget: true, targetMs: 30 * 60_000, resumed: true });
    expect(existsSync(join(lab.dir, '.rackhand', 'restores', 'lab.json'))).toBe(false);

    // a kept copy that changed since it was taken is flagged, and never restored from
    await writeFile(copy.path, 'not what was taken');
    const damaged = await lab.run(['cluster:snapshots', '--cluster', 'lab', '--off-node-only']);
    expect(damaged.code).toBe(1);
    expect(damaged.stdout).toMatch(new RegExp(`^${copy.name}\\s+off-node .*MISMATCH$`, 'm'));
    const refused = await lab.run(['cluster:restore', '--cluster', 'lab', '--snapshot', copy.name, '--yes', '--confirm-cluster', 'lab']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('changed since it was taken (sha256 differs)');
    expect(lab.events.filter((e) => e.type === 'k3s-cluster-reset')).toHaveLength(2);
  });
});
