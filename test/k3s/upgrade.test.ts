// k3s:upgrade against a 1-server + 2-agent k3s lab: version gates refuse before anything changes; an upgrade
// re-passes the args and env each node really runs (k3s-ansible PR 474: omitted ones are lost), moves a K3S_TOKEN
// out of the unit's env file, takes an etcd snapshot off-node first, stops at a failing node with that node
// uncordoned and the later nodes untouched, and resumes where it stopped.
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { writeFile } from 'node:fs/promises';
import { sha256File } from '../../lib/snapshots/offnode.ts';
import { withLab } from '../helpers/lab.ts';

const TOPOLOGY = fileURLToPath(new URL('../../lab/topologies/k3s.yaml', import.meta.url));

describe('k3s:upgrade', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => {
    lab = await withLab({ topology: TOPOLOGY, rebootMs: 300 });
    await lab.k3s!.trustHostKeys();
  });
  afterAll(async () => { await lab?.stop(); });
  const changes = () => lab.events.filter((e) => /^(k3s-install|k3s-snapshot-saved|node-cordoned)$/.test(e.type));

  it('refuses a skipped minor, a downgrade and agents ahead of servers (exit 3), before anything changes', async () => {
    const skip = await lab.run(['k3s:upgrade', '--cluster', 'lab', '--all', '--to', 'v1.32.1+k3s1', '--yes']);
    expect(skip.code).toBe(3);
    expect(skip.stderr).toContain('s1: v1.30.6+k3s1 -> v1.32.1+k3s1 skips 1 minor release(s)');
    const down = await lab.run(['k3s:upgrade', '--cluster', 'lab', '--all', '--to', 'v1.30.6+k3s0', '--yes']);
    expect(down.code).toBe(3);
    expect(down.stderr).toContain('v1.30.6+k3s0 is older than the running v1.30.6+k3s1: a downgrade');
    const ahead = await lab.run(['k3s:upgrade', '--cluster', 'lab', '--node', 'a1', '--to', 'v1.31.4+k3s1', '--yes']);
    expect(ahead.code).toBe(3);
    expect(ahead.stderr).toContain('agents would run v1.31.4+k3s1, newer than server k3s v1.30.6+k3s1: upgrade the servers first');
    const bad = await lab.run(['k3s:upgrade', '--cluster', 'lab', '--all', '--to', 'v1.31.4', '--yes']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--to: .*a k3s version like v1\.31\.4\+k3s1/);
    expect(changes()).toEqual([]);
  });

  it('--plan-only prints system-upgrade-controller Plans and changes nothing', async () => {
    const r = await lab.run(['k3s:upgrade', '--cluster', 'lab', '--all', '--to', 'v1.31.4+k3s1', '--plan-only']);
    expect(r.code, r.stderr).toBe(0);
    const docs = r.stdout.split(/^---$/m).map((d) => parse(d));
    expect(docs.map((d) => `${d.kind} ${d.metadata.name} ${d.spec.version}`)).toEqual(['Plan server-plan v1.31.4+k3s1', 'Plan agent-plan v1.31.4+k3s1']);
    expect(docs[1].spec.prepare.args).toEqual(['prepare', 'server-plan']);
    expect(changes()).toEqual([]);
  });

  it('keeps each node\'s install args and env, stops at a failing node (uncordoned, later nodes untouched), resumes', async () => {
    const token = lab.vault.get('op://homelab/k3s/token')!;
    // what rackhand.yaml says no longer matches what a1 was installed with: the node's own args win
    const doc = parse(await readFile(lab.configPath, 'utf8'));
    doc.clusters.lab.k3s.agent.args = [];
    await writeFile(lab.configPath, stringify(doc));
    // a2 was installed the way many guides do it: K3S_TOKEN in the environment, so in the unit's env file
    const a2 = lab.k3s!.host('a2');
    a2.write('/etc/systemd/system/k3s-agent.service.env', `K3S_URL='https://10.6.0.11:6443'\nK3S_TOKEN='${token}'\n`, 0o600);
    lab.faults.k3sInstallFails('a2');

    const failed = await lab.run(['k3s:upgrade', '--cluster', 'lab', '--all', '--to', 'v1.31.4+k3s1', '--yes']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('node a2:');
    expect(failed.stderr).toContain('npx tsx tasks k3s:upgrade --cluster lab --all --to v1.31.4+k3s1');
    expect(failed.record!.steps.map((s) => s.status)).toEqual(['done', 'done', 'done', 'failed']);
    // the failing node is not left cordoned; the others run the target with their args
    const node = (n: string) => lab.store.find('nodes', undefined, n)!;
    expect(node('a2').spec?.unschedulable).toBeFalsy();
    expect(node('a2').status.nodeInfo.kubeletVersion).toBe('v1.30.6+k3s1');
    expect(node('a1').status.nodeInfo.kubeletVersion).toBe('v1.31.4+k3s1');
    expect(lab.k3s!.host('a1').read('/etc/systemd/system/k3s-agent.service').toString()).toContain("'--node-label=lab.rackhand.io/pool=general'");
    expect(lab.k3s!.host('s1').read('/etc/systemd/system/k3s.service').toString()).toContain("'--write-kubeconfig-mode=0600'");
    // an etcd snapshot came first, copied off-node, private, matching the node's copy
    const snap = failed.record!.data.etcdSnapshot as { path: string; sha256: string; name: string };
    expect((await stat(snap.path)).mode & 0o777).toBe(0o600);
    expect(await sha256File(snap.path)).toBe(snap.sha256);
    expect(await sha256File(lab.k3s!.host('s1').path(`/var/lib/rancher/k3s/server/db/snapshots/${snap.name}`))).toBe(snap.sha256);
    expect(lab.events.findIndex((e) => e.type === 'k3s-snapshot-saved')).toBeLessThan(lab.events.findIndex((e) => e.type === 'node-cordoned'));

    lab.faults.clearFaults();
    const resumed = await lab.run(['k3s:upgrade', '--cluster', 'lab', '--all', '--to', 'v1.31.4+k3s1', '--yes']);
    expect(resumed.code, resumed.stderr).toBe(0);
    // the snapshot is taken only while a server is still due; s1 and a1 are skipped
    expect(resumed.record!.steps.map((s) => `${s.title.replace(/ to v.*/, '')} ${s.status}`)).toEqual(['upgrade control plane s1 skipped', 'upgrade worker a1 skipped', 'upgrade worker a2 done']);
    expect(resumed.stderr).toContain('a2 was installed with K3S_TOKEN in its unit\'s env file: the token moves to a 0600 token file');
    const env = a2.read('/etc/systemd/system/k3s-agent.service.env').toString();
    expect(env).toContain("K3S_TOKEN_FILE='/etc/rancher/k3s/rackhand-join-token'");
    expect(env).not.toMatch(/^K3S_TOKEN=/m);
    expect(env).toContain("K3S_URL='https://10.6.0.11:6443'");
    expect(resumed.stdout + resumed.stderr + JSON.stringify(resumed.record) + failed.stderr + JSON.stringify(failed.record)).not.toContain(token);
    expect(node('a2').status.nodeInfo.kubeletVersion).toBe('v1.31.4+k3s1');
    expect(lab.store.list('nodes').items.every((n) => !n.spec?.unschedulable)).toBe(true);
    // history: each node's move, with the args it was re-installed with
    const history = JSON.parse(lab.store.find('configmaps', 'kube-system', 'rackhand-k3s-history')!.data.a1);
    expect(history.at(-1)).toMatchObject({ from: 'v1.30.6+k3s1', to: 'v1.31.4+k3s1', args: ['--node-label=lab.rackhand.io/pool=general'], by: 'k3s:upgrade' });
    const times = resumed.record!.data.controlPlaneBackMs ?? failed.record!.data.controlPlaneBackMs;
    expect(Object.keys(times as object)).toEqual(['s1']);
  });

  it('k3s:history shows each move; k3s:rollback goes back through the same gates, agents first, the cluster name typed', async () => {
    const h = await lab.run(['k3s:history', '--cluster', 'lab', '--node', 'a1']);
    expect(h.code, h.stderr).toBe(0);
    expect(h.stdout).toMatch(/a1\s+v1\.30\.6\+k3s1\s+v1\.31\.4\+k3s1\s+k3s:upgrade\s+agent --node-label=lab\.rackhand\.io\/pool=general/);
    const unconfirmed = await lab.run(['k3s:rollback', '--cluster', 'lab', '--all', '--yes']);
    expect(unconfirmed.code).toBe(3);
    const installsBefore = lab.events.filter((e) => e.type === 'k3s-install').length;
    const r = await lab.run(['k3s:rollback', '--cluster', 'lab', '--all', '--yes', '--confirm-cluster', 'lab']);
    expect(r.code, r.stderr).toBe(0);
    const order = lab.events.filter((e) => e.type === 'k3s-install').slice(installsBefore).map((e) => `${e.object} ${e.detail!.split(' ')[1]}`);
    expect(order).toEqual(['a1 v1.30.6+k3s1', 'a2 v1.30.6+k3s1', 's1 v1.30.6+k3s1']);
    expect(lab.store.list('nodes').items.map((n) => n.status.nodeInfo.kubeletVersion)).toEqual(['v1.30.6+k3s1', 'v1.30.6+k3s1', 'v1.30.6+k3s1']);
    // the history now ends with the rollback; a second rollback would go forward again: it is refused as a downgrade no more
    const last = JSON.parse(lab.store.find('configmaps', 'kube-system', 'rackhand-k3s-history')!.data.s1).at(-1);
    expect(last).toMatchObject({ from: 'v1.31.4+k3s1', to: 'v1.30.6+k3s1', by: 'k3s:rollback' });
  });
});
