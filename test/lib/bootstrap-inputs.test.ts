// The example clusters' bootstrap inputs (bootstrap/, helmfile/values/, talos/<cluster>/) hold together: every file
// parses, helmfile values paths exist, the release chain is the documented order, secrets use only the lab vault's
// references, namespaces cover what the releases and secrets use, and the Talos files agree with each other and
// with what rackhand reads from a talconfig.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { readTalconfig } from '../../lib/config/talconfig.ts';

const root = process.cwd();
type Doc = Record<string, any>;

interface Release { name: string; namespace: string; chart: string; version: string; values?: string[]; needs?: string[] }
interface Helmfile { helmDefaults: Doc; releases: Release[] }

function yamlDocs(path: string): Doc[] {
  const docs = parseAllDocuments(readFileSync(path, 'utf8'));
  if (!Array.isArray(docs)) return [];
  for (const d of docs) expect(d.errors.map((e) => e.message), path).toEqual([]);
  return docs.map((d) => d.toJS() as Doc).filter((d) => d !== null);
}

function yamlFile(path: string): Doc {
  const docs = yamlDocs(path);
  expect(docs, path).toHaveLength(1);
  return docs[0]!;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

const APPS_ORDER = ['kube-system/cilium', 'kube-system/coredns', 'kube-system/spegel', 'cert-manager/cert-manager',
  'external-secrets/external-secrets', 'flux-system/flux-operator', 'flux-system/flux-instance'];

const OP_REFS: Record<string, { secret: string; key: string }> = {
  'op://homelab/cloudflare/api-token': { secret: 'cert-manager/cloudflare-api-token', key: 'api-token' },
  'op://homelab/1password-service-account/token': { secret: 'external-secrets/onepassword-service-account', key: 'token' },
  'op://homelab/flux/github-token': { secret: 'flux-system/flux-git-auth', key: 'password' },
};

const CLUSTERS = [
  {
    name: 'infra', endpoint: 'https://10.10.0.10:6443', pods: '10.42.0.0/16', services: '10.43.0.0/16', dns: '10.43.0.10',
    nodes: ['infra-cp1/10.10.0.11/controlplane', 'infra-cp2/10.10.0.12/controlplane', 'infra-cp3/10.10.0.13/controlplane', 'infra-w1/10.10.0.21/worker'],
  },
  {
    name: 'apps', endpoint: 'https://10.20.0.10:6443', pods: '10.44.0.0/16', services: '10.45.0.0/16', dns: '10.45.0.10',
    nodes: ['apps-cp1/10.20.0.11/controlplane', 'apps-w1/10.20.0.21/worker', 'apps-w2/10.20.0.22/worker'],
  },
];

/** Helm's merge of values files: maps merge key by key, anything else is replaced by the later file. */
function merge(a: Doc, b: Doc): Doc {
  const out: Doc = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const isMap = (x: unknown): x is Doc => typeof x === 'object' && x !== null && !Array.isArray(x);
    out[k] = isMap(out[k]) && isMap(v) ? merge(out[k], v) : v;
  }
  return out;
}

const key = (r: { namespace: string; name: string }): string => `${r.namespace}/${r.name}`;

describe('shared helm values', () => {
  it('parse as plain YAML maps', () => {
    for (const f of filesUnder(join(root, 'helmfile/values'))) expect(typeof yamlFile(f), f).toBe('object');
  });

  it('set the Talos-specific Cilium settings for kube-proxy replacement through KubePrism', () => {
    const v = yamlFile(join(root, 'helmfile/values/cilium.yaml'));
    expect(v).toMatchObject({
      kubeProxyReplacement: true, k8sServiceHost: 'localhost', k8sServicePort: 7445,
      cgroup: { autoMount: { enabled: false }, hostRoot: '/sys/fs/cgroup' }, ipam: { mode: 'kubernetes' },
    });
    expect(v.securityContext.capabilities.ciliumAgent).not.toContain('SYS_MODULE');
  });
});

