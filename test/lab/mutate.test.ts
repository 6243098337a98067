// Mutating verbs against the lab, on the kubectl 1.29 client: cordon, patch x3, server-side apply, delete, scale.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/lab.js';
import { closeLab, json, kubectl, ok, openLab, rows, until } from './kubectl.js';

let lab: Lab;
beforeAll(async () => { lab = await openLab({ kubernetesVersion: 'v1.29.4' }); });
afterAll(async () => closeLab(lab));

const pods = (selector: string) => lab.store.list('pods', { labelSelector: selector }).items;

describe('mutating kubectl verbs (kubectl 1.29)', () => {
  it('runs the kubectl 1.29 client because the server reports minor 29', async () => {
    expect((await json(lab, 'version')).clientVersion.minor).toBe('29');
  });

  it('cordons and uncordons a node, visible as SchedulingDisabled and in the event log', async () => {
    expect(await ok(lab, 'cordon', 'w2')).toContain('node/w2 cordoned');
    expect(lab.store.get('nodes', undefined, 'w2').spec.unschedulable).toBe(true);
    expect(rows(await ok(lab, 'get', 'node', 'w2'))[1]![1]).toBe('Ready,SchedulingDisabled');
    expect(await ok(lab, 'uncordon', 'w2')).toContain('node/w2 uncordoned');
    expect(lab.store.get('nodes', undefined, 'w2').spec.unschedulable).toBeUndefined();
    await until('cordon events', () => lab.events.some((e) => e.type === 'node-uncordoned' && e.object === 'w2'));
    expect(lab.events.map((e) => e.type)).toContain('node-cordoned');
  });

  it('patches with merge, JSON and strategic patches', async () => {
    await ok(lab, 'patch', 'node', 'w1', '--type=merge', '-p', '{"metadata":{"labels":{"tier":"gold"}}}');
    await ok(lab, 'patch', 'node', 'w1', '--type=json', '-p', '[{"op":"add","path":"/metadata/labels/zone","value":"a"},{"op":"remove","path":"/metadata/labels/tier"}]');
    await ok(lab, 'patch', 'node', 'w1', '-p', '{"metadata":{"annotations":{"rackhand/test":"yes"}}}');
    const w1 = lab.store.get('nodes', undefined, 'w1');
    expect(w1.metadata.labels).toMatchObject({ zone: 'a' });
    expect(w1.metadata.labels).not.toHaveProperty('tier');
    expect(w1.metadata.annotations).toHaveProperty('rackhand/test', 'yes');
    const bad = await kubectl(lab, 'patch', 'node', 'w1', '--type=json', '-p', '[{"op":"remove","path":"/metadata/labels/nope"}]');
    expect(bad.exitCode).toBe(1);
  });

  it('refuses a strategic merge patch on a custom resource with 415, as kube-apiserver does', async () => {
    const r = await kubectl(lab, 'patch', 'ks', 'apps', '-n', 'flux-system', '-p', '{"spec":{"suspend":true}}');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/UnsupportedMediaType|unknown format/);
    await ok(lab, 'patch', 'ks', 'apps', '-n', 'flux-system', '--type=merge', '-p', '{"spec":{"suspend":true}}');
    const ks = lab.store.get('kustomizations.kustomize.toolkit.fluxcd.io', 'flux-system', 'apps');
    expect(ks.spec.suspend).toBe(true);
    expect(ks.metadata.generation).toBe(2); // a spec change bumps generation
  });

  it('applies a ConfigMap and a Kustomization server-side (create, then update), and dry-run=server persists nothing', async () => {
    const file = join(lab.dir, 'apply.yaml');
    const manifest = (value: string) => `apiVersion: v1
kind: ConfigMap
metadata: { name: settings, namespace: apps }
data: { mode: ${value} }
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: { name: media, namespace: flux-system }
spec: { interval: 10m, path: ./media, prune: true, sourceRef: { kind: GitRepository, name: flux-system } }
`;
    await writeFile(file, manifest('blue'));
    const out = await ok(lab, 'apply', '--server-side', '-f', file);
    expect(out).toContain('configmap/settings serverside-applied');
    expect(out).toContain('kustomization.kustomize.toolkit.fluxcd.io/media serverside-applied');
    expect(lab.store.get('configmaps', 'apps', 'settings').data).toEqual({ mode: 'blue' });
    expect(lab.store.get('kustomizations.kustomize.toolkit.fluxcd.io', 'flux-system', 'media').spec.path).toBe('./media');
    await writeFile(file, manifest('green'));
    await ok(lab, 'apply', '--server-side', '--dry-run=server', '-f', file);
    expect(lab.store.get('configmaps', 'apps', 'settings').data).toEqual({ mode: 'blue' });
    await ok(lab, 'apply', '--server-side', '-f', file);
    const cm = lab.store.get('configmaps', 'apps', 'settings');
    expect(cm.data).toEqual({ mode: 'green' });
    expect(cm.metadata.managedFields?.[0]).toMatchObject({ manager: 'kubectl', operation: 'Apply' });
  });

  it('creates with create -f, refuses a duplicate with AlreadyExists, deletes with delete', async () => {
    const file = join(lab.dir, 'cm.yaml');
    await writeFile(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: once, namespace: default }\ndata: { a: "1" }\n');
    expect(await ok(lab, 'create', '-f', file)).toContain('configmap/once created');
    const dup = await kubectl(lab, 'create', '-f', file);
    expect(dup.exitCode).toBe(1);
    expect(dup.stderr).toContain('Error from server (AlreadyExists): error when creating');
    expect(await ok(lab, 'delete', 'configmap', 'once')).toContain('configmap "once" deleted');
    expect(lab.store.find('configmaps', 'default', 'once')).toBeUndefined();
  });

  it('scales the web deployment up and down; pods follow', async () => {
    expect(await ok(lab, 'scale', 'deployment/web', '--replicas=4')).toContain('deployment.apps/web scaled');
    await until('4 ready web pods', () => pods('app=web').filter((p) => p.status?.phase === 'Running').length === 4);
    await ok(lab, 'scale', 'deployment/web', '--replicas=1', '--current-replicas=4');
    await until('1 web pod', () => pods('app=web').length === 1);
    const d = await json(lab, 'get', 'deployment', 'web');
    expect(d.spec.replicas).toBe(1);
    await ok(lab, 'scale', 'sts/db', '-n', 'apps', '--replicas=2');
    await until('db-1 ready', () => pods('app=db').some((p) => p.metadata.name === 'db-1' && p.status?.phase === 'Running'));
    expect(lab.store.find('persistentvolumeclaims', 'apps', 'data-db-1')?.status?.phase).toBe('Bound');
  });

  it('deletes a namespace with its contents', async () => {
    await ok(lab, 'create', 'namespace', 'scratch');
    await ok(lab, 'create', 'configmap', 'x', '-n', 'scratch', '--from-literal=a=b');
    expect(await ok(lab, 'delete', 'namespace', 'scratch', '--timeout=10s')).toContain('namespace "scratch" deleted');
    expect(lab.store.find('namespaces', undefined, 'scratch')).toBeUndefined();
    expect(lab.store.find('configmaps', 'scratch', 'x')).toBeUndefined();
  });

  it('deleting a deployment takes its replicaset and pods with it', async () => {
    await ok(lab, 'delete', 'deployment', 'web');
    await until('web pods gone', () => pods('app=web').length === 0);
    expect(lab.store.list('replicasets.apps', { namespace: 'default' }).items).toEqual([]);
  });
});
