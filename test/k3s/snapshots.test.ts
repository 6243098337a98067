// Cluster-state snapshots on a one-server k3s lab (k3s v1.28, before `etcd-snapshot ls -o`) whose snapshots also go to
// a restic repository: the table listing, the repository copy (tags, retention, fetched back and checked), the
// cluster-state drill into a throwaway etcd (real etcd snapshot files, Debian's etcd), a snapshot damaged on the
// node, and the k3s-snapshot-restore runbook run end to end.
import { spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

const SINGLE = fileURLToPath(new URL('../../lab/topologies/k3s.yaml', import.meta.url));
const DB = '/var/lib/rancher/k3s/server/db';

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
    await rm(join(lab.dir, 'k3s-snapshots', 'lab', drilled)); await rm(join(lab.dir, 'k3s-snapshots', 'lab', `${drilled}.json`));
  });

  it('the k3s-snapshot-restore runbook runs through runbook:run: --yes wants --confirm-cluster before any step; with it, the cluster goes back to the snapshot', async () => {
    await mkdir(join(lab.dir, 'runbooks'), { recursive: true });
    await cp(join(process.cwd(), 'runbooks', 'k3s-snapshot-restore.md'), join(lab.dir, 'runbooks', 'k3s-snapshot-restore.md'));
    const snap = await lab.run(['cluster:snapshot', '--cluster', 'lab', '--name', 'runbook']);
    expect(snap.code, snap.stderr).toBe(0);
    const name = (snap.record!.data.etcdSnapshot as { name: string }).name;
    lab.store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'written-after-runbook', namespace: 'default' }, data: { a: '1' } });
    const saved = lab.events.filter((e) => e.type === 'k3s-snapshot-saved').length;

    const refused = await lab.run(['runbook:run', 'k3s-snapshot-restore', '--cluster', 'lab', '--set', `snapshot=${name}`, '--yes']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--yes: step 5 \(cluster:restore\) wants the cluster name typed: add --confirm-cluster lab/);
    expect(lab.events.filter((e) => e.type === 'k3s-snapshot-saved')).toHaveLength(saved);

    const r = await lab.run(['runbook:run', 'k3s-snapshot-restore', '--cluster', 'lab', '--set', `snapshot=${name}`, '--yes', '--confirm-cluster', 'lab']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.record!.steps.map((s) => `${s.title.split(' ').slice(0, 2).join(' ')} ${s.status}`)).toEqual([
      'take the done', '1. cluster:snapshot done', '2. cluster:snapshots done', '3. [manual] done', '4. [manual] done', '5. cluster:restore done', '6. cluster:status done', 'release the done',
    ]);
    expect(lab.store.find('configmaps', 'default', 'written-after-runbook')).toBeUndefined();
    expect(lab.events.filter((e) => e.type === 'k3s-restore').at(-1)!.detail).toContain(name);
    expect(lab.k3s!.host('s1').active).toBe(true);
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
