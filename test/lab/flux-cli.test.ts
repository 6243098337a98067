// The fake Flux CLI: `flux` in lab.dir/bin driven with argv arrays and lab.env, against the lab's Flux objects.
import { execa } from 'execa';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fluxControllerDeployments, fluxInstallObjects } from '../../lab/flux-cli/install.js';
import type { Lab } from '../../lab/lab.js';
import { closeLab, openLab, type Run } from './kubectl.js';

const KS = 'kustomizations.kustomize.toolkit.fluxcd.io';
const HR = 'helmreleases.helm.toolkit.fluxcd.io';
const GIT = 'gitrepositories.source.toolkit.fluxcd.io';
const REVISION = 'main@sha1:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c';

async function flux(lab: Lab, ...args: string[]): Promise<Run> {
  const r = await execa('flux', args, { env: lab.env, reject: false, stripFinalNewline: false, timeout: 60_000 });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

describe('flux against the default lab', () => {
  let lab: Lab;
  beforeAll(async () => { lab = await openLab(); });
  afterAll(async () => closeLab(lab));

  it('reports its version and prints the Kustomizations table on stdout', async () => {
    expect((await flux(lab, '--version')).stdout).toBe('flux version 2.7.0\n');
    const r = await flux(lab, 'get', 'ks');
    expect(r).toEqual({
      exitCode: 0, stderr: '',
      stdout: 'NAME     \tREVISION          \tSUSPENDED\tREADY\tMESSAGE                              \n'
        + 'apps     \tmain@sha1:0f1e2d3c\tFalse    \tTrue \tApplied revision: main@sha1:0f1e2d3c\t\n'
        + 'paperless\tmain@sha1:0f1e2d3c\tFalse    \tTrue \tApplied revision: main@sha1:0f1e2d3c\t\n',
    });
    const all = await flux(lab, 'get', 'hr', '-A');
    expect(all.stdout.split('\n')[0]).toBe('NAMESPACE\tNAME     \tREVISION\tSUSPENDED\tREADY\tMESSAGE                                                                            ');
    expect(all.stdout.split('\n')[1]).toMatch(/^apps     \tpaperless\t3\.7\.3   \tFalse    \tTrue \tHelm .* succeeded for release apps\/paperless\.v\d+ with chart app-template@3\.7\.3\t$/);
    expect(await flux(lab, 'get', 'ks', '-n', 'default')).toEqual({ exitCode: 0, stdout: '', stderr: '✗ no Kustomization objects found in "default" namespace\n' });
  });

  it('reconcile ks --with-source reconciles the GitRepository, then the Kustomization, and waits for both', async () => {
    const before = lab.store.get(KS, 'flux-system', 'apps').status.lastHandledReconcileAt;
    const r = await flux(lab, 'reconcile', 'ks', 'apps', '--with-source');
    expect(r).toEqual({
      exitCode: 0, stdout: '',
      stderr: [
        '► annotating GitRepository flux-system in flux-system namespace', '✔ GitRepository annotated', '◎ waiting for GitRepository reconciliation',
        `✔ fetched revision ${REVISION}`,
        '► annotating Kustomization apps in flux-system namespace', '✔ Kustomization annotated', '◎ waiting for Kustomization reconciliation',
        `✔ applied revision ${REVISION}`, '',
      ].join('\n'),
    });
    const ks = lab.store.get(KS, 'flux-system', 'apps');
    const requested = ks.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
    expect(requested).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/); // RFC3339Nano
    expect(ks.status.lastHandledReconcileAt).toBe(requested);
    expect(requested).not.toBe(before);
    const git = lab.store.get(GIT, 'flux-system', 'flux-system');
    expect(git.status.lastHandledReconcileAt).toBe(git.metadata.annotations?.['reconcile.fluxcd.io/requestedAt']);
    expect(lab.events.filter((e) => e.type === 'flux-cli-reconcile').map((e) => e.object)).toEqual(['gitrepository/flux-system/flux-system', 'kustomization/flux-system/apps']);
  });

  it('reconcile hr --force sets forceAt equal to requestedAt, and the HelmRelease handles both', async () => {
    const r = await flux(lab, 'reconcile', 'hr', 'paperless', '-n', 'apps', '--force');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('► annotating HelmRelease paperless in apps namespace\n✔ HelmRelease annotated\n◎ waiting for HelmRelease reconciliation\n✔ applied revision 3.7.3\n');
    const hr = lab.store.get(HR, 'apps', 'paperless');
    const a = hr.metadata.annotations ?? {};
    expect(a['reconcile.fluxcd.io/forceAt']).toBe(a['reconcile.fluxcd.io/requestedAt']);
    expect(hr.status).toMatchObject({ lastHandledReconcileAt: a['reconcile.fluxcd.io/requestedAt'], lastHandledForceAt: a['reconcile.fluxcd.io/forceAt'] });
  });

  it('a suspended Kustomization refuses to reconcile; resume waits until it is Ready again', async () => {
    expect(await flux(lab, 'suspend', 'ks', 'apps')).toEqual({ exitCode: 0, stdout: '', stderr: '► suspending kustomization apps in flux-system namespace\n✔ kustomization suspended\n' });
    expect(lab.store.get(KS, 'flux-system', 'apps').spec.suspend).toBe(true);
    expect((await flux(lab, 'get', 'ks', 'apps', '--no-header')).stdout).toMatch(/^apps\tmain@sha1:0f1e2d3c\tTrue\tTrue\t/);
    expect(await flux(lab, 'reconcile', 'ks', 'apps')).toEqual({ exitCode: 1, stdout: '', stderr: '✗ resource is suspended\n' });
    const resumed = await flux(lab, 'resume', 'ks', 'apps');
    expect(resumed).toEqual({
      exitCode: 0, stdout: '',
      stderr: `► resuming kustomization apps in flux-system namespace\n✔ kustomization resumed\n◎ waiting for Kustomization reconciliation\n✔ Kustomization apps reconciliation completed\n✔ applied revision ${REVISION}\n`,
    });
    const ks = lab.store.get(KS, 'flux-system', 'apps');
    expect(ks.spec.suspend).toBe(false);
    expect(ks.status.observedGeneration).toBe(ks.metadata.generation);
    expect(lab.events.map((e) => `${e.type} ${e.object}`)).toEqual(expect.arrayContaining(['flux-cli-suspend kustomization/flux-system/apps', 'flux-suspended kustomization/flux-system/apps', 'flux-resumed kustomization/flux-system/apps']));
  });

  it('suspend --all / resume --all cover the namespace (resume --all does not wait)', async () => {
    const s = await flux(lab, 'suspend', 'ks', '--all');
    expect(s.stderr).toBe('► suspending kustomization apps in flux-system namespace\n✔ kustomization suspended\n► suspending kustomization paperless in flux-system namespace\n✔ kustomization suspended\n');
    expect(lab.store.list(KS).items.map((k) => k.spec.suspend)).toEqual([true, true]);
    const r = await flux(lab, 'resume', 'ks', '--all');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).not.toContain('waiting');
    expect(lab.store.list(KS).items.map((k) => k.spec.suspend)).toEqual([false, false]);
  });

  it('a missing object: reconcile fails with the API error, suspend reports it and exits 0', async () => {
    expect(await flux(lab, 'reconcile', 'ks', 'nope')).toEqual({ exitCode: 1, stdout: '', stderr: `✗ ${KS} "nope" not found\n` });
    expect(await flux(lab, 'suspend', 'hr', 'nope', '-n', 'apps')).toEqual({ exitCode: 0, stdout: '', stderr: '✗ HelmRelease nope not found in apps namespace\n' });
    expect(await flux(lab, 'reconcile', 'ks')).toEqual({ exitCode: 1, stdout: '', stderr: '✗ Kustomization name is required\n' });
    expect((await flux(lab, 'reconcile', 'ks', 'apps', '--bogus')).stderr).toBe('✗ unknown flag: --bogus\n');
  });

  it('check --pre fails on Kubernetes 1.31 (flux 2.7 needs >= 1.32)', async () => {
    expect(await flux(lab, 'check', '--pre')).toEqual({
      exitCode: 1, stdout: '',
      stderr: '► Checking flux pre-requisites\n✔ flux 2.7.0 >=2.7.0 (latest CLI version)\n► Checking kubernetes pre-requisites\n✗ kubernetes 1.31.4>=1.32.0-0\n✗ pre-requisites checks failed\n',
    });
  });
});

