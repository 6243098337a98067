// flux:diff, k8s:apply-ks and k8s:delete-ks on the Flux lab: Kustomization flux-system/gatus is built from a local
// checkout (its spec.path, targetNamespace observability, a post-build variable from a ConfigMap) and compared with
// the cluster through a server-side dry run. The exit code follows `flux diff ks` (0 same, 1 drift, 2 error); apply
// changes exactly what the diff showed, with the Kustomization suspended meanwhile; delete removes the built objects.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

const FLUX = fileURLToPath(new URL('../../lab/topologies/flux.yaml', import.meta.url));
const KS = 'kustomizations.kustomize.toolkit.fluxcd.io';

const HELMRELEASE = (replicas: string) => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: gatus
spec:
  interval: 1h
  dependsOn: [{ name: postgres }]
  chart: { spec: { chart: app-template, version: 3.7.3, sourceRef: { kind: HelmRepository, name: bjw-s, namespace: flux-system } } }
  values: { replicaCount: ${replicas} }
`;
const CONFIGMAP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: gatus-endpoints
data:
  domain: status.\${SECRET_DOMAIN}
`;

describe('flux:diff, k8s:apply-ks, k8s:delete-ks', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  const app = () => join(lab.dir, 'repo', 'kubernetes', 'apps', 'observability', 'gatus', 'app');
  const write = async (replicas: string, withConfigMap: boolean) => {
    await mkdir(app(), { recursive: true });
    await writeFile(join(app(), 'helmrelease.yaml'), HELMRELEASE(replicas));
    if (withConfigMap) await writeFile(join(app(), 'configmap.yaml'), CONFIGMAP);
    await writeFile(join(app(), 'kustomization.yaml'), `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - helmrelease.yaml\n${withConfigMap ? '  - configmap.yaml\n' : ''}`);
  };
  beforeAll(async () => {
    lab = await withLab({ topology: FLUX });
    lab.store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-settings', namespace: 'flux-system' }, data: { SECRET_DOMAIN: 'example.org' } });
    const ks = lab.store.get(KS, 'flux-system', 'gatus');
    lab.store.update(KS, { ...ks, spec: { ...ks.spec, postBuild: { substituteFrom: [{ kind: 'ConfigMap', name: 'cluster-settings' }] } } });
    await lab.settled();
  });
  afterAll(async () => { await lab?.stop(); });
  const diff = () => lab.run(['flux:diff', '--cluster', 'lab', 'gatus', '--repo', join(lab.dir, 'repo')]);

  it('exit 0 when the local files match, 1 with the diff when they do not, 2 when the path is missing', async () => {
    const missing = await diff();
    expect(missing.code).toBe(2); // the build itself fails: an error, not drift
    expect(missing.stderr).toContain('does not exist here');
    await write('1', false);
    const same = await diff();
    expect(same.code, same.stderr + same.stdout).toBe(0);
    expect(same.stdout).toContain('no drift');
    await write('2', true);
    const drift = await diff();
    expect(drift.code).toBe(1);
    expect(drift.stdout).toMatch(/^\+\s+replicaCount: 2$/m);
    expect(drift.stdout).toContain('status.example.org'); // ${SECRET_DOMAIN} substituted from the ConfigMap
    expect(lab.store.find('configmaps', 'observability', 'gatus-endpoints')).toBeUndefined(); // a dry run
  });

  it('k8s:apply-ks applies what the diff showed, with the Kustomization suspended when asked; a re-run has nothing to do', async () => {
    await write('2', true);
    const r = await lab.run(['k8s:apply-ks', '--cluster', 'lab', 'gatus', '--repo', join(lab.dir, 'repo'), '--suspend', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\+\s+replicaCount: 2/); // the diff, in the plan
    expect(lab.store.get('configmaps', 'observability', 'gatus-endpoints').data).toEqual({ domain: 'status.example.org' });
    expect(lab.store.get('helmreleases.helm.toolkit.fluxcd.io', 'observability', 'gatus').spec.values.replicaCount).toBe(2);
    const ks = lab.store.get(KS, 'flux-system', 'gatus');
    expect(ks.spec.suspend).toBe(true);
    expect(ks.metadata.annotations?.['rackhand.dev/suspended-by']).toBe('k8s:apply-ks');
    expect((await diff()).code).toBe(0);
    const again = await lab.run(['k8s:apply-ks', '--cluster', 'lab', 'gatus', '--repo', join(lab.dir, 'repo'), '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.record!.result).toBe('nothing-to-do');
  });

  it('k8s:delete-ks lists and deletes the built objects (a PVC only with --include-data) and leaves the Kustomization suspended', async () => {
    await writeFile(join(app(), 'pvc.yaml'), 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: gatus-config}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n');
    await writeFile(join(app(), 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [helmrelease.yaml, configmap.yaml, pvc.yaml]\n');
    const r = await lab.run(['k8s:delete-ks', '--cluster', 'lab', 'gatus', '--repo', join(lab.dir, 'repo'), '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('left alone (data; --include-data deletes them too): PersistentVolumeClaim/observability/gatus-config');
    expect(r.record!.data.deleted).toEqual(['ConfigMap/observability/gatus-endpoints', 'HelmRelease/observability/gatus']); // kustomize's order
    await lab.settled();
    expect(lab.store.find('configmaps', 'observability', 'gatus-endpoints')).toBeUndefined();
    expect(lab.store.find('helmreleases.helm.toolkit.fluxcd.io', 'observability', 'gatus')).toBeUndefined();
    expect(lab.store.find('persistentvolumeclaims', 'observability', 'gatus-config')).toBeDefined();
    expect(lab.store.get(KS, 'flux-system', 'gatus').spec.suspend).toBe(true);
  });

  it('flux:events shows what the controllers recorded for the app, Warnings on their own', async () => {
    lab.faults.helmReleaseStuck('observability/postgres');
    await new Promise((ok) => setTimeout(ok, 300));
    const r = await lab.run(['flux:events', '--cluster', 'lab', '--app', 'postgres', '--namespace', 'observability']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Warning\s+HelmRelease\/observability\/postgres\s+UpgradeFailed\s+Helm upgrade failed for release observability\/postgres/);
    const all = await lab.run(['flux:events', '--cluster', 'lab', '--warnings']);
    expect((all.record!.data.events as { type: string }[]).every((e) => e.type === 'Warning')).toBe(true);
    expect((all.record!.data.events as { object: string }[]).map((e) => e.object)).toContain('HelmRelease/observability/postgres');
    const ok = await lab.run(['flux:events', '--cluster', 'lab', '--kind', 'ks', '--name', 'flux-system/infra']);
    expect(ok.stdout).toMatch(/Normal\s+Kustomization\/flux-system\/infra\s+ReconciliationSucceeded/);
  });

  it('flux:logs reads the right controller\'s pods and keeps the lines about the object; --level error the errors', async () => {
    const errors = await lab.run(['flux:logs', '--cluster', 'lab', '--app', 'postgres', '--namespace', 'observability', '--level', 'error']);
    expect(errors.code, errors.stderr).toBe(0);
    expect(errors.stdout).toMatch(/error\s+HelmRelease\/observability\/postgres\s+Helm upgrade failed for release observability\/postgres/);
    expect((errors.record!.data.lines as { object: string; level: string }[]).every((l) => l.object === 'HelmRelease/observability/postgres' && l.level === 'error')).toBe(true);
    const reads = errors.record!.commands.filter((c) => c.argv.includes('logs')).map((c) => c.argv[c.argv.indexOf('logs') + 1]);
    expect(reads.every((pod) => pod!.startsWith('helm-controller-'))).toBe(true);
    const infra = await lab.run(['flux:logs', '--cluster', 'lab', '--kind', 'ks', '--name', 'flux-system/infra']);
    expect(infra.stdout).toMatch(/info\s+Kustomization\/flux-system\/infra\s+Applied revision/);
    expect(infra.stdout).not.toContain('postgres');
  });
});
