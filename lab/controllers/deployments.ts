// Deployments own one ReplicaSet per pod template (named <deploy>-<pod-template-hash>); the current one is scaled to
// spec.replicas and older ones to 0 at once (a rollout in one step). Status counters and the Available/Progressing
// conditions follow pkg/controller/deployment/sync.go so `kubectl rollout status` succeeds when done.
import type { KObject } from '../store/types.js';
import type { Controller, ControllerContext } from './types.js';
import { controllerRef, ownedBy, setCondition, templateHash, writeStatus } from './util.js';

const DEPLOY = 'deployments.apps';
const RS = 'replicasets.apps';
const REVISION = 'deployment.kubernetes.io/revision';

export class DeploymentController implements Controller {
  readonly name = 'deployments';
  constructor(private readonly ctx: ControllerContext) {}

  reconcile(): void {
    const { store } = this.ctx;
    const allRs = store.list(RS).items;
    for (const d of store.list(DEPLOY).items) {
      if (d.metadata.deletionTimestamp) continue;
      const owned = allRs.filter((rs) => ownedBy(rs, d));
      const hash = templateHash(d.spec.template);
      const want = d.spec.replicas ?? 1;
      let current = owned.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
      const maxRevision = Math.max(0, ...owned.map((rs) => Number(rs.metadata.annotations?.[REVISION] ?? 0)));
      if (!current) current = store.create(RS, this.newReplicaSet(d, hash, want, maxRevision + 1));
      else if (current.spec.replicas !== want) current = store.update(RS, { ...current, spec: { ...current.spec, replicas: want } });
      for (const old of owned) {
        if (old.metadata.uid !== current.metadata.uid && old.spec.replicas !== 0) store.update(RS, { ...old, spec: { ...old.spec, replicas: 0 } });
      }
      const revision = current.metadata.annotations?.[REVISION] ?? '1';
      if (d.metadata.annotations?.[REVISION] !== revision) {
        store.update(DEPLOY, { ...d, metadata: { ...d.metadata, annotations: { ...d.metadata.annotations, [REVISION]: revision } } });
      }
      this.writeStatus(store.get(DEPLOY, d.metadata.namespace, d.metadata.name!), current, store.list(RS, { namespace: d.metadata.namespace }).items.filter((rs) => ownedBy(rs, d)));
    }
  }

  private newReplicaSet(d: KObject, hash: string, replicas: number, revision: number): KObject {
    const labels = { ...(d.spec.template?.metadata?.labels ?? {}), 'pod-template-hash': hash };
    return {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`, namespace: d.metadata.namespace!, labels,
        annotations: { [REVISION]: String(revision), 'deployment.kubernetes.io/desired-replicas': String(replicas) },
        ownerReferences: [controllerRef(d)],
      },
      spec: {
        replicas,
        selector: { ...d.spec.selector, matchLabels: { ...(d.spec.selector?.matchLabels ?? {}), 'pod-template-hash': hash } },
        template: { ...d.spec.template, metadata: { ...d.spec.template?.metadata, labels } },
      },
    };
  }

  private writeStatus(d: KObject, current: KObject, owned: KObject[]): void {
    const now = this.ctx.clock.now();
    const sum = (f: string) => owned.reduce((n, rs) => n + (rs.status?.[f] ?? 0), 0);
    const want = d.spec.replicas ?? 1;
    const replicas = sum('replicas');
    const updated = current.status?.replicas ?? 0;
    const available = sum('availableReplicas');
    // deploymentutil.MaxUnavailable: a percentage rounds down
    const mu = d.spec.strategy?.rollingUpdate?.maxUnavailable ?? '25%';
    const maxUnavailable = d.spec.strategy?.type === 'Recreate' ? 0 : typeof mu === 'number' ? mu : Math.floor((parseInt(mu, 10) * want) / 100);
    const complete = updated === want && replicas === want && available >= want && current.status?.observedGeneration === current.metadata.generation;
    let conditions = setCondition(d.status?.conditions, available >= want - maxUnavailable
      ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
      : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' }, now);
    conditions = setCondition(conditions, complete
      ? { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${current.metadata.name}" has successfully progressed.` }
      : { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${current.metadata.name}" is progressing.` }, now);
    const status: Record<string, unknown> = {
      observedGeneration: d.metadata.generation, replicas, updatedReplicas: updated, readyReplicas: sum('readyReplicas'),
      availableReplicas: available, conditions,
    };
    if (replicas - available > 0) status.unavailableReplicas = replicas - available;
    writeStatus(this.ctx.store, DEPLOY, d, status);
  }
}
