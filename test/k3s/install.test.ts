// k3s:install against an empty k3s lab (three hosts behind real sshd, nothing installed): host keys are never
// trusted silently, the first server comes first, the join token travels on stdin into a 0600 file and appears
// nowhere, the kubeconfig is written pointing at apiServer, and a re-run does nothing.
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

const TOPOLOGY = fileURLToPath(new URL('../../lab/topologies/k3s.yaml', import.meta.url));
const HA = fileURLToPath(new URL('../../lab/topologies/k3s-ha.yaml', import.meta.url));

describe('k3s:install on an empty k3s lab', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  let token: string;
  beforeAll(async () => {
    lab = await withLab({ topology: TOPOLOGY, empty: true, rebootMs: 300 });
    token = lab.vault.get('op://homelab/k3s/token')!;
  });
  afterAll(async () => { await lab?.stop(); });
  const installs = () => lab.events.filter((e) => e.type === 'k3s-install');

  it('refuses nodes whose host key it does not know (exit 3), naming the flag that learns them; nothing runs', async () => {
    const r = await lab.run(['k3s:install', '--cluster', 'lab', '--all', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no host key for root@127\.0\.0\.1 port \d+ in .*known_hosts/);
    expect(r.stderr).toContain('--accept-new-host-key');
    expect(installs()).toEqual([]);
  });

  it('installs the first server, then the agents; the token is only on the nodes, in 0600 files; a re-run does nothing', async () => {
    const r = await lab.run(['k3s:install', '--cluster', 'lab', '--all', '--yes', '--accept-new-host-key']);
    expect(r.code, r.stderr).toBe(0);
    expect(installs().map((e) => `${e.object} ${e.detail}`)).toEqual([
      's1 server v1.30.6+k3s1 --cluster-init --disable=traefik --write-kubeconfig-mode=0600',
      'a1 agent v1.30.6+k3s1 --node-label=lab.rackhand.io/pool=general',
      'a2 agent v1.30.6+k3s1 --node-label=lab.rackhand.io/pool=general',
    ]);
    // every node Ready at the version, the kubeconfig written from s1's k3s.yaml and pointed at apiServer
    const nodes = lab.store.list('nodes').items.map((n) => `${n.metadata.name} ${n.status?.nodeInfo?.kubeletVersion}`);
    expect(nodes.sort()).toEqual(['a1 v1.30.6+k3s1', 'a2 v1.30.6+k3s1', 's1 v1.30.6+k3s1']);
    expect((await stat(lab.kubeconfigPath)).mode & 0o777).toBe(0o600);
    const kc = await readFile(lab.kubeconfigPath, 'utf8');
    expect(kc).toContain(`server: ${lab.url}`);
    expect(kc).toContain('current-context: default');
    // the token: a 0600 file on each node, K3S_TOKEN_FILE in the unit env, never K3S_TOKEN; never printed or recorded
    for (const n of ['a1', 'a2']) {
      const h = lab.k3s!.host(n);
      expect(h.read('/etc/rancher/k3s/rackhand-join-token').toString()).toBe(`${token}\n`);
      expect((await stat(h.path('/etc/rancher/k3s/rackhand-join-token'))).mode & 0o777).toBe(0o600);
      const env = h.read('/etc/systemd/system/k3s-agent.service.env').toString();
      expect(env).toContain("K3S_TOKEN_FILE='/etc/rancher/k3s/rackhand-join-token'");
      expect(env).not.toMatch(/^K3S_TOKEN=/m);
    }
    expect(r.stdout + r.stderr + JSON.stringify(r.record)).not.toContain(token);
    // learned host keys, one per node, in the known_hosts rackhand.yaml names
    expect((await readFile(lab.k3s!.knownHosts, 'utf8')).trim().split('\n')).toHaveLength(3);
    // the history ConfigMap holds each install
    const cm = lab.store.find('configmaps', 'kube-system', 'rackhand-k3s-history');
    expect(Object.keys(cm!.data).sort()).toEqual(['a1', 'a2', 's1']);
    expect(JSON.parse(cm!.data.a1)[0]).toMatchObject({ to: 'v1.30.6+k3s1', command: 'agent', args: ['--node-label=lab.rackhand.io/pool=general'], by: 'k3s:install' });

    const again = await lab.run(['k3s:install', '--cluster', 'lab', '--all', '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.record!.result).toBe('nothing-to-do');
    expect(installs()).toHaveLength(3);
  });

  it('a node whose unit is stopped is started, not re-installed', async () => {
    lab.k3s!.world.stop(lab.k3s!.host('a2'));
    const r = await lab.run(['k3s:install', '--cluster', 'lab', '--node', 'a2', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('a2: k3s v1.30.6+k3s1 is installed but k3s-agent is not active: starting it');
    expect(installs()).toHaveLength(3);
    expect(lab.k3s!.host('a2').active).toBe(true);
  });
});

describe('k3s:install on an empty HA lab (3 servers on embedded etcd, 1 agent)', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => { lab = await withLab({ topology: HA, empty: true, rebootMs: 300 }); });
  afterAll(async () => { await lab?.stop(); });

  it('the first server initialises etcd, the others join it as servers (K3S_URL, server), then the agent', async () => {
    const r = await lab.run(['k3s:install', '--cluster', 'lab', '--all', '--yes', '--accept-new-host-key']);
    expect(r.code, r.stderr).toBe(0);
    expect(lab.events.filter((e) => e.type === 'k3s-install').map((e) => `${e.object} ${e.detail!.split(' ').slice(0, 3).join(' ')}`)).toEqual([
      's1 server v1.30.6+k3s1 --cluster-init', 's2 server v1.30.6+k3s1 --disable=traefik', 's3 server v1.30.6+k3s1 --disable=traefik', 'a1 agent v1.30.6+k3s1',
    ]);
    for (const n of ['s2', 's3']) expect(lab.k3s!.host(n).read('/etc/systemd/system/k3s.service.env').toString()).toContain("K3S_URL='https://127.0.0.1:6443'");
    expect(lab.k3s!.world.datastore).toBe('etcd');
    expect(lab.k3s!.world.activeServers().map((h) => h.name)).toEqual(['s1', 's2', 's3']);
    const labels = lab.store.find('nodes', undefined, 's3')!.metadata.labels;
    expect(labels).toMatchObject({ 'node-role.kubernetes.io/control-plane': 'true', 'node-role.kubernetes.io/etcd': 'true' });
  });
});
