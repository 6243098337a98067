// k8s:cleanse-pods against a lab holding pods that will never run again (an Evicted one, a Succeeded one, a finished
// pod of a Job) next to running ones: the list comes first, a dry run deletes nothing, the real run deletes only the
// terminal pods that no Job keeps, and a re-run finds nothing to do.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

const FLUX = fileURLToPath(new URL('../../lab/topologies/flux.yaml', import.meta.url));

describe('k8s:cleanse-pods', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => {
    lab = await withLab({ topology: FLUX });
    const pod = (name: string, status: Record<string, unknown>, owner?: { kind: string; name: string; uid: string }) => lab.store.create('pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'observability', ...(owner ? { ownerReferences: [{ apiVersion: 'batch/v1', ...owner, controller: true }] } : {}) },
      spec: { nodeName: 'w1', restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.37' }] }, status,
    });
    // the garbage collector keeps a pod whose owner's uid exists: a stand-in object plays the finished Job's uid
    const job = lab.store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'stand-in-for-job', namespace: 'observability' } });
    for (const [name, status, owner] of [
      ['gatus-7d9f-evicted', { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' }, undefined],
      ['migrate-once', { phase: 'Succeeded' }, undefined],
      ['backup-28861920-x2x9k', { phase: 'Succeeded' }, { kind: 'Job', name: 'backup-28861920', uid: job.metadata.uid! }],
      ['running-one', { phase: 'Running' }, undefined],
    ] as const) pod(name, status, owner);
    await lab.settled();
  });
  afterAll(async () => { await lab?.stop(); });
  // the pods this test made (the gatus Deployment's own pods are not among them)
  const pods = () => lab.store.list('pods', { namespace: 'observability' }).items.filter((p) => !(p.metadata.ownerReferences ?? []).some((r) => r.kind === 'ReplicaSet')).map((p) => p.metadata.name).sort();

  it('lists first; --dry-run deletes nothing; the run deletes Evicted and Succeeded pods but not a Job\'s; a re-run has nothing to do', async () => {
    const dry = await lab.run(['k8s:cleanse-pods', '--cluster', 'lab', '--namespace', 'observability', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toContain('delete pod observability/gatus-7d9f-evicted (Failed, Evicted,');
    expect(dry.stderr).toContain('delete pod observability/migrate-once (Succeeded,');
    expect(dry.stderr).toContain('left alone (pods of a Job; --include-job-pods deletes them too): observability/backup-28861920-x2x9k');
    expect(pods()).toEqual(['backup-28861920-x2x9k', 'gatus-7d9f-evicted', 'migrate-once', 'running-one']);
    const refused = await lab.run(['k8s:cleanse-pods', '--cluster', 'lab', '--namespace', 'observability']);
    expect(refused.code).toBe(3); // destructive, no terminal, no --yes
    const r = await lab.run(['k8s:cleanse-pods', '--cluster', 'lab', '--namespace', 'observability', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    await lab.settled();
    expect(pods()).toEqual(['backup-28861920-x2x9k', 'running-one']);
    const again = await lab.run(['k8s:cleanse-pods', '--cluster', 'lab', '--namespace', 'observability', '--yes']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('no Failed, Evicted or Succeeded pod to delete');
  });
});