describe.each(CLUSTERS)('cluster $name', (c) => {
  const dir = join(root, 'bootstrap', c.name);
  const crdsPath = join(dir, 'helmfile.d/00-crds.yaml');
  const appsPath = join(dir, 'helmfile.d/01-apps.yaml');
  const crds = yamlFile(crdsPath) as Helmfile;
  const apps = yamlFile(appsPath) as Helmfile;
  const namespaces = yamlDocs(join(dir, 'namespaces.yaml'));
  const secretsText = readFileSync(join(dir, 'secrets.yaml.tpl'), 'utf8');
  const secrets = yamlDocs(join(dir, 'secrets.yaml.tpl'));
  const talconfigPath = join(root, 'talos', c.name, 'talconfig.yaml');
  const talconfig = yamlFile(talconfigPath);
  const values = (release: string): Doc => {
    const r = apps.releases.find((x) => x.name === release)!;
    return (r.values ?? []).map((v) => yamlFile(resolve(dirname(appsPath), v))).reduce(merge, {});
  };

  it('has every bootstrap file parse as YAML', () => {
    for (const f of filesUnder(dir).filter((p) => /\.ya?ml(\.tpl)?$/.test(p))) expect(yamlDocs(f).length, f).toBeGreaterThan(0);
  });

  it('renders only CRDs from 00-crds.yaml, for the CRD-carrying charts at the versions 01-apps.yaml installs', () => {
    expect(crds.helmDefaults.args).toEqual(['--include-crds', '--no-hooks']);
    expect(crds.releases.map(key)).toEqual(['cert-manager/cert-manager', 'external-secrets/external-secrets', 'flux-system/flux-operator']);
    for (const r of crds.releases) {
      const installed = apps.releases.find((a) => key(a) === key(r));
      expect(installed && { chart: installed.chart, version: installed.version }, key(r)).toEqual({ chart: r.chart, version: r.version });
    }
  });

  it('points every values path of both helmfiles at a file that exists', () => {
    for (const [path, hf] of [[crdsPath, crds], [appsPath, apps]] as const) {
      for (const r of hf.releases) {
        for (const v of r.values ?? []) expect(existsSync(resolve(dirname(path), v)), `${relative(root, path)} ${r.name}: ${v}`).toBe(true);
      }
    }
  });

  it('lists the shared values file first and the cluster file after it', () => {
    for (const r of apps.releases) {
      const files = (r.values ?? []).map((v) => relative(root, resolve(dirname(appsPath), v)));
      expect(files[0], r.name).toBe(`helmfile/values/${r.name}.yaml`);
      expect(files.slice(1).every((f) => f === `bootstrap/${c.name}/values/${r.name}.yaml`), r.name).toBe(true);
    }
  });

  it('chains 01-apps.yaml releases in the bootstrap order, each needing the one before', () => {
    expect(apps.releases.map(key)).toEqual(APPS_ORDER);
    const names = new Set(apps.releases.map(key));
    apps.releases.forEach((r, i) => {
      expect(r.needs ?? [], r.name).toEqual(i === 0 ? [] : [APPS_ORDER[i - 1]]);
      for (const n of r.needs ?? []) expect(names.has(n), `${r.name} needs ${n}`).toBe(true);
      expect(r.chart, r.name).toMatch(/^oci:\/\//);
      expect(String(r.version), r.name).toMatch(/^v?\d+\.\d+\.\d+$/);
    });
    expect(apps.helmDefaults).toMatchObject({ cleanupOnFail: true, wait: true, waitForJobs: true, recreatePods: false, force: false });
    expect(apps.helmDefaults.timeout).toBeGreaterThan(0);
  });

  it('uses only the lab vault references in secrets.yaml.tpl, each in its Secret and key', () => {
    const refs = secretsText.match(/op:\/\/[^\s"']+/g) ?? [];
    expect([...new Set(refs)].sort()).toEqual(Object.keys(OP_REFS).sort());
    for (const [ref, want] of Object.entries(OP_REFS)) {
      const s = secrets.find((d) => `${d.metadata.namespace}/${d.metadata.name}` === want.secret);
      expect(s?.kind, want.secret).toBe('Secret');
      expect(s?.stringData?.[want.key], want.secret).toBe(ref);
    }
    const git = secrets.find((d) => d.metadata.name === 'flux-git-auth');
    expect(git?.stringData).toEqual({ username: 'git', password: 'op://homelab/flux/github-token' });
    expect(values('flux-instance').instance.sync.pullSecret).toBe('flux-git-auth');
  });

  it('declares every namespace the releases and secrets use, except kube-system', () => {
    expect(namespaces.every((d) => d.apiVersion === 'v1' && d.kind === 'Namespace')).toBe(true);
    const declared = namespaces.map((d) => d.metadata.name as string);
    const used = new Set([...crds.releases, ...apps.releases].map((r) => r.namespace).concat(secrets.map((s) => s.metadata.namespace)));
    used.delete('kube-system');
    expect(declared.sort()).toEqual([...used].sort());
  });

  it('is read by rackhand as the documented cluster', async () => {
    const data = await readTalconfig(talconfigPath);
    expect(data.versions).toEqual({ talos: 'v1.12.1', kubernetes: 'v1.33.4' });
    expect(data.nodes.map((n) => `${n.name}/${n.address}/${n.role}`)).toEqual(c.nodes);
    expect(data.nodes.every((n) => /^factory\.talos\.dev\/installer\/[0-9a-f]{64}$/.test(n.installer ?? ''))).toBe(true);
    expect(talconfig).toMatchObject({ clusterName: c.name, endpoint: c.endpoint, clusterPodNets: [c.pods], clusterSvcNets: [c.services], cniConfig: { name: 'none' } });
  });

  it('has one clusterconfig file per talconfig node, with the matching role, hostname and cluster', () => {
    const ccDir = join(root, 'talos', c.name, 'clusterconfig');
    const nodes = talconfig.nodes as Doc[];
    expect(readdirSync(ccDir).sort()).toEqual(nodes.map((n) => `${c.name}-${n.hostname}.yaml`).sort());
    for (const n of nodes) {
      const cfg = yamlFile(join(ccDir, `${c.name}-${n.hostname}.yaml`));
      const at = `${c.name}-${n.hostname}.yaml`;
      expect(cfg.version, at).toBe('v1alpha1');
      expect(cfg.machine.type, at).toBe(n.controlPlane ? 'controlplane' : 'worker');
      expect(cfg.machine.network.hostname, at).toBe(n.hostname);
      expect(cfg.machine.install, at).toMatchObject({ disk: n.installDisk, image: `${n.talosImageURL}:${talconfig.talosVersion}` });
      expect(cfg.cluster, at).toMatchObject({
        clusterName: c.name, controlPlane: { endpoint: c.endpoint },
        network: { cni: { name: 'none' }, podSubnets: [c.pods], serviceSubnets: [c.services] },
      });
      expect(Boolean(cfg.cluster.proxy?.disabled), at).toBe(Boolean(n.controlPlane));
    }
  });

  it('gives Cilium, CoreDNS and Flux the values of this cluster', () => {
    expect(values('cilium')).toMatchObject({ cluster: { name: c.name }, ipv4NativeRoutingCIDR: c.pods });
    expect(values('coredns').service.clusterIP).toBe(c.dns);
    expect(values('flux-instance').instance.sync).toMatchObject({ kind: 'GitRepository', ref: 'refs/heads/main', path: `kubernetes/${c.name}/flux/cluster` });
    expect(values('flux-instance').instance.distribution.version).toBe('2.x');
  });
});

describe('the two clusters', () => {
  it('use distinct Cilium cluster ids and non-overlapping CIDRs', () => {
    const ids = CLUSTERS.map((c) => parse(readFileSync(join(root, 'bootstrap', c.name, 'values/cilium.yaml'), 'utf8')).cluster.id);
    expect(new Set(ids).size).toBe(CLUSTERS.length);
    const cidrs = CLUSTERS.flatMap((c) => [c.pods, c.services]);
    expect(new Set(cidrs).size).toBe(cidrs.length);
  });
});

describe('secret templates as the community writes them', () => {
  it('one template mixing Namespaces, Secrets and other objects: namespaces.yaml optional, each document keeps its kind', async () => {
    const { cpSync, mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { readInputs, renderSecrets } = await import('../../lib/bootstrap/inputs.ts');
    const dir = mkdtempSync(join(tmpdir(), 'rh-bootstrap-'));
    cpSync(join(process.cwd(), 'bootstrap', 'infra', 'helmfile.d'), join(dir, 'helmfile.d'), { recursive: true });
    // modelled on joryirving/home-ops bootstrap/secrets.yaml.tpl (a Namespace, then the Secret that goes into it)
    writeFileSync(join(dir, 'secrets.yaml.tpl'), [
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: external-secrets\n',
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: onepassword-secret\n  namespace: external-secrets\nstringData:\n  token: op://homelab/1password/OP_CONNECT_TOKEN\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-settings\n  namespace: flux-system\ndata:\n  DOMAIN: "{{ op://homelab/cluster/domain }}"\n',
    ].join('---\n'));
    const inputs = readInputs(dir, 'test');
    expect(inputs.namespaces.map((n) => n.metadata.name)).toEqual(['external-secrets']);
    expect(inputs.secrets.map((s) => s.kind)).toEqual(['Secret', 'ConfigMap']);
    expect(inputs.references).toEqual(['op://homelab/1password/OP_CONNECT_TOKEN', 'op://homelab/cluster/domain']);
    const rendered = renderSecrets(inputs.secrets, new Map([['op://homelab/1password/OP_CONNECT_TOKEN', 's3cret'], ['op://homelab/cluster/domain', 'example.org']]));
    expect(rendered[0]).toMatchObject({ kind: 'Secret', stringData: { token: 's3cret' } });
    expect(rendered[1]).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-settings', namespace: 'flux-system' }, data: { DOMAIN: 'example.org' } });
  });
});
