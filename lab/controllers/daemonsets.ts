// DaemonSets: one pod per node the pod template fits (readiness and cordons ignored, the automatic daemon
// tolerations added), bound directly to its node (pkg/controller/daemon/daemon_controller.go).
import { isPodReady } from '../kinds/pdb.js';
import type { Controller, ControllerContext } from './types.js';
import { DAEMON_TOLERATIONS, fits } from './placement.js';
import { ownedBy, podFromTemplate, templateHash, writeStatus } from './util.js';

const DS = 'daemonsets.apps';

export class DaemonSetController implements Controller {
  readonly name = 'daemonsets';
  constructor(private readonly ctx: ControllerContext) {}

  reconcile(): void {
    const { store } = this.ctx;
    const nodes = store.list('nodes').items;
    const allPods = store.list('pods').items;
    for (const ds of store.list(DS).items) {
      if (ds.metadata.deletionTimestamp) continue;
      const spec = { ...ds.spec.template?.spec, tolerations: [...(ds.spec.template?.spec?.tolerations ?? []), ...DAEMON_TOLERATIONS] };
      const eligible = nodes.filter((n) => fits(spec, n, { ignoreReadiness: true, ignoreUnschedulable: true })).map((n) => n.metadata.name!);
      const pods = allPods.filter((p) => ownedBy(p, ds) && !p.metadata.deletionTimestamp);
      const hash = templateHash(ds.spec.template);
      for (const p of pods) {
        if (!eligible.includes(p.spec?.nodeName)) store.delete('pods', p.metadata.namespace, p.metadata.name!);
      }
      for (const node of eligible) {
        if (pods.some((p) => p.spec?.nodeName === node)) continue;
        const tpl = { ...ds.spec.template, spec };
        pods.push(store.create('pods', podFromTemplate(this.ctx.registry, ds, tpl, { nodeName: node, labels: { 'controller-revision-hash': hash, 'pod-template-generation': String(ds.metadata.generation ?? 1) } })));
      }
      const onNodes = pods.filter((p) => eligible.includes(p.spec?.nodeName));
      const ready = onNodes.filter(isPodReady).length;
      writeStatus(store, DS, ds, {
        desiredNumberScheduled: eligible.length, currentNumberScheduled: onNodes.length, numberMisscheduled: 0,
        numberReady: ready, numberAvailable: ready, updatedNumberScheduled: onNodes.length,
        ...(eligible.length - ready > 0 ? { numberUnavailable: eligible.length - ready } : {}),
        observedGeneration: ds.metadata.generation,
      });
    }
  }
}
