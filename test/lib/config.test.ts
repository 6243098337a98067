import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, pickCluster } from '../../lib/config.ts';

async function file(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rackhand-config-'));
  await writeFile(join(dir, name), text);
  return join(dir, name);
}

const GOOD = `clusters:
  home:
    distribution: talos
    kubeconfig: ./kubeconfig
    context: admin@home
    apiServer: https://10.0.0.10:6443
    versions: { talos: v1.12.1, kubernetes: v1.31.4 }
    installer: { image: factory.talos.dev/installer, schematic: 376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba }
    nodes:
      - { name: cp1, address: 10.0.0.11, role: controlplane }
      - { name: w1, address: 10.0.0.21, role: worker }
`;

async function problems(text: string): Promise<string> {
  const path = await file('rackhand.yaml', text);
  try {
    await loadConfig(path);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('rackhand.yaml', () => {
  it('loads a valid file with paths resolved against its folder', async () => {
    const path = await file('rackhand.yaml', GOOD);
    const c = pickCluster(await loadConfig(path), undefined);
    expect(c.name).toBe('home');
    expect(c.kubeconfig).toBe(join(path, '..', 'kubeconfig'));
    expect(c.nodes.map((n) => `${n.name}:${n.role}`)).toEqual(['cp1:controlplane', 'w1:worker']);
    expect(c.versions.talos).toBe('v1.12.1');
  });

  it.each([
    ['role: worker }', 'role: boss }', /:11:\d+ clusters\.home\.nodes\.1\.role: expected controlplane or worker/],
    ['talos: v1.12.1', 'talos: 1.12', /:7:\d+ clusters\.home\.versions\.talos: expected a version like v1\.12\.3/],
    ['name: cp1,', 'name: "cp1;reboot",', /:10:\d+ clusters\.home\.nodes\.0\.name: expected a node name/],
    ['distribution: talos', 'distribution: rke2', /:3:\d+ clusters\.home\.distribution: expected talos or k3s/],
    ['    context: admin@home\n', '', /:3:\d+ clusters\.home\.context: missing; expected the kube context name/],
    ['schematic: 3765', 'schematic: zz65', /:8:\d+ clusters\.home\.installer\.schematic: expected a 64-character hex schematic id/],
  ])('names file:line, the field path and the expectation (%s -> %s)', async (from, to, expected) => {
    expect(await problems(GOOD.replace(from, to))).toMatch(new RegExp(`rackhand\\.yaml${expected.source}`));
  });

  it('reports a YAML syntax error with its line', async () => {
    expect(await problems('clusters:\n  home: [unclosed\n')).toMatch(/rackhand\.yaml:\d+:\d+: /);
  });

  it('rejects a duplicate node name', async () => {
    expect(await problems(GOOD.replace('name: w1', 'name: cp1'))).toContain('node name "cp1" appears twice');
  });

  it('takes nodes and versions from a talhelper talconfig.yaml', async () => {
    const tal = await file('talconfig.yaml', `clusterName: home
talosVersion: v1.11.5
kubernetesVersion: v1.32.2
endpoint: https://10.0.0.10:6443
nodes:
  - hostname: cp1
    ipAddress: 10.0.0.11
    controlPlane: true
    talosImageURL: factory.talos.dev/installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba
  - hostname: w1
    ipAddress: 10.0.0.21
    controlPlane: false
`);
    const path = join(tal, '..', 'rackhand.yaml');
    await writeFile(path, GOOD.replace(/    versions:.*\n/, '').replace(/    nodes:\n(      - .*\n)+/, '    talconfig: ./talconfig.yaml\n'));
    const c = pickCluster(await loadConfig(path), 'home');
    // a node's talosImageURL is its installer (its schematic's extensions); talhelper appends the version itself
    expect(c.nodes).toEqual([
      { name: 'cp1', address: '10.0.0.11', role: 'controlplane', installer: 'factory.talos.dev/installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba' },
      { name: 'w1', address: '10.0.0.21', role: 'worker' },
    ]);
    expect(c.versions).toEqual({ talos: 'v1.11.5', kubernetes: 'v1.32.2' });
  });

  it('talconfig per-node installers and clusterName: each node upgrades to its own schematic; machine configs are <clusterName>-<hostname>.yaml', async () => {
    const gpu = 'a'.repeat(64);
    const tal = await file('talconfig.yaml', `clusterName: main
talosVersion: v1.11.5
nodes:
  - hostname: cp1
    ipAddress: 10.0.0.11
    controlPlane: true
    talosImageURL: factory.talos.dev/installer/${'b'.repeat(64)}
  - hostname: gpu1
    ipAddress: 10.0.0.21
    controlPlane: false
    talosImageURL: factory.talos.dev/installer/${gpu}:v1.10.0
  - hostname: w2
    ipAddress: 10.0.0.22
    controlPlane: false
`);
    const path = join(tal, '..', 'rackhand.yaml');
    await writeFile(path, GOOD.replace(/    versions:.*\n/, '').replace(/schematic: [0-9a-f]{64}/, `schematic: ${'c'.repeat(64)}`).replace(/    nodes:\n(      - .*\n)+/, '    talconfig: ./talconfig.yaml\n'));
    const c = pickCluster(await loadConfig(path), 'home');
    const { installerImage } = await import('../../lib/talos/images.ts');
    const { talhelperConfigFile } = await import('../../lib/talos/machine-config.ts');
    expect(c.nodes.map((n) => installerImage(c, 'v1.12.2', n))).toEqual([
      `factory.talos.dev/installer/${'b'.repeat(64)}:v1.12.2`,
      `factory.talos.dev/installer/${gpu}:v1.12.2`, // the tag written into talosImageURL is not the target
      `factory.talos.dev/installer/${'c'.repeat(64)}:v1.12.2`, // no talosImageURL: the cluster's schematic
    ]);
    expect(c.talosClusterName).toBe('main');
    expect(talhelperConfigFile({ ...c, talconfig: c.talconfig! }, 'gpu1')).toBe(join(tal, '..', 'clusterconfig', 'main-gpu1.yaml'));
  });

  it('FQDN hostnames register as their short name unless registerWithFQDN is patched in; machine config files keep the FQDN', async () => {
    const talText = (patch: string) => `clusterName: main
talosVersion: v1.11.5
${patch}nodes:
  - hostname: delta.bjw-s.internal
    ipAddress: 10.0.0.11
    controlPlane: true
`;
    const tal = await file('talconfig.yaml', talText(''));
    const path = join(tal, '..', 'rackhand.yaml');
    await writeFile(path, GOOD.replace(/    versions:.*\n/, '').replace(/    nodes:\n(      - .*\n)+/, '    talconfig: ./talconfig.yaml\n'));
    const short = pickCluster(await loadConfig(path), 'home');
    expect(short.nodes.map((n) => n.name)).toEqual(['delta']);
    const { talhelperConfigFile } = await import('../../lib/talos/machine-config.ts');
    expect(talhelperConfigFile({ ...short, talconfig: short.talconfig! }, 'delta')).toBe(join(tal, '..', 'clusterconfig', 'main-delta.bjw-s.internal.yaml'));
    await writeFile(tal, talText('patches:\n  - |-\n    machine:\n      kubelet:\n        registerWithFQDN: true\n'));
    expect(pickCluster(await loadConfig(path), 'home').nodes.map((n) => n.name)).toEqual(['delta.bjw-s.internal']);
  });

  it('talhelper variables: ${VAR} from talenv.yaml or the environment; unset ones are named; rackhand.yaml versions may fill in', async () => {
    const tal = await file('talconfig.yaml', `clusterName: \${clusterName}
talosVersion: "\${talosVersion}"
kubernetesVersion: \${kubernetesVersion:-v1.32.0}
nodes:
  - hostname: \${cp}
    ipAddress: 10.0.0.11
    controlPlane: true
`);
    const dir = join(tal, '..');
    await writeFile(join(dir, 'talenv.yaml'), 'clusterName: main\ntalosVersion: v1.11.5\ncp: cp1\n');
    const path = join(dir, 'rackhand.yaml');
    await writeFile(path, GOOD.replace(/    versions:.*\n/, '').replace(/    nodes:\n(      - .*\n)+/, '    talconfig: ./talconfig.yaml\n'));
    const c = pickCluster(await loadConfig(path, undefined, { talosVersion: 'v1.11.6' }), 'home');
    expect(c.nodes.map((n) => n.name)).toEqual(['cp1']);
    expect(c.versions).toEqual({ talos: 'v1.11.6', kubernetes: 'v1.32.0' }); // the environment wins; the default applies
    expect(c.talosClusterName).toBe('main');
    // talosVersion unset everywhere: rackhand.yaml's versions fill in
    await writeFile(join(dir, 'talenv.yaml'), 'clusterName: main\ncp: cp1\n');
    await writeFile(path, GOOD.replace(/    nodes:\n(      - .*\n)+/, '    talconfig: ./talconfig.yaml\n'));
    expect(pickCluster(await loadConfig(path, undefined, {}), 'home').versions.talos).toBe('v1.12.1');
    // a node name left empty: the field and the unset variable are both named
    await writeFile(join(dir, 'talenv.yaml'), 'clusterName: main\n');
    await writeFile(join(dir, 'talenv.sops.yaml'), 'cp: ENC[AES256_GCM,data:x]\n');
    await expect(loadConfig(path, undefined, {})).rejects.toThrow(/nodes\.0\.hostname: [\s\S]*unset variable\(s\) .*\$\{cp\}: set them in .*talenv\.yaml or the environment \(.*talenv\.sops\.yaml is encrypted and was not read: set clusters\.<name>\.sopsAgeKey/);
  });

  it('names the cluster choices when --cluster is needed or wrong', async () => {
    const path = await file('rackhand.yaml', `${GOOD}  lab:\n${GOOD.split('\n').slice(2).join('\n')}`);
    const cfg = await loadConfig(path);
    expect(() => pickCluster(cfg, undefined)).toThrow('--cluster: expected one of home, lab');
    expect(() => pickCluster(cfg, 'prod')).toThrow('no cluster "prod"');
  });
});
