// Bootstrapping a brand-new cluster in an empty lab ("infra": three control planes and a worker, all in maintenance
// mode), step by step as the community's bootstrap does it, with the fake talosctl and helmfile and the real kubectl:
// apply-config --insecure, talosctl bootstrap (AlreadyExists the second time), kubeconfig, nodes NotReady until the
// CNI, CRDs from the CRD helmfile applied server-side, helmfile apply in needs order, Flux Kustomizations Ready.
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/lab.js';
import { closeLab, json, kubectl, ok, openLab, type Run, until } from './kubectl.js';
import { talosctl } from './talosctl.js';

const FIXTURES = resolve('test/testdata/helmfile');
const NODES = [['infra-cp1', '10.10.0.11', 'controlplane'], ['infra-cp2', '10.10.0.12', 'controlplane'], ['infra-cp3', '10.10.0.13', 'controlplane'], ['infra-w1', '10.10.0.21', 'worker']] as const;
const UNKNOWN_CA = 'rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"';
let lab: Lab;

async function helmfile(args: string[], input?: string): Promise<Run> {
  const r = await execa(`${lab.dir}/bin/helmfile`, args, { env: lab.env, cwd: FIXTURES, reject: false, timeout: 60_000, stripFinalNewline: false, ...(input !== undefined ? { input } : {}) });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
const config = (type: string, cluster = 'infra') => `version: v1alpha1\nmachine:\n    type: ${type}\n    install:\n        disk: /dev/sda\ncluster:\n    clusterName: ${cluster}\n    controlPlane:\n        endpoint: https://10.10.0.10:6443\n`;
const events = (...types: string[]) => lab.events.filter((e) => types.includes(e.type)).map((e) => `${e.type} ${e.object}`);

beforeAll(async () => {
  lab = await openLab({ empty: true, topology: 'lab/topologies/infra.yaml', rebootMs: 300, apiStartMs: 300 });
});
afterAll(async () => closeLab(lab));

describe('bootstrapping an empty lab', () => {
  it('starts with every machine in maintenance, no kubeconfig, and a Kubernetes API that drops connections', async () => {
    expect(lab.talos.machines.map((m) => `${m.name}:${m.stage}`)).toEqual(NODES.map(([n]) => `${n}:maintenance`));
    expect(existsSync(lab.kubeconfigPath)).toBe(false);
    expect(lab.env).toMatchObject({ KUBECONFIG: lab.kubeconfigPath, TALOSCONFIG: join(lab.dir, 'talosconfig') });
    const rackhand = await readFile(lab.configPath, 'utf8');
    expect(rackhand).toContain(`    bootstrap: ${resolve('bootstrap/infra')}\n    talconfig: ${resolve('talos/infra/talconfig.yaml')}\n`);
    expect(parse(await readFile(lab.talosconfigPath, 'utf8')).contexts.infra.endpoints).toEqual(['10.10.0.11', '10.10.0.12', '10.10.0.13']);
    await expect(fetch(`${lab.url}/version`)).rejects.toThrow();
    expect((await fetch(`${lab.url}/_lab/events`)).status).toBe(200);
    const version = await talosctl(lab, '-n', '10.10.0.21', 'version', '--insecure');
    expect(version.exitCode).toBe(0);
    expect(version.stdout).toContain('\tNODE:        10.10.0.21\n\tTag:         v1.12.1\n');
    expect((await talosctl(lab, '-n', '10.10.0.21', 'get', 'machineconfig')).stderr).toContain(UNKNOWN_CA);
    expect(await talosctl(lab, '-n', '10.10.0.11', 'bootstrap')).toMatchObject({ exitCode: 1, stderr: `error executing bootstrap: ${UNKNOWN_CA}\n` });
    expect(await talosctl(lab, '-n', '10.10.0.11', 'kubeconfig', lab.dir)).toMatchObject({ exitCode: 1, stderr: `error copying: ${UNKNOWN_CA}\n` });
  });

  it('apply-config --insecure configures the machines; a config for another role, cluster or type is refused', async () => {
    await writeFile(join(lab.dir, 'cp.yaml'), config('controlplane'));
    await writeFile(join(lab.dir, 'worker.yaml'), config('worker'));
    await writeFile(join(lab.dir, 'other.yaml'), config('worker', 'apps'));
    await writeFile(join(lab.dir, 'bad.yaml'), config('master'));
    const role = await talosctl(lab, '-n', '10.10.0.21', 'apply-config', '--insecure', '-f', 'cp.yaml');
    expect(role).toMatchObject({ exitCode: 1, stderr: 'error applying new configuration: rpc error: code = InvalidArgument desc = 1 error occurred:\n\t* machine.type "controlplane" does not match the lab topology: node infra-w1 is a worker\n\n\n' });
    expect((await talosctl(lab, '-n', '10.10.0.21', 'apply-config', '--insecure', '-f', 'other.yaml')).stderr).toContain('* cluster.clusterName "apps" does not match the lab topology: node infra-w1 belongs to cluster "infra"');
    expect((await talosctl(lab, '-n', '10.10.0.21', 'apply-config', '--insecure', '-f', 'bad.yaml')).stderr).toBe('error applying new configuration: rpc error: code = InvalidArgument desc = unknown machine type: "master"\n');
    for (const [, address, role] of NODES) {
      expect(await talosctl(lab, '-n', address, 'apply-config', '--insecure', '-f', role === 'worker' ? 'worker.yaml' : 'cp.yaml')).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
    }
    await until('every machine installed and running', () => lab.talos.machines.every((m) => m.stage === 'running'), 10_000);
    // configured: the maintenance API answers no more (the community greps "certificate required" to skip the node)
    expect((await talosctl(lab, '-n', '10.10.0.11', 'apply-config', '--insecure', '-f', 'cp.yaml')).stderr).toContain('tls: certificate required');
    expect(lab.store.list('nodes').items).toEqual([]); // no kube-apiserver yet: no kubelet registered
  });

  it('the admin kubeconfig is served by a configured control plane (mode 0600), but kubectl cannot connect before bootstrap', async () => {
    const r = await talosctl(lab, '-n', '10.10.0.11', 'kubeconfig', '-f', '--force-context-name', 'main', lab.dir);
    expect(r).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
    expect((await stat(lab.kubeconfigPath)).mode & 0o777).toBe(0o600);
    const kc = parse(await readFile(lab.kubeconfigPath, 'utf8'));
    // a fresh file is written as downloaded: --force-context-name applies to merges only (kubeconfig.go)
    expect(kc['current-context']).toBe('admin@infra');
    expect(kc.clusters[0].cluster.server).toBe(lab.url);
    expect((await talosctl(lab, '-n', '10.10.0.21', 'kubeconfig', join(lab.dir, 'w1.kubeconfig'))).stderr).toBe('error copying: rpc error: code = Unimplemented desc = kubeconfig is only available on control plane nodes\n');
    expect((await talosctl(lab, '-n', '10.10.0.11', 'kubeconfig', '--merge=false', lab.dir)).stderr).toBe(`kubeconfig file already exists, use --force to overwrite: ${JSON.stringify(lab.kubeconfigPath)}\n`);
    const readyz = await kubectl(lab, 'get', '--raw', '/readyz', '--request-timeout=1s');
    expect(readyz.exitCode).toBe(1);
    expect(readyz.stderr).toMatch(/EOF|connection reset/);
    expect((await talosctl(lab, '-n', '10.10.0.11', 'etcd', 'members')).stderr).toContain('failed to create etcd client: no controlplane endpoints discovered yet');
    const helm = await helmfile(['-f', '01-apps.yaml', 'sync']);
    expect(helm.exitCode).toBe(1);
    expect(helm.stderr).toContain(`STDERR:\n  Error: Kubernetes cluster unreachable: Get "${lab.url}/version": EOF\n`);
  }, 30_000);

  it('merging into an existing kubeconfig renames what conflicts and activates the (forced) context name', async () => {
    const path = join(lab.dir, 'merged');
    await writeFile(path, stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'infra', cluster: { server: 'https://10.10.0.10:6443' } }], users: [], contexts: [], 'current-context': '' }), { mode: 0o644 });
    const r = await talosctl(lab, '-n', '10.10.0.11', 'kubeconfig', '--force-context-name', 'main', path);
    expect(r.stdout).toBe('renamed cluster "infra" -> "infra-1"\nrenamed auth info "admin@infra" -> "admin@infra-1"\nrenamed context "admin@infra" -> "main"\n');
    const kc = parse(await readFile(path, 'utf8'));
    expect(kc['current-context']).toBe('main');
    expect(kc.contexts).toEqual([{ name: 'main', context: { cluster: 'infra-1', user: 'admin@infra-1', namespace: 'default' } }]);
    // clientcmd.WriteToFile => os.WriteFile(path, data, 0600): the mode only applies to a file it creates
    expect((await stat(path)).mode & 0o777).toBe(0o644);
  });

  it('bootstrap starts etcd on one control plane; a second one answers AlreadyExists; a worker cannot bootstrap', async () => {
    expect((await talosctl(lab, '-n', '10.10.0.21', 'bootstrap')).stderr).toBe('error executing bootstrap: rpc error: code = FailedPrecondition desc = bootstrap can only be performed on a control plane node\n');
    expect(await talosctl(lab, '-n', '10.10.0.11', 'bootstrap')).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
    const again = await talosctl(lab, '-n', '10.10.0.12', 'bootstrap');
    expect(again).toMatchObject({ exitCode: 1, stderr: 'error executing bootstrap: rpc error: code = AlreadyExists desc = etcd data directory is not empty\n' });
    await until('the API server answers', async () => (await fetch(`${lab.url}/readyz`).catch(() => undefined))?.status === 200, 5_000);
    expect(await ok(lab, 'get', '--raw', '/readyz')).toBe('ok');
    expect(events('talos-bootstrap', 'api-up')).toEqual(['talos-bootstrap infra-cp1', 'api-up infra']);
    const members = (await talosctl(lab, '-n', '10.10.0.11', 'etcd', 'members')).stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[2]);
    expect(members).toEqual(['infra-cp1', 'infra-cp2', 'infra-cp3']);
  });

  it('the nodes register NotReady (no CNI yet) and kube-apiserver made only its own namespaces', async () => {
    await until('four nodes', () => lab.store.list('nodes').items.length === 4, 5_000);
    const nodes = await json(lab, 'get', 'nodes');
    for (const n of nodes.items) {
      expect(n.status.conditions.find((c: any) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'KubeletNotReady', message: expect.stringContaining('cni plugin not initialized') });
    }
    expect((await kubectl(lab, 'wait', 'nodes', '--all', '--for=condition=Ready=False', '--timeout=5s')).exitCode).toBe(0);
    expect(await ok(lab, 'get', 'namespaces', '-o', 'name')).toBe('namespace/default\nnamespace/kube-node-lease\nnamespace/kube-public\nnamespace/kube-system');
    expect((await kubectl(lab, 'get', 'crd')).stderr).toBe('No resources found');
    expect((await kubectl(lab, 'get', 'kustomizations')).stderr).toContain('the server doesn\'t have a resource type "kustomizations"');
  });

  it('the CRD helmfile\'s CRDs apply server-side and are served and Established', async () => {
    const t = await helmfile(['-f', '00-crds.yaml', 'template', '-q']);
    expect(t.exitCode).toBe(0);
    // what the community's `yq ea -e 'select(.kind == "CustomResourceDefinition")'` does
    const crds = parseAllDocuments(t.stdout).map((d) => d.toJS()).filter((o) => o?.kind === 'CustomResourceDefinition');
    const applied = await execa('/usr/bin/kubectl', ['apply', '--server-side', '--force-conflicts', '-f', '-'], { env: lab.env, input: crds.map((o) => `---\n${stringify(o)}`).join(''), reject: false });
    expect(applied.exitCode).toBe(0);
    expect(applied.stdout).toContain('customresourcedefinition.apiextensions.k8s.io/certificates.cert-manager.io serverside-applied\n');
    const names = (await ok(lab, 'get', 'crd', '-o', 'name')).trim().split('\n');
    expect(names).toEqual(expect.arrayContaining(['customresourcedefinition.apiextensions.k8s.io/clustersecretstores.external-secrets.io', 'customresourcedefinition.apiextensions.k8s.io/fluxinstances.fluxcd.controlplane.io', 'customresourcedefinition.apiextensions.k8s.io/servicemonitors.monitoring.coreos.com']));
    expect(names).toHaveLength(19);
    expect((await kubectl(lab, 'wait', '--for=condition=Established', 'crd/certificates.cert-manager.io', '--timeout=5s')).exitCode).toBe(0);
    expect((await kubectl(lab, 'get', 'clustersecretstores')).stderr).toBe('No resources found'); // cluster-scoped
  });

  it('helmfile apply installs the releases in needs order; the nodes turn Ready with the CNI; Flux reconciles', async () => {
    const r = await helmfile(['-f', '01-apps.yaml', 'apply', '--skip-diff-on-install', '--detailed-exitcode']);
    expect(r.exitCode).toBe(2);
    const order = events('helm-release-installed', 'node-ready');
    expect(order.filter((e) => e.startsWith('helm'))).toEqual(['cilium', 'kube-system/coredns', 'kube-system/spegel', 'cert-manager/cert-manager', 'external-secrets/external-secrets', 'flux-system/flux-operator', 'flux-system/flux-instance']
      .map((o) => `helm-release-installed ${o.includes('/') ? o : `kube-system/${o}`}`));
    // the kubelets turn Ready once cilium is in, before the releases that need it
    expect(order.indexOf('node-ready infra-w1')).toBeLessThan(order.indexOf('helm-release-installed kube-system/coredns'));
    expect(r.stderr).toMatch(/\nUPDATED RELEASES:\nNAME +NAMESPACE +CHART +VERSION +DURATION\ncilium +kube-system +oci:\/\/ghcr\.io\/home-operations\/charts-mirror\/cilium +1\.18\.1 +\d+s\n/);
    expect((await kubectl(lab, 'wait', 'nodes', '--all', '--for=condition=Ready', '--timeout=10s')).exitCode).toBe(0);
    const secrets = (await json(lab, 'get', 'secrets', '-A', '-l', 'owner=helm')).items;
    expect(secrets.map((s: any) => [s.metadata.namespace, s.metadata.name, s.type, s.metadata.labels.status, s.metadata.labels.version])).toEqual(expect.arrayContaining([
      ['kube-system', 'sh.helm.release.v1.cilium.v1', 'helm.sh/release.v1', 'deployed', '1'],
      ['flux-system', 'sh.helm.release.v1.flux-instance.v1', 'helm.sh/release.v1', 'deployed', '1'],
    ]));
    expect(secrets).toHaveLength(7);
    expect((await kubectl(lab, 'wait', '-n', 'flux-system', '--for=condition=Ready', 'kustomizations', '--all', '--timeout=10s')).exitCode).toBe(0);
    expect((await ok(lab, 'get', 'kustomizations', '-n', 'flux-system', '-o', 'name'))).toBe('kustomization.kustomize.toolkit.fluxcd.io/cluster-apps\nkustomization.kustomize.toolkit.fluxcd.io/flux-system');
    const git = await json(lab, 'get', 'gitrepository', 'flux-system', '-n', 'flux-system');
    expect(git.spec).toMatchObject({ url: 'https://github.com/example/home-ops', ref: { branch: 'main' } });
    expect((await kubectl(lab, 'rollout', 'status', '-n', 'flux-system', 'deployment/source-controller', 'deployment/kustomize-controller', 'deployment/helm-controller', 'deployment/notification-controller', '--timeout=10s')).exitCode).toBe(0);
  }, 60_000);

  it('a second apply changes nothing: exit 0 with --detailed-exitcode, no new release revision', async () => {
    const before = lab.events.length;
    const r = await helmfile(['-f', '01-apps.yaml', 'apply', '--detailed-exitcode']);
    expect(r).toMatchObject({ exitCode: 0, stdout: '' });
    expect(r.stderr).toContain('\nNo affected releases\n');
    expect(lab.events.slice(before).filter((e) => e.type.startsWith('helm-'))).toEqual([]);
    expect((await json(lab, 'get', 'secrets', '-A', '-l', 'owner=helm')).items.map((s: any) => s.metadata.labels.version)).toEqual(Array(7).fill('1'));
  });
});

describe('lab daemon --empty', () => {
  it('writes state.json without waiting for the machines, with TALOSCONFIG in its env and no kubeconfig yet', async () => {
    const dir = join(lab.dir, 'daemon');
    const proc = execa('npx', ['tsx', 'lab/daemon.ts', '--dir', dir, '--topology', 'lab/topologies/apps.yaml', '--empty'], { reject: false });
    let state: any;
    await until('state.json', async () => {
      state = await readFile(join(dir, 'state.json'), 'utf8').then(JSON.parse, () => undefined);
      return !!state;
    }, 20_000);
    expect(state.env).toMatchObject({ KUBECONFIG: join(dir, 'kubeconfig'), TALOSCONFIG: join(dir, 'talosconfig') });
    expect(existsSync(join(dir, 'kubeconfig'))).toBe(false);
    const r = await execa(join(dir, 'bin', 'talosctl'), ['-n', '10.20.0.21', 'get', 'machinestatus', '--insecure', '-o', 'json'], { env: state.env, reject: false });
    expect(JSON.parse(r.stdout).spec.stage).toBe('maintenance');
    process.kill(state.pid, 'SIGTERM');
    expect((await proc).exitCode).toBe(0);
  }, 40_000);
});
