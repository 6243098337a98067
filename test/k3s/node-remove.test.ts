// node:remove on k3s labs: the last server and a server whose removal breaks etcd quorum are refused, as is a node
// holding a local-path volume unless --accept-data-loss; a removal drains, uninstalls k3s over SSH before the Node
// is deleted (so it cannot register again) and reports where the node's pods went.
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

const SINGLE = fileURLToPath(new URL('../../lab/topologies/k3s.yaml', import.meta.url));
const HA = fileURLToPath(new URL('../../lab/topologies/k3s-ha.yaml', import.meta.url));

describe('node:remove on a 1-server + 2-agent k3s lab', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => {
    lab = await withLab({ topology: SINGLE, rebootMs: 300 });
    await lab.k3s!.trustHostKeys();
  });
  afterAll(async () => { await lab?.stop(); });

  it('refuses the last server and a node with a local-path volume (exit 3); nothing changes', async () => {
    const last = await lab.run(['node:remove', '--cluster', 'lab', '--node', 's1', '--yes', '--confirm-cluster', 'lab']);
    expect(last.code).toBe(3);
    expect(last.stderr).toContain('s1 is the last server: removing it removes the cluster');
    const data = await lab.run(['node:remove', '--cluster', 'lab', '--node', 'a1', '--yes', '--confirm-cluster', 'lab']);
    expect(data.code).toBe(3);
    expect(data.stderr).toContain('data on a1 would be lost: apps/media-cache (PV pvc-7d1f3c52-media-cache, local-path)');
    expect(data.stderr).toContain('--accept-data-loss');
    expect(lab.events.filter((e) => /node-cordoned|k3s-uninstall/.test(e.type))).toEqual([]);
  });

  it('the node-remove runbook runs through runbook:run: node:remove gets the typed confirmation; the check stops until rackhand.yaml drops the node, then the same command resumes there', async () => {
    await mkdir(join(lab.dir, 'runbooks'), { recursive: true });
    await cp(join(process.cwd(), 'runbooks', 'node-remove.md'), join(lab.dir, 'runbooks', 'node-remove.md'));
    const argv = ['runbook:run', 'node-remove', '--cluster', 'lab', '--set', 'node=a2', '--yes', '--confirm-cluster', 'lab'];
    const first = await lab.run(argv);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('configured but not in the cluster: a2');
    expect(lab.store.find('nodes', undefined, 'a2')).toBeUndefined();
    expect(lab.k3s!.host('a2').installed).toBe(false);
    // the operator takes a2 out of rackhand.yaml and runs the same command
    const config = join(lab.dir, 'rackhand.yaml');
    const doc = parse(await readFile(config, 'utf8')) as { clusters: { lab: { nodes: { name: string }[] } } };
    doc.clusters.lab.nodes = doc.clusters.lab.nodes.filter((n) => n.name !== 'a2');
    await writeFile(config, stringify(doc));
    const resumed = await lab.run(argv);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.record!.steps.map((s) => `${s.title.split(' ').slice(0, 2).join(' ')} ${s.status}`)).toEqual([
      'take the done', '1. cluster:status skipped', '2. node:remove skipped', '3. [manual] skipped', '4. node:remove skipped', '5. [manual] skipped', '6. cluster:status done', 'release the done',
    ]);
    expect(lab.store.find('leases.coordination.k8s.io', 'kube-system', 'rackhand-lock')).toBeUndefined();
  });

  it('with --accept-data-loss: drain, uninstall before the Node is deleted, and a report of where the pods went', async () => {
    const r = await lab.run(['node:remove', '--cluster', 'lab', '--node', 'a1', '--yes', '--confirm-cluster', 'lab', '--accept-data-loss', '--timeout', '20s']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('LOST: apps/media-cache (PV pvc-7d1f3c52-media-cache, local-path)');
    const seq = lab.events.filter((e) => e.object === 'a1' && /node-cordoned|k3s-uninstall/.test(e.type)).map((e) => e.type);
    expect(seq).toEqual(['node-cordoned', 'k3s-uninstall']);
    expect(lab.store.find('nodes', undefined, 'a1')).toBeUndefined();
    expect(lab.k3s!.host('a1').installed).toBe(false);
    expect(lab.k3s!.host('a1').exists('/var/lib/rancher')).toBe(false);
    // the media pod was pinned to a1: its replacement has nowhere to go, and the report says so
    expect(r.stdout).toMatch(/apps\/media-\S+\s+ReplicaSet\/media-\S+\s+media-\S+ Pending \(no node fits it\)/);
    const again = await lab.run(['node:remove', '--cluster', 'lab', '--node', 'a1', '--yes', '--confirm-cluster', 'lab', '--accept-data-loss']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.record!.steps.filter((s) => s.status === 'done').map((s) => s.title)).toEqual([]);
  });

});

describe('node:remove on a 3-server HA k3s lab', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => {
    lab = await withLab({ topology: HA, rebootMs: 300 });
    await lab.k3s!.trustHostKeys();
  });
  afterAll(async () => { await lab?.stop(); });

  it('refuses a server whose removal leaves etcd without quorum among the Ready rest', async () => {
    lab.faults.setNodeReady('s2', false);
    const r = await lab.run(['node:remove', '--cluster', 'lab', '--node', 's3', '--yes', '--confirm-cluster', 'lab']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('without s3, 1 of 2 remaining servers are Ready; etcd needs 2');
    expect(lab.events.filter((e) => /node-cordoned|k3s-uninstall/.test(e.type))).toEqual([]);
  });
});