describe('flux check on Kubernetes 1.33', () => {
  let lab: Lab;
  beforeAll(async () => { lab = await openLab({ kubernetesVersion: 'v1.33.1' }); });
  afterAll(async () => closeLab(lab));

  it('fails while the Flux controllers are not installed, and passes once their Deployments are Ready', async () => {
    const before = await flux(lab, 'check');
    expect(before.exitCode).toBe(1);
    expect(before.stderr).toContain("► Checking flux controllers\n✗ no controllers found in the 'flux-system' namespace with the label selector 'app.kubernetes.io/part-of=flux'\n");
    expect(before.stderr.endsWith('✗ checks failed\n')).toBe(true);
    expect((await flux(lab, 'check', '--pre')).stderr.endsWith('► All pre-requisites checks passed\n')).toBe(true);

    // one YAML document per Deployment (the lab's OpenAPI has no schema for kind: List, which kubectl validates)
    const manifest = fluxControllerDeployments('2.7.0').map((d) => stringify(d)).join('---\n');
    await execa('kubectl', ['apply', '-f', '-'], { env: lab.env, input: manifest });
    const after = await flux(lab, 'check');
    expect(after).toMatchObject({ exitCode: 0, stdout: '' });
    expect(after.stderr).toBe([
      '► Checking flux pre-requisites', '✔ flux 2.7.0 >=2.7.0 (latest CLI version)',
      '► Checking kubernetes pre-requisites', '✔ kubernetes 1.33.1>=1.32.0-0',
      '► Checking flux installation status', '✔ distribution: flux-v2.7.0', '✔ bootstrapped: false',
      '✔ helm-controller: deployment ready', '✔ kustomize-controller: deployment ready', '✔ notification-controller: deployment ready', '✔ source-controller: deployment ready',
      '► Checking flux controllers', '✔ ghcr.io/fluxcd/helm-controller:v1.4.0', '✔ ghcr.io/fluxcd/kustomize-controller:v1.7.0', '✔ ghcr.io/fluxcd/notification-controller:v1.7.0', '✔ ghcr.io/fluxcd/source-controller:v1.7.0',
      '► Checking flux crds', '✔ gitrepositories.source.toolkit.fluxcd.io/v1', '✔ helmreleases.helm.toolkit.fluxcd.io/v2', '✔ helmrepositories.source.toolkit.fluxcd.io/v1', '✔ kustomizations.kustomize.toolkit.fluxcd.io/v1', '✔ ocirepositories.source.toolkit.fluxcd.io/v1',
      '► All checks passed', '',
    ].join('\n'));
    expect(lab.events.filter((e) => e.type === 'flux-cli-check').map((e) => e.detail)).toEqual(['failed', 'passed']);
  });

  it('fluxInstallObjects is what a Flux install adds: the namespace, labelled CRDs, the controllers', () => {
    const objects = fluxInstallObjects('2.7.0');
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/flux-system', 'CustomResourceDefinition/kustomizations.kustomize.toolkit.fluxcd.io', 'CustomResourceDefinition/helmreleases.helm.toolkit.fluxcd.io',
      'CustomResourceDefinition/gitrepositories.source.toolkit.fluxcd.io', 'CustomResourceDefinition/helmrepositories.source.toolkit.fluxcd.io', 'CustomResourceDefinition/ocirepositories.source.toolkit.fluxcd.io', 'Deployment/source-controller', 'Deployment/kustomize-controller',
      'Deployment/helm-controller', 'Deployment/notification-controller',
    ]);
    for (const o of objects) expect(o.metadata.labels).toMatchObject({ 'app.kubernetes.io/part-of': 'flux', 'app.kubernetes.io/version': 'v2.7.0' });
  });
});
