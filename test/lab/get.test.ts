// kubectl get against the lab, on the kubectl 1.33 client (the dispatcher picks it from /version minor 33).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/lab.js';
import { closeLab, json, kubectl, ok, openLab, rows } from './kubectl.js';

let lab: Lab;
beforeAll(async () => { lab = await openLab({ kubernetesVersion: 'v1.33.1' }); });
afterAll(async () => closeLab(lab));

describe('kubectl get (kubectl 1.33)', () => {
  it('runs the kubectl 1.33 client because the server reports minor 33', async () => {
    const v = await json(lab, 'version');
    expect(v.clientVersion.minor).toBe('33');
    expect(v.serverVersion.gitVersion).toBe('v1.33.1');
  });

  it('lists the five Talos nodes as JSON with addresses and node info', async () => {
    const list = await json(lab, 'get', 'nodes');
    expect(list.kind).toBe('List');
    expect(list.items.map((n: any) => n.metadata.name)).toEqual(['cp1', 'cp2', 'cp3', 'w1', 'w2']);
    const w1 = list.items[3];
    expect(w1.status.addresses).toContainEqual({ type: 'InternalIP', address: '10.5.0.21' });
    expect(w1.status.nodeInfo).toMatchObject({ kubeletVersion: 'v1.33.1', osImage: 'Talos (v1.12.1)' });
    expect(list.items[0].metadata.labels).toHaveProperty('node-role.kubernetes.io/control-plane', '');
  });

  it('prints the server-rendered node table, and the wide columns with -o wide', async () => {
    const t = rows(await ok(lab, 'get', 'nodes'));
    expect(t[0]).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    expect(t[1]).toEqual(['cp1', 'Ready', 'control-plane', expect.stringMatching(/^\d+s$/), 'v1.33.1']);
    expect(t[4]).toEqual(['w1', 'Ready', '<none>', expect.any(String), 'v1.33.1']);
    const wide = rows(await ok(lab, 'get', 'nodes', '-o', 'wide'));
    expect(wide[0]).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME']);
    expect(wide[5]!.slice(5, 8)).toEqual(['10.5.0.22', '<none>', 'Talos (v1.12.1)']);
  });

  it('lists pods in all namespaces with READY/STATUS and node placement in -o wide', async () => {
    const t = rows(await ok(lab, 'get', 'pods', '-A', '-o', 'wide'));
    expect(t[0]).toEqual(['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    const db = t.find((r) => r[1] === 'db-0')!;
    expect(db.slice(0, 5)).toEqual(['apps', 'db-0', '1/1', 'Running', '0']);
    expect(['w1', 'w2']).toContain(db[7]);
    // 5 flannel (one per node) + 2 web + db-0 + the paperless VolSync app
    expect(t.length - 1).toBe(9);
  });

  it('filters by label selector and by spec.nodeName field selector', async () => {
    const web = await json(lab, 'get', 'pods', '-l', 'app=web');
    expect(web.items).toHaveLength(2);
    const notWeb = await json(lab, 'get', 'pods', '-A', '-l', 'app notin (web,db),app');
    expect(notWeb.items.map((p: any) => p.metadata.labels.app)).toEqual(Array(5).fill('kube-flannel'));
    const onW1 = await json(lab, 'get', 'pods', '-A', '--field-selector', 'spec.nodeName=w1');
    expect(onW1.items.length).toBeGreaterThan(0);
    expect(onW1.items.every((p: any) => p.spec.nodeName === 'w1')).toBe(true);
    const running = await json(lab, 'get', 'pods', '-A', '--field-selector', 'status.phase!=Running');
    expect(running.items).toEqual([]);
  });

  it('refuses an unknown field selector with a 400 like the real server', async () => {
    const r = await kubectl(lab, 'get', 'pods', '--field-selector', 'spec.bogus=x');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('field label not supported: spec.bogus');
  });

  it('evaluates -o jsonpath over the objects', async () => {
    const out = await ok(lab, 'get', 'nodes', '-l', '!node-role.kubernetes.io/control-plane', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.addresses[0].address}{"\\n"}{end}');
    expect(out.trim().split('\n')).toEqual(['w1=10.5.0.21', 'w2=10.5.0.22']);
  });

  it('says No resources found for an empty namespace and NotFound for a missing object', async () => {
    const empty = await kubectl(lab, 'get', 'pods', '-n', 'volsync-system');
    expect(empty.exitCode).toBe(0);
    expect(empty.stderr).toContain('No resources found in volsync-system namespace.');
    const missing = await kubectl(lab, 'get', 'node', 'nope');
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('Error from server (NotFound): nodes "nope" not found');
  });

  it('resolves custom kinds by short name, plural and full name, with their printer columns', async () => {
    const t = rows(await ok(lab, 'get', 'ks', '-A'));
    expect(t[0]).toEqual(['NAMESPACE', 'NAME', 'AGE', 'READY', 'STATUS']);
    expect(t[1]).toEqual(['flux-system', 'apps', expect.any(String), 'True', 'Applied revision: main@sha1:0f1e2d3c']);
    await ok(lab, 'get', 'kustomizations.kustomize.toolkit.fluxcd.io', '-n', 'flux-system', 'apps');
    const crds = await json(lab, 'get', 'crd');
    expect(crds.items.map((c: any) => c.metadata.name).sort()).toEqual([
      'applications.argoproj.io', 'applicationsets.argoproj.io', 'clustersecretstores.external-secrets.io', 'externalsecrets.external-secrets.io', 'gitrepositories.source.toolkit.fluxcd.io', 'helmreleases.helm.toolkit.fluxcd.io', 'helmrepositories.source.toolkit.fluxcd.io', 'kustomizations.kustomize.toolkit.fluxcd.io',
      'ocirepositories.source.toolkit.fluxcd.io', 'replicationdestinations.volsync.backube', 'replicationsources.volsync.backube',
    ]);
    expect((await kubectl(lab, 'get', 'hr', '-n', 'default')).stderr).toContain('No resources found');
    expect(rows(await ok(lab, 'get', 'hr', '-A')).map((r) => r.slice(0, 2))).toEqual([['NAMESPACE', 'NAME'], ['apps', 'paperless']]);
  });

  it('follows limit/continue pagination (--chunk-size)', async () => {
    const out = await ok(lab, 'get', 'pods', '-A', '--chunk-size=3', '-o', 'name');
    expect(out.trim().split('\n')).toHaveLength(9);
  });
});
