// StatefulSets: pods <name>-0..n-1 created in order (OrderedReady waits for each to be Ready), removed from the
// highest ordinal; a template change replaces pods from the highest ordinal, one at a time, and currentRevision
// catches up with updateRevision when all are updated (pkg/controller/statefulset/stateful_set_control.go).
// volumeClaimTemplates get Bound PVCs <template>-<name>-<ordinal>.
import { isPodReady } from '../kinds/pdb.js';
import type { KObject } from '../store/types.js';
import type { Controller, ControllerContext } from './types.js';
import { ownedBy, podFromTemplate, templateHash, writeStatus } from './util.js';

const STS = 'statefulsets.apps';
const REV = 'controller-revision-hash';

export class StatefulSetController implements Controller {
  readonly name = 'statefulsets';
  constructor(private readonly ctx: ControllerContext) {}

  reconcile(): void {
    const { store } = this.ctx;
    const allPods = store.list('pods').items;
    for (const sts of store.list(STS).items) {
      if (sts.metadata.deletionTimestamp) continue;
      const name = sts.metadata.name!;
      const ns = sts.metadata.namespace!;
      const want = sts.spec.replicas ?? 1;
      const updateRevision = `${name}-${templateHash(sts.spec.template)}`;
      const pods = allPods.filter((p) => ownedBy(p, sts) && !p.metadata.deletionTimestamp);
      const byOrdinal = new Map(pods.map((p) => [Number(p.metadata.name!.slice(name.length + 1)), p]));
      const ordered = (sts.spec.podManagementPolicy ?? 'OrderedReady') === 'OrderedReady';
      // scale down from the highest ordinal
      for (const [i, p] of byOrdinal) if (i >= want) { store.delete('pods', ns, p.metadata.name!); byOrdinal.delete(i); }
      for (let i = 0; i < want; i++) {
        if (byOrdinal.has(i)) { if (ordered && !isPodReady(byOrdinal.get(i)!)) break; continue; }
        this.ensureClaims(sts, i);
        byOrdinal.set(i, store.create('pods', podFromTemplate(this.ctx.registry, sts, sts.spec.template, {
          name: `${name}-${i}`,
          labels: { [REV]: updateRevision, 'statefulset.kubernetes.io/pod-name': `${name}-${i}`, 'apps.kubernetes.io/pod-index': String(i) },
        })));
        if (ordered) break;
      }
      const live = [...byOrdinal.values()];
      const allReady = live.length === want && live.every(isPodReady);
      const outdated = live.filter((p) => p.metadata.labels?.[REV] !== updateRevision).sort((a, b) => b.metadata.name!.localeCompare(a.metadata.name!, undefined, { numeric: true }));
      if (allReady && outdated.length) store.delete('pods', ns, outdated[0]!.metadata.name!);
      const updated = live.filter((p) => p.metadata.labels?.[REV] === updateRevision).length;
      const ready = live.filter(isPodReady).length;
      const currentRevision = updated === live.length && live.length === want ? updateRevision : (sts.status?.currentRevision ?? updateRevision);
      writeStatus(store, STS, sts, {
        observedGeneration: sts.metadata.generation, replicas: live.length, readyReplicas: ready, availableReplicas: ready,
        currentReplicas: currentRevision === updateRevision ? updated : live.length - updated, updatedReplicas: updated,
        currentRevision, updateRevision, collisionCount: 0,
      });
    }
  }

  private ensureClaims(sts: KObject, ordinal: number): void {
    const ns = sts.metadata.namespace!;
    for (const t of sts.spec.volumeClaimTemplates ?? []) {
      const claim = `${t.metadata.name}-${sts.metadata.name}-${ordinal}`;
      if (this.ctx.store.find('persistentvolumeclaims', ns, claim)) continue;
      const pvc = this.ctx.store.create('persistentvolumeclaims', {
        apiVersion: 'v1', kind: 'PersistentVolumeClaim',
        metadata: { name: claim, namespace: ns, labels: { ...(sts.spec.selector?.matchLabels ?? {}) } },
        spec: { ...t.spec, volumeName: `pvc-${ordinal}-${sts.metadata.uid!.slice(0, 8)}` },
      });
      this.ctx.store.update('persistentvolumeclaims', {
        ...pvc, status: { phase: 'Bound', accessModes: t.spec?.accessModes ?? ['ReadWriteOnce'], capacity: { storage: t.spec?.resources?.requests?.storage ?? '1Gi' } },
      }, { subresource: 'status' });
    }
  }
}
