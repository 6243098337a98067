// Cluster-state snapshots and restore on a 3-server HA k3s lab: a snapshot is copied off-node and listed; after the
// datastore is destroyed, cluster:restore (cluster name typed) resets the first server from it, moves the other
// servers' old db/ aside so they can rejoin (k3s-io/k3s 2337/13085), and an interrupted restore resumes without a
// second reset and never moves the db/ of a server that already rejoined. Older k3s without `etcd-snapshot ls -o` are listed from the table.
import { spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

const HA = fileURLToPath(new URL('../../lab/topologies/k3s-ha.yaml', import.meta.url));
const SINGLE = fileURLToPath(new URL('../../lab/topologies/k3s.yaml', import.meta.url));
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

describe('k3s before etcd-snapshot ls -o (v1.28), snapshots also kept in a restic repository', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rackhand-topology-'));
    const topology = join(dir, 'k3s-128.yaml');
    await writeFile(topology, (await readFile(SINGLE, 'utf8')).replace('version: v1.30.6+k3s1', 'version: v1.28.15+k3s1').replace('  datastore: etcd\n', '  datastore: etcd\n  snapshotRepository: true\n'));
    lab = await withLab({ topology, rebootMs: 300 });
    await lab.k3s!.trustHostKeys();
  });
  afterAll(async () => { await lab?.stop(); });

  it('lists the on-node snapshots from the table', async () => {
    const saved = await lab.k3s!.world.saveSnapshot(lab.k3s!.host('s1'), 'old-style');
    const r = await lab.run(['cluster:snapshots', '--cluster', 'lab']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${saved.name}\\s+on s1 ${DB}/snapshots/${saved.name}\\s+\\d+ (B|KiB)`, 'm'));
    expect(r.record!.commands.some((c) => c.argv.at(-1)!.endsWith('etcd-snapshot ls -o json') && c.exitCode === 1)).toBe(true);
  });

  it('each copy goes to the restic repository too (tags, no secret shown); retention forgets there; a restore fetches a copy only the repository has, checked against its sha256', async () => {
    const first = await lab.run(['cluster:snapshot', '--cluster', 'lab', '--name', 'offsite']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/stored offsite-s1-\d+ in the restic repository .*k3s-snapshots-repo \(snapshot [0-9a-f]{8}\)/);
    const second = await lab.run(['cluster:snapshot', '--cluster', 'lab', '--name', 'newer', '--keep', '1']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/forgot offsite-s1-\d+/);
    const copy = second.record!.data.etcdSnapshot as { name: string; path: string; sha256: string };
    const password = lab.vault.get('op://homelab/k3s-snapshots/password')!;
    for (const r of [first, second]) expect(JSON.stringify(r.record) + r.stdout + r.stderr).not.toContain(password);

    // the folder copy is lost (the workstation died): the repository still has it
    await rm(copy.path); await rm(`${copy.path}.json`);
    const list = await lab.run(['cluster:snapshots', '--cluster', 'lab', '--off-node-only']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout.split('\n').filter((l) => / restic /.test(l))).toEqual([expect.stringMatching(new RegExp(`^${copy.name}\\s+restic \\S+k3s-snapshots-repo [0-9a-f]{8}\\s.*${copy.sha256.slice(0, 12)}… stored$`))]);
    const dry = await lab.run(['cluster:restore', '--cluster', 'lab', '--snapshot', copy.name, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toContain(`the state of cluster lab goes back to snapshot ${copy.name}`);
    expect(JSON.parse(await readFile(`${copy.path}.json`, "utf8"))).toMatchObject({ name: copy.name, sha256: copy.sha256, node: "s1" });
    expect((await readFile(copy.path)).length).toBeGreaterThan(0);
    expect(lab.events.filter((e) => e.type === 'k3s-cluster-reset')).toHaveLength(0);

    // a repository copy that does not match the sha256 it was stored with is never restored from
    const env = { ...process.env, RESTIC_REPOSITORY: join(lab.dir, 'k3s-snapshots-repo'), RESTIC_PASSWORD: password };
    const bad = join(lab.dir, 'bad.db');
    await writeFile(bad, 'not an etcd snapshot');
    await run('restic', ['backup', '--stdin', '--stdin-filename', 'forged-s1-1', '--host', 'rackhand-lab', '--tag', 'rackhand-etcd', '--tag', 'cluster=lab', '--tag', 'name=forged-s1-1', '--tag', `sha256=${copy.sha256}`], { env, input: bad });
    const refused = await lab.run(['cluster:restore', '--cluster', 'lab', '--snapshot', 'forged-s1-1', '--yes', '--confirm-cluster', 'lab']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/forged-s1-1 from the restic repository \(snapshot [0-9a-f]{8}\) does not match the sha256 it was stored with/);
    expect(existsSync(join(dirname(copy.path), 'forged-s1-1'))).toBe(false);
    expect(lab.events.filter((e) => e.type === 'k3s-cluster-reset')).toHaveLength(0);
  });

  it('dr:drill --cluster-state restores the newest snapshot into a throwaway etcd here and counts its keys; the cluster is untouched, nothing is left behind', async () => {
    const snap = await lab.run(['cluster:snapshot', '--cluster', 'lab', '--name', 'drill']);
    expect(snap.code, snap.stderr).toBe(0);
    expect(snap.stderr).toMatch(/etcd reads it: revision \d+, \d+ keys/);
    const copy = snap.record!.data.etcdSnapshot as { name: string; revision: number; keys: number };
    lab.store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'created-after' } });
    const before = lab.events.length;
    const r = await lab.run(['dr:drill', '--cluster', 'lab', '--cluster-state', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^cluster-state/lab\\s+passed\\s+${copy.name.slice(0, 8)}.*revision ${copy.revision}, \\d+ objects, \\d+ namespaces`, 'm'));
    expect(r.stderr).toContain('created since (a restore would lose them): created-after');
    const t = (r.record!.data.drill as { targets: { checks: { name: string; ok: boolean }[]; restored: { files: number }; expected: { files: number } }[] }).targets[0]!;
    expect(t.checks.map((c) => `${c.name} ${c.ok}`)).toEqual(['copy intact true', 'etcd reads the snapshot true', 'restored etcd serves the cluster\'s objects true', 'recovery point within target true', 'restore within target true']);
    expect(t.restored.files).toBeGreaterThan(10);
    expect(t.expected.files).toBe(copy.keys);
    // nothing happened to the cluster, no etcd of the drill runs on, its temp dir is gone
    expect(lab.events.slice(before).filter((e) => /k3s|node|restore/.test(e.type))).toEqual([]);
    expect(await readdir(join(lab.dir, '.rackhand', 'drills')).then((f) => f.filter((x) => x.startsWith('etcd-')))).toEqual([]);
    expect(await etcdProcessesUnder(lab.dir)).toEqual([]);

    // a snapshot damaged on the node's disk: its sha256 there agrees, but etcd cannot read it; the copy is refused
    lab.faults.snapshotCorrupt('s1');
    const bad = await lab.run(['cluster:snapshot', '--cluster', 'lab', '--name', 'damaged']);
    lab.faults.clearFaults();
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/damaged-s1-\d+ from s1 is not a readable etcd snapshot/);
    expect((await readdir(join(lab.dir, 'k3s-snapshots', 'lab'))).filter((f) => f.startsWith('damaged'))).toEqual([]);
    // a kept copy changed since it was taken: the drill fails (exit 1) naming it, and still cleans up
    const drilled = (await readdir(join(lab.dir, 'k3s-snapshots', 'lab'))).filter((f) => f.startsWith('drill-') && !f.endsWith('.json'))[0]!;
    await writeFile(join(lab.dir, 'k3s-snapshots', 'lab', drilled), 'not an etcd snapshot');
    const failed = await lab.run(['dr:drill', '--cluster', 'lab', '--cluster-state', '--snapshot', drilled, '--yes']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('changed since it was taken (sha256 differs)');
    expect(await readdir(join(lab.dir, '.rackhand', 'drills')).then((f) => f.filter((x) => x.startsWith('etcd-')))).toEqual([]);
  });
});

/** etcd processes whose data dir is under `dir` (a drill's throwaway member left running would be one). */
async function etcdProcessesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const cmd = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (cmd[0]?.endsWith('etcd') && cmd.some((a) => a.startsWith(dir))) out.push(cmd.join(' '));
  }
  return out;
}

/** A command with a file on stdin (the test's own setup, not rackhand's). */
function run(cmd: string, args: string[], o: { env: NodeJS.ProcessEnv; input: string }): Promise<void> {
  return new Promise((ok, fail) => {
    const p = spawn(cmd, args, { env: o.env, stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    createReadStream(o.input).pipe(p.stdin);
    p.on('close', (code) => (code === 0 ? ok() : fail(new Error(`${cmd} ${code}: ${err}`))));
  });
}
