// kubectl wait and rollout status against the lab (informer-based: list + watch with history replay).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/lab.js';
import { closeLab, kubectl, ok, openLab } from './kubectl.js';

let lab: Lab;
beforeAll(async () => { lab = await openLab({ rebootMs: 1500 }); });
afterAll(async () => closeLab(lab));

describe('kubectl wait and rollout status', () => {
  it('waits for condition=Ready on a node', async () => {
    expect(await ok(lab, 'wait', '--for=condition=Ready', 'node/cp1', '--timeout=10s')).toContain('node/cp1 condition met');
  });

  it('waits through a reboot until the node is Ready again', async () => {
    const reboot = lab.nodes.reboot('cp2');
    const r = await kubectl(lab, 'wait', '--for=condition=Ready=Unknown', 'node/cp2', '--timeout=5s');
    expect(r.exitCode).toBe(0);
    expect(await ok(lab, 'wait', '--for=condition=Ready', 'node/cp2', '--timeout=10s')).toContain('condition met');
    await reboot;
  });

  it('times out with the upstream message when the condition never comes', async () => {
    const r = await kubectl(lab, 'wait', '--for=condition=Ready=False', 'node/cp3', '--timeout=1s');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('timed out waiting for the condition on nodes/cp3');
  });

  it('waits for a jsonpath value', async () => {
    const out = await ok(lab, 'wait', '--for=jsonpath={.status.phase}=Running', 'pod/db-0', '-n', 'apps', '--timeout=10s');
    expect(out).toContain('pod/db-0 condition met');
  });

  it('waits for a deletion that happens while waiting', async () => {
    await ok(lab, 'create', 'configmap', 'doomed', '--from-literal=a=b');
    const waiting = kubectl(lab, 'wait', '--for=delete', 'configmap/doomed', '--timeout=10s');
    await new Promise((r) => setTimeout(r, 700));
    lab.store.delete('configmaps', 'default', 'doomed');
    const r = await waiting;
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('configmap/doomed condition met');
  });

  it('rollout status succeeds for the web deployment after a template change', async () => {
    await ok(lab, 'set', 'image', 'deployment/web', 'web=ghcr.io/nginxinc/nginx-unprivileged:1.28');
    const out = await ok(lab, 'rollout', 'status', 'deployment/web', '--timeout=20s');
    expect(out).toContain('deployment "web" successfully rolled out');
    const rs = lab.store.list('replicasets.apps', { namespace: 'default' }).items;
    expect(rs.map((r) => r.spec.replicas).sort()).toEqual([0, 2]);
    const pods = lab.store.list('pods', { namespace: 'default', labelSelector: 'app=web' }).items;
    expect(pods.every((p) => p.spec.containers[0].image.endsWith(':1.28'))).toBe(true);
  });

  it('rollout status succeeds for the db statefulset and the flannel daemonset', async () => {
    // defaulting sets updateStrategy.rollingUpdate.partition=0, so kubectl's StatefulSetStatusViewer takes the partitioned branch
    // (staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go)
    await ok(lab, 'set', 'image', 'statefulset/db', '-n', 'apps', 'db=ghcr.io/cloudnative-pg/postgresql:17.0');
    expect(await ok(lab, 'rollout', 'status', 'statefulset/db', '-n', 'apps', '--timeout=20s')).toContain('partitioned roll out complete: 1 new pods have been updated');
    const sts = lab.store.get('statefulsets.apps', 'apps', 'db');
    expect(sts.status.currentRevision).toBe(sts.status.updateRevision);
    expect(lab.store.get('pods', 'apps', 'db-0').spec.containers[0].image).toContain(':17.0');
    expect(await ok(lab, 'rollout', 'status', 'daemonset/kube-flannel', '-n', 'kube-system', '--timeout=20s')).toContain('daemon set "kube-flannel" successfully rolled out');
  });
});
