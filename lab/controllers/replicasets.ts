// ReplicaSets keep spec.replicas pods alive (pkg/controller/replicaset/replica_set.go manageReplicas):
// missing pods are created, surplus ones deleted (unscheduled, then not ready, then newest first).
import { isPodReady } from '../kinds/pdb.js';
import type { KObject } from '../store/types.js';
import type { Controller, ControllerContext } from './types.js';
import { ownedBy, podFromTemplate, writeStatus } from './util.js';

const RS = 'replicasets.apps';

export function surplusOrder(a: KObject, b: KObject): number {
  const rank = (p: KObject) => (!p.spec?.nodeName ? 0 : !isPodReady(p) ? 1 : 2);
  return rank(a) - rank(b) || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '');
}

export class ReplicaSetController implements Controller {
  readonly name = 'replicasets';
  constructor(private readonly ctx: ControllerContext) {}

  reconcile(): void {
    const { store } = this.ctx;
    const allPods = store.list('pods').items;
    for (const rs of store.list(RS).items) {
      if (rs.metadata.deletionTimestamp) continue;
      const pods = allPods.filter((p) => ownedBy(p, rs) && !p.metadata.deletionTimestamp);
      const want = rs.spec?.replicas ?? 1;
      for (let i = pods.length; i < want; i++) {
        pods.push(store.create('pods', podFromTemplate(this.ctx.registry, rs, rs.spec.template, {})));
      }
      if (pods.length > want) {
        for (const p of [...pods].sort(surplusOrder).slice(0, pods.length - want)) {
          store.delete('pods', p.metadata.namespace, p.metadata.name!);
          pods.splice(pods.indexOf(p), 1);
        }
      }
      const ready = pods.filter(isPodReady).length;
      writeStatus(store, RS, rs, {
        replicas: pods.length, fullyLabeledReplicas: pods.length, readyReplicas: ready, availableReplicas: ready,
        observedGeneration: rs.metadata.generation,
      });
    }
  }
}
