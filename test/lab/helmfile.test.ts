// The fake helmfile against a running lab (the "apps" topology, configured and Ready): template output and its CRD
// rule, list, input errors, the DAG order and what a failing release leaves behind, apply's change detection, sync,
// and helm's "cluster unreachable".
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/lab.js';
import { closeLab, json, openLab, type Run } from './kubectl.js';

const FIXTURES = resolve('test/testdata/helmfile');
let lab: Lab;
let hf: string; // a writable copy of the fixtures

async function helmfile(...args: string[]): Promise<Run> {
  const r = await execa(`${lab.dir}/bin/helmfile`, args, { env: lab.env, cwd: hf, reject: false, timeout: 60_000, stripFinalNewline: false });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

const kinds = (yaml: string) => parseAllDocuments(yaml).map((d) => d.toJS()).filter(Boolean).map((o: any) => `${o.kind}/${o.metadata.name}`);
const installed = () => lab.events.filter((e) => e.type === 'helm-release-installed').map((e) => `${e.object}#${e.detail}`);
const releaseSecrets = async (): Promise<string[]> => (await json(lab, 'get', 'secrets', '-A', '-l', 'owner=helm')).items
  .map((s: any) => `${s.metadata.namespace}/${s.metadata.name}=${s.metadata.labels.status}`).sort();

beforeAll(async () => {
  lab = await openLab({ topology: 'lab/topologies/apps.yaml', rebootMs: 300 });
  hf = join(lab.dir, 'helmfile.d');
  await cp(FIXTURES, hf, { recursive: true });
});
afterAll(async () => closeLab(lab));

describe('fake helmfile: state layering as helmfile 1.x does it (bases, documents, templates + inherit, environments)', () => {
  beforeAll(async () => { await (await import('node:fs/promises')).mkdir(join(hf, '../layers'), { recursive: true }); });

  it('build prints the layered state: a base under the file, several documents merged, inherited fields resolved', async () => {
    await writeFile(join(hf, '../layers/layer-base.yaml'), 'helmDefaults:\n  wait: true\n  timeout: 600\nrepositories:\n  - { name: base, url: https://charts.example.org }\n');
    await writeFile(join(hf, '../layers/layered.yaml'), [
      'bases: [./layer-base.yaml]',
      'templates:\n  ks:\n    namespace: kube-system\n    labels: { tier: net }\nreleases:\n  - name: a\n    chart: oci://example.org/charts/a\n    inherit: [{ template: ks }]',
      'environments:\n  staging: {}\nreleases:\n  - name: b\n    chart: oci://example.org/charts/b\n    inherit: [{ template: ks, except: [labels] }]\n    needs: [kube-system/a]\n  - name: off\n    namespace: x\n    chart: oci://example.org/charts/off\n    installed: false',
    ].join('\n---\n'));
    const r = await helmfile('-f', '../layers/layered.yaml', 'build');
    expect(r.exitCode, r.stderr).toBe(0);
    const [state] = parseAllDocuments(r.stdout).map((d) => d.toJS());
    expect(r.stdout.startsWith('---\n#  Source: ../layers/layered.yaml\n')).toBe(true);
    expect(state.helmDefaults).toEqual({ wait: true, timeout: 600 });
    expect(state.repositories).toEqual([{ name: 'base', url: 'https://charts.example.org' }]);
    expect(state.releases).toEqual([
      { name: 'a', namespace: 'kube-system', chart: 'oci://example.org/charts/a', labels: { tier: 'net' } },
      { name: 'b', namespace: 'kube-system', chart: 'oci://example.org/charts/b', needs: ['kube-system/a'] },
      { name: 'off', namespace: 'x', chart: 'oci://example.org/charts/off', installed: false },
    ]);
    const list = await helmfile('-f', '../layers/layered.yaml', 'list', '--output', 'json');
    expect(JSON.parse(list.stdout).map((x: { name: string; namespace: string }) => `${x.namespace}/${x.name}`)).toEqual(['kube-system/a', 'kube-system/b', 'x/off']);
  });

  it('refuses an undefined template, an undefined environment, a missing base and a Go-templated state file', async () => {
    await writeFile(join(hf, '../layers/bad-template.yaml'), 'releases:\n  - name: a\n    chart: x/a\n    inherit: [{ template: nope }]\n');
    expect((await helmfile('-f', '../layers/bad-template.yaml', 'build')).stderr).toContain('release a inherits from undefined template "nope"');
    expect((await helmfile('-f', '../layers/layered.yaml', '-e', 'prod', 'build')).stderr).toContain('environment "prod" is not defined');
    await writeFile(join(hf, '../layers/bad-base.yaml'), 'bases: [./gone.yaml]\n---\nreleases: []\n');
    expect((await helmfile('-f', '../layers/bad-base.yaml', 'build')).stderr).toContain('failed to load base ./gone.yaml');
    await writeFile(join(hf, '../layers/templated.yaml.gotmpl'), 'releases: []\n');
    const g = await helmfile('-f', '../layers/templated.yaml.gotmpl', 'build');
    expect(g.exitCode).toBe(1);
    expect(g.stderr).toContain('does not render Go templates');
  });
});

describe('fake helmfile: template and list (no cluster needed)', () => {
  it('template prints each release as helm does, with CRDs only when --include-crds is given', async () => {
    const plain = await helmfile('-f', '01-apps.yaml', 'template', '-l', 'name=cert-manager');
    expect(plain.exitCode).toBe(0);
    expect(plain.stderr).toBe('Templating release=cert-manager, chart=oci://quay.io/jetstack/charts/cert-manager\n');
    expect(plain.stdout).toMatch(/^---\n# Source: cert-manager\/templates\/cert-manager\/serviceaccount\.yaml\napiVersion: v1\nkind: ServiceAccount\n/);
    expect(kinds(plain.stdout)).toContain('Deployment/cert-manager-webhook');
    expect(kinds(plain.stdout).filter((k) => k.startsWith('CustomResourceDefinition/'))).toEqual([]);
    const crds = await helmfile('-f', '01-apps.yaml', 'template', '-q', '--include-crds', '-l', 'name=cert-manager');
    expect(crds.stderr).toBe('');
    expect(kinds(crds.stdout).filter((k) => k.startsWith('CustomResourceDefinition/'))).toEqual([
      'CustomResourceDefinition/certificates.cert-manager.io', 'CustomResourceDefinition/certificaterequests.cert-manager.io',
      'CustomResourceDefinition/issuers.cert-manager.io', 'CustomResourceDefinition/clusterissuers.cert-manager.io',
      'CustomResourceDefinition/orders.acme.cert-manager.io', 'CustomResourceDefinition/challenges.acme.cert-manager.io',
    ]);
    expect(crds.stdout).toContain('# Source: cert-manager/crds/certificates.cert-manager.io.yaml\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n');
  });

  it('the CRD helmfile renders its CRDs through helmDefaults.args --include-crds, ordinary objects included', async () => {
    const r = await helmfile('-f', '00-crds.yaml', 'template', '-q');
    expect(r.exitCode).toBe(0);
    const all = kinds(r.stdout);
    expect(all).toContain('CustomResourceDefinition/fluxinstances.fluxcd.controlplane.io');
    expect(all).toContain('CustomResourceDefinition/servicemonitors.monitoring.coreos.com');
    expect(all).toContain('CustomResourceDefinition/externalsecrets.external-secrets.io');
    expect(all).toContain('Deployment/flux-operator'); // callers filter kind == CustomResourceDefinition themselves
  });

  it('template follows the needs order and list shows the releases of a folder of state files', async () => {
    const r = await helmfile('-f', '01-apps.yaml', 'template');
    expect(r.stderr.trim().split('\n').map((l) => l.replace(/^Templating release=([^,]+),.*$/, '$1'))).toEqual(['cilium', 'coredns', 'spegel', 'cert-manager', 'external-secrets', 'flux-operator', 'flux-instance']);
    const list = await helmfile('-f', '.', 'list', '-l', 'namespace=flux-system');
    expect(list.exitCode).toBe(0);
    expect(list.stdout.split('\n')[0]).toMatch(/^NAME\s+\tNAMESPACE\s*\tENABLED\tINSTALLED\tLABELS\tCHART\s+\tVERSION$/);
    expect(list.stdout.split('\n').slice(1).filter(Boolean).map((l) => l.split('\t')[0]!.trim())).toEqual(['flux-operator', 'flux-operator', 'flux-instance']);
  });

  it('refuses a missing values file, an undefined need and an unknown flag like helmfile', async () => {
    const bad = join(hf, 'bad.yaml');
    await writeFile(bad, 'releases:\n  - name: a\n    namespace: x\n    chart: oci://example/a\n    values: [./values/missing.yaml]\n');
    const values = await helmfile('-f', 'bad.yaml', 'template');
    expect(values.exitCode).toBe(1);
    expect(values.stderr).toBe(`in bad.yaml: failed processing release a: failed to render values files "./values/missing.yaml": open ${join(hf, 'values/missing.yaml')}: no such file or directory\n`);
    await writeFile(bad, 'releases:\n  - name: a\n    namespace: x\n    chart: oci://example/a\n    needs: [x/b]\n');
    const needs = await helmfile('-f', 'bad.yaml', 'template');
    expect(needs.stderr).toBe('in bad.yaml: release(s) "x/a" depend(s) on an undefined release "x/b". Perhaps you made a typo in "needs" or forgot defining a release named "b" with appropriate "namespace" and "kubeContext"?\n');
    const flag = await helmfile('-f', 'bad.yaml', 'template', '--nope');
    expect(flag).toMatchObject({ exitCode: 1, stderr: 'Error: unknown flag: --nope\n' });
    const none = await helmfile('-f', '01-apps.yaml', 'template', '-l', 'name=nothing');
    expect(none.exitCode).toBe(1);
    expect((await helmfile('-f', '01-apps.yaml', 'template', '-l', 'name=nothing', '--allow-no-matching-release')).exitCode).toBe(0);
  });
});

describe('fake helmfile: sync and apply against the lab', () => {
  it('fails like helm when the cluster is unreachable: no kubeconfig, an unknown context', async () => {
    const none = await execa(`${lab.dir}/bin/helmfile`, ['-f', '01-apps.yaml', 'apply'], { env: { ...lab.env, KUBECONFIG: join(lab.dir, 'nope') }, cwd: hf, reject: false });
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toContain('Comparing release=cilium, chart=oci://ghcr.io/home-operations/charts-mirror/cilium\nin 01-apps.yaml: failed processing release cilium: command "/usr/local/bin/helm" exited with non-zero status:\n\nPATH:\n  /usr/local/bin/helm\n\nARGS:\n  0: helm (4 bytes)\n  1: diff (4 bytes)\n');
    expect(none.stderr).toContain('\n\nSTDERR:\n  Error: Kubernetes cluster unreachable: invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable\n');
    const ctx = await helmfile('-f', '01-apps.yaml', '--kube-context', 'nope', 'sync');
    expect(ctx.stderr).toContain('Error: Kubernetes cluster unreachable: context "nope" does not exist');
    expect(installed()).toEqual([]);
  });

  it('a FluxInstance without the flux-operator CRDs fails as helm does; the CRD helmfile is not for sync', async () => {
    const r = await helmfile('-f', '01-apps.yaml', 'sync', '-l', 'name=flux-instance');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('Error: unable to build kubernetes objects from release manifest: resource mapping not found for name: "flux" namespace: "flux-system" from "": no matches for kind "FluxInstance" in version "fluxcd.controlplane.io/v1"\n  ensure CRDs are installed first');
    expect(r.stderr).toMatch(/\nFAILED RELEASES:\nNAME {12}NAMESPACE {5}CHART {54}VERSION {3}DURATION\nflux-instance {3}flux-system {3}oci:\/\/\S+ {3}0\.27\.0 {10}\d+s\n/);
    expect(await releaseSecrets()).toEqual(['flux-system/sh.helm.release.v1.flux-instance.v1=failed']);
    const crds = await helmfile('-f', '00-crds.yaml', 'sync', '-l', 'name=cert-manager');
    expect(crds.exitCode).toBe(1);
    expect(crds.stderr).toContain('STDERR:\n  Error: unknown flag: --include-crds');
  });

  it('a failing release stops the run: the releases that need it are not installed', async () => {
    const fault = await fetch(`${lab.url}/_lab/faults`, { method: 'POST', body: JSON.stringify({ type: 'helm-release-fails', release: 'cert-manager' }), headers: { 'Content-Type': 'application/json' } });
    expect(fault.status).toBe(200);
    const r = await helmfile('-f', '01-apps.yaml', 'apply', '--skip-diff-on-install');
    expect(r.exitCode).toBe(1);
    expect(installed()).toEqual(['kube-system/cilium#1', 'kube-system/coredns#1', 'kube-system/spegel#1']);
    expect(lab.events.filter((e) => e.type === 'helm-release-failed').map((e) => `${e.object}: ${e.detail}`)).toContain('cert-manager/cert-manager: context deadline exceeded');
    expect(r.stdout).toContain('Release "cert-manager" does not exist. Installing it now.\n');
    expect(r.stderr).toContain('\nUPDATED RELEASES:\nNAME      NAMESPACE     CHART');
    expect(r.stderr).toContain('\nFAILED RELEASES:\n');
    expect(r.stderr).toContain('in 01-apps.yaml: failed processing release cert-manager: command "/usr/local/bin/helm" exited with non-zero status:');
    expect(r.stderr).toContain('\n\nSTDERR:\n  Error: context deadline exceeded\n\nCOMBINED OUTPUT:\n  Release "cert-manager" does not exist. Installing it now.\n  Error: context deadline exceeded\n');
    expect(r.stderr).not.toContain('Upgrading release=external-secrets');
    expect(await releaseSecrets()).toEqual([
      'cert-manager/sh.helm.release.v1.cert-manager.v1=failed', 'flux-system/sh.helm.release.v1.flux-instance.v1=failed',
      'kube-system/sh.helm.release.v1.cilium.v1=deployed', 'kube-system/sh.helm.release.v1.coredns.v1=deployed', 'kube-system/sh.helm.release.v1.spegel.v1=deployed',
    ]);
  }, 30_000);

  it('once the fault is cleared apply retries the failed releases and installs the rest in needs order (exit 2: changes)', async () => {
    lab.faults.clearFaults();
    const before = installed().length;
    const r = await helmfile('-f', '01-apps.yaml', 'apply', '--detailed-exitcode', '--suppress-diff');
    expect(r.exitCode).toBe(2);
    expect(installed().slice(before)).toEqual(['cert-manager/cert-manager#2', 'external-secrets/external-secrets#1', 'flux-system/flux-operator#1', 'flux-system/flux-instance#2']);
    expect(r.stdout).toContain('Release "cert-manager" has been upgraded. Happy Helming!\nNAME: cert-manager\nLAST DEPLOYED: ');
    expect(r.stdout).toMatch(/\nNAMESPACE: cert-manager\nSTATUS: deployed\nREVISION: 2\nTEST SUITE: None\n/);
    expect(r.stdout).toMatch(/\ncert-manager\tcert-manager\t2 {7}\t\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC\tdeployed\tcert-manager-1\.18\.2\tv1\.18\.2 {4}\n/);
    expect(r.stderr).toContain('Listing releases matching ^external-secrets$\n');
    expect(await releaseSecrets()).toContain('cert-manager/sh.helm.release.v1.cert-manager.v2=deployed');
    const ks = await json(lab, 'get', 'kustomizations.kustomize.toolkit.fluxcd.io', '-n', 'flux-system');
    expect(ks.items.map((k: any) => k.metadata.name)).toEqual(['cluster-apps', 'flux-system']);
  }, 30_000);

  it('apply with nothing changed upgrades nothing and exits 0 with --detailed-exitcode', async () => {
    const secrets = await releaseSecrets();
    const before = installed().length;
    const r = await helmfile('-f', '01-apps.yaml', 'apply', '--detailed-exitcode');
    expect(r).toMatchObject({ exitCode: 0, stdout: '' });
    expect(r.stderr).toMatch(/Comparing release=flux-instance, chart=oci:\/\/ghcr\.io\/controlplaneio-fluxcd\/charts\/flux-instance\n\nNo affected releases\n$/);
    expect(installed().length).toBe(before);
    expect(await releaseSecrets()).toEqual(secrets);
  });

  it('a changed values file upgrades that release only; the old revision is superseded', async () => {
    const file = join(hf, 'values/coredns.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('replicaCount: 2', 'replicaCount: 1'));
    const before = installed().length;
    const r = await helmfile('-f', '01-apps.yaml', 'apply', '--detailed-exitcode');
    expect(r.exitCode).toBe(2);
    expect(installed().slice(before)).toEqual(['kube-system/coredns#2']);
    expect(r.stdout).toContain('kube-system, coredns, Deployment (apps) has changed:\n');
    expect(r.stdout).toContain('Release "coredns" has been upgraded. Happy Helming!\n');
    expect(await releaseSecrets()).toEqual(expect.arrayContaining(['kube-system/sh.helm.release.v1.coredns.v1=superseded', 'kube-system/sh.helm.release.v1.coredns.v2=deployed']));
    expect((await json(lab, 'get', 'deployment', 'coredns', '-n', 'kube-system')).spec.replicas).toBe(1);
  }, 30_000);

  it('an unknown chart installs one Deployment named after the release; installed: false uninstalls it', async () => {
    const file = join(hf, 'extra.yaml');
    await writeFile(file, 'releases:\n  - name: echo\n    namespace: demo\n    chart: oci://ghcr.io/example/charts/echo-server\n    version: 0.5.0\n');
    expect((await helmfile('-f', 'extra.yaml', 'sync')).exitCode).toBe(0);
    expect((await json(lab, 'get', 'deployment', 'echo', '-n', 'demo')).metadata.annotations).toMatchObject({ 'meta.helm.sh/release-name': 'echo', 'meta.helm.sh/release-namespace': 'demo' });
    await writeFile(file, 'releases:\n  - name: echo\n    namespace: demo\n    chart: oci://ghcr.io/example/charts/echo-server\n    version: 0.5.0\n    installed: false\n');
    const r = await helmfile('-f', 'extra.yaml', 'apply', '--detailed-exitcode');
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('release "echo" uninstalled\n');
    expect(r.stderr).toContain('\nDELETED RELEASES:\nNAME\necho\n');
    expect((await json(lab, 'get', 'deployments', '-n', 'demo')).items).toEqual([]);
    expect((await releaseSecrets()).filter((x) => x.startsWith('demo/'))).toEqual([]);
    expect((await helmfile('-f', 'extra.yaml', 'apply', '--detailed-exitcode')).exitCode).toBe(0);
  }, 30_000);

  it('sync upgrades every selected release, changed or not, after listing the affected releases', async () => {
    const before = installed().length;
    const r = await helmfile('-f', '01-apps.yaml', 'sync', '-l', 'name=spegel');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/^Affected releases are:\n {2}spegel \(oci:\/\/ghcr\.io\/spegel-org\/helm-charts\/spegel\) UPDATED\n\nUpgrading release=spegel/);
    expect(installed().slice(before)).toEqual(['kube-system/spegel#2']);
  }, 30_000);
});
