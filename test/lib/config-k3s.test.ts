// rackhand.yaml for k3s clusters: server/agent roles, ssh per cluster and per node (paths resolved), the k3s
// section; bad input names the field and what was expected.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, pickCluster } from '../../lib/config.ts';

const K3S = (extra = '', nodes = `      - { name: s1, address: 10.0.1.11, role: server }
      - { name: a1, address: 10.0.1.21, role: agent, ssh: { user: ubuntu, port: 2222 } }`) => `clusters:
  edge:
    distribution: k3s
    kubeconfig: ./kubeconfig
    context: default
    apiServer: https://10.0.1.11:6443
    versions: { k3s: v1.31.4+k3s1 }
    ssh: { user: root, key: ./keys/id_ed25519 }
${extra}    nodes:
${nodes}
`;

async function load(text: string) {
  const dir = await mkdtemp(join(tmpdir(), 'rackhand-config-'));
  const path = join(dir, 'rackhand.yaml');
  await writeFile(path, text);
  return { dir, load: () => loadConfig(path) };
}

async function problems(text: string): Promise<string> {
  const err = await (await load(text)).load().then(() => undefined, (e: Error) => e);
  expect(err).toBeInstanceOf(ConfigError);
  return err!.message;
}

describe('rackhand.yaml: k3s clusters', () => {
  it('servers are control planes, agents workers; a node\'s ssh is the cluster\'s with its own on top, paths absolute', async () => {
    const f = await load(K3S('    k3s: { token: op://homelab/k3s-edge/token, datastore: etcd, agent: { args: [--node-label=pool=a] } }\n    snapshots: { dir: ./snaps, keep: 7, restic: { RESTIC_REPOSITORY: /mnt/backup/etcd, RESTIC_PASSWORD: op://homelab/etcd-repo/password } }\n'));
    const c = pickCluster(await f.load(), undefined);
    expect(c.nodes.map((n) => `${n.name} ${n.role}`)).toEqual(['s1 controlplane', 'a1 worker']);
    expect(c.nodes[0]!.ssh).toEqual({ user: 'root', key: join(f.dir, 'keys/id_ed25519') });
    expect(c.nodes[1]!.ssh).toEqual({ user: 'ubuntu', port: 2222, key: join(f.dir, 'keys/id_ed25519') });
    expect(c.k3s).toMatchObject({ token: 'op://homelab/k3s-edge/token', datastore: 'etcd' });
    expect(c.snapshots).toEqual({ dir: join(f.dir, 'snaps'), keep: 7, restic: { RESTIC_REPOSITORY: '/mnt/backup/etcd', RESTIC_PASSWORD: 'op://homelab/etcd-repo/password' } });
  });

  it('names the field and the expected form', async () => {
    expect(await problems(K3S('', '      - { name: s1, address: 10.0.1.11, role: controlplane }'))).toContain('clusters.edge.nodes[0].role: expected server or agent (a k3s cluster) (got "controlplane")');
    expect(await problems(K3S('    k3s: { token: hunter2 }\n'))).toMatch(/k3s\.token.*op:\/\/vault\/item\/field/);
    expect(await problems(K3S('    k3s: { agent: { env: { K3S_TOKEN: x } } }\n'))).toMatch(/K3S_TOKEN.*the join token is k3s\.token/);
    expect(await problems(K3S('    k3s: { server: { env: { INSTALL_K3S_VERSION: v1.31.4+k3s1 } } }\n'))).toMatch(/INSTALL_K3S_VERSION.*versions\.k3s/);
    expect(await problems(K3S('    snapshots: { dir: 3 }\n'))).toMatch(/snapshots\.dir.*a folder path/);
    expect(await problems(K3S('    snapshots: { restic: { RESTIC_REPOSITORY: /mnt/r, RESTIC_PASSWORD: hunter2 } }\n'))).toMatch(/snapshots\.restic\.RESTIC_PASSWORD.*op:\/\/vault\/item\/field/);
    expect(await problems(K3S('    snapshots: { restic: { RESTIC_PASSWORD: op://v/i/f } }\n'))).toMatch(/snapshots\.restic\.RESTIC_REPOSITORY: expected RESTIC_REPOSITORY/);
    expect(await problems(K3S('    k3s: { snapshots: { dir: /x } }\n'))).toMatch(/k3s.*snapshots/);
    expect(await problems(K3S('', '      - { name: s1, address: 10.0.1.11, role: server, ssh: { port: 99999 } }'))).toMatch(/ssh\.port.*TCP port/);
    expect(await problems(K3S('    k3s: { url: http://10.0.1.11:6443 }\n'))).toMatch(/k3s\.url.*https:\/\/10\.0\.1\.10:6443/);
  });
});
