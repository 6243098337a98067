// Binds pending pods to nodes: among the nodes a pod fits, the one with the fewest pods of the same owner, then the
// fewest pods, then by name (a spreading default-scheduler in miniature).
import type { KObject } from '../store/types.js';
import { fits } from './placement.js';
import type { Controller, ControllerContext } from './types.js';
import { podKey, setCondition } from './util.js';

export class Scheduler implements Controller {
  readonly name = 'scheduler';
  constructor(private readonly ctx: ControllerContext) {}

  reconcile(): void {
    const { store, clock } = this.ctx;
    const nodes = store.list('nodes').items;
    const pods = store.list('pods').items;
    for (const pod of pods) {
      if (pod.spec?.nodeName || pod.metadata.deletionTimestamp) continue;
      const candidates = nodes.filter((n) => fits(pod.spec, n));
      if (!candidates.length) {
        const message = `0/${nodes.length} nodes are available: ${nodes.length} node(s) didn't match Pod's node affinity/selector, had untolerated taint, or were unschedulable.`;
        const conditions = setCondition(pod.status?.conditions, { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }, clock.now());
        if (JSON.stringify(conditions) !== JSON.stringify(pod.status?.conditions)) store.update('pods', { ...pod, status: { ...pod.status, conditions } }, { subresource: 'status' });
        continue;
      }
      const owner = pod.metadata.ownerReferences?.find((r) => r.controller)?.uid;
      const count = (n: KObject, sameOwner: boolean) =>
        pods.filter((p) => p.spec?.nodeName === n.metadata.name && (!sameOwner || p.metadata.ownerReferences?.some((r) => r.uid === owner))).length;
      candidates.sort((a, b) => count(a, true) - count(b, true) || count(a, false) - count(b, false) || a.metadata.name!.localeCompare(b.metadata.name!));
      const node = candidates[0]!.metadata.name!;
      // the binding subresource sets spec.nodeName; the scheduler then records PodScheduled=True
      const bound = store.update('pods', { ...pod, spec: { ...pod.spec, nodeName: node } });
      pods[pods.indexOf(pod)] = bound;
      store.update('pods', { ...bound, status: { ...bound.status, conditions: setCondition(bound.status?.conditions, { type: 'PodScheduled', status: 'True' }, clock.now()) } }, { subresource: 'status' });
      this.ctx.record('pod-scheduled', podKey(pod), node);
    }
  }
}
