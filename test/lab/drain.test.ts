// kubectl drain against PodDisruptionBudgets the lab enforces at the eviction subresource, as kube-apiserver does
// (pkg/registry/core/pod/storage/eviction.go; kubectl retries 429s every 5 s until its --timeout).
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/lab.js';
import { closeLab, kubectl, ok, openLab, until } from './kubectl.js';

let lab: Lab | undefined;
afterEach(async () => {
  await closeLab(lab);
  lab = undefined;
});

const podsOn = (l: Lab, node: string) => l.store.list('pods', { fieldSelector: `spec.nodeName=${node}` }).items;
const webPods = (l: Lab) => l.store.list('pods', { namespace: 'default', labelSelector: 'app=web' }).items;
const notDaemon = (p: any) => !p.metadata.ownerReferences?.some((r: any) => r.kind === 'DaemonSet');

describe('eviction and PodDisruptionBudgets', () => {
  it('answers a blocked eviction with the real 429 Status and no Retry-After header', async () => {
    lab = await openLab();
    const pod = webPods(lab)[0]!.metadata.name!;
    const res = await fetch(`${lab.url}/api/v1/namespaces/default/pods/${pod}/eviction`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace: 'default' } }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(await res.json()).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 429, reason: 'TooManyRequests',
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 2 currently' }] },
    });
    expect(lab.store.find('pods', 'default', pod)).toBeDefined();
  });

  it('a drain blocked by the web PDB times out and leaves the pod; after scaling web up the drain succeeds', async () => {
    lab = await openLab();
    const l = lab;
    const protectedPod = podsOn(l, 'w1').find((p) => p.metadata.labels?.app === 'web')!.metadata.name!;
    const blocked = await kubectl(l, 'drain', 'w1', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=8s');
    expect(blocked.exitCode).toBe(1);
    expect(blocked.stderr).toContain("Cannot evict pod as it would violate the pod's disruption budget");
    expect(blocked.stderr).toContain('global timeout reached');
    expect(l.store.find('pods', 'default', protectedPod)?.spec.nodeName).toBe('w1');
    expect(l.store.get('nodes', undefined, 'w1').spec.unschedulable).toBe(true);
    // the unprotected db-0 (if it was on w1) went elsewhere: only the web pod and the DaemonSet pod remain on w1
    expect(podsOn(l, 'w1').filter(notDaemon).map((p) => p.metadata.name)).toEqual([protectedPod]);

    await ok(l, 'scale', 'deployment/web', '--replicas=3');
    await ok(l, 'rollout', 'status', 'deployment/web', '--timeout=20s');
    await until('PDB allows a disruption', () => l.store.get('poddisruptionbudgets.policy', 'default', 'web').status?.disruptionsAllowed === 1);
    const drained = await kubectl(l, 'drain', 'w1', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=20s');
    expect(drained.exitCode).toBe(0);
    expect(drained.stdout).toContain(`pod/${protectedPod} evicted`);
    expect(drained.stdout).toContain('node/w1 drained');
    await until('3 ready web pods on w2', () => webPods(l).filter((p) => p.spec.nodeName === 'w2' && p.status?.phase === 'Running').length === 3);
    expect(l.events).toContainEqual(expect.objectContaining({ type: 'pod-evicted', object: `default/${protectedPod}`, detail: 'w1' }));
  }, 60_000);

  it('drains a node that holds only unprotected pods, and they are rescheduled elsewhere', async () => {
    const topology = join(process.cwd(), 'test', 'lab', 'pinned.topology.yaml');
    lab = await openLab({ topology });
    const l = lab;
    expect(podsOn(l, 'w1').filter(notDaemon).map((p) => p.metadata.name)).toEqual(['db-0']);
    const r = await kubectl(l, 'drain', 'w1', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=15s');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('pod/db-0 evicted');
    await until('db-0 running on w2', () => l.store.find('pods', 'apps', 'db-0')?.spec.nodeName === 'w2' && l.store.find('pods', 'apps', 'db-0')?.status?.phase === 'Running');
    expect(podsOn(l, 'w1').filter(notDaemon)).toEqual([]);
  }, 30_000);

  it('relaxing the PDB (maxUnavailable 1) lets the drain through', async () => {
    lab = await openLab();
    const l = lab;
    await ok(l, 'patch', 'pdb', 'web', '--type=json', '-p', '[{"op":"remove","path":"/spec/minAvailable"},{"op":"add","path":"/spec/maxUnavailable","value":1}]');
    await until('PDB allows a disruption', () => l.store.get('poddisruptionbudgets.policy', 'default', 'web').status?.disruptionsAllowed === 1);
    const r = await kubectl(l, 'drain', 'w2', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=15s');
    expect(r.exitCode).toBe(0);
    expect(podsOn(l, 'w2').filter(notDaemon)).toEqual([]);
  }, 30_000);
});

