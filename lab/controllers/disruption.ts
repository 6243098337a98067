// PodDisruptionBudget status (pkg/controller/disruption/disruption.go): currentHealthy counts Ready matching pods not
// already being disrupted, desiredHealthy/expectedPods from minAvailable / maxUnavailable, disruptionsAllowed =
// max(currentHealthy - desiredHealthy, 0), the DisruptionAllowed condition and observedGeneration.
import { isPodReady, pdbNumbers } from '../kinds/pdb.js';
import { labelSelectorMatcher } from '../store/selectors.js';
import type { Controller, ControllerContext } from './types.js';
import { setCondition, writeStatus } from './util.js';

const PDB = 'poddisruptionbudgets.policy';
const SCALABLE = ['deployments.apps', 'statefulsets.apps', 'replicasets.apps'];

export class DisruptionController implements Controller {
  readonly name = 'disruption';
  constructor(private readonly ctx: ControllerContext) {}

  reconcile(): void {
    const { store, clock } = this.ctx;
    const pdbs = store.list(PDB).items;
    if (!pdbs.length) return;
    const pods = store.list('pods').items.filter((p) => !p.metadata.deletionTimestamp);
    // controller uid => replicas; a ReplicaSet owned by a Deployment counts with the Deployment's scale
    const scales = new Map<string, number>();
    for (const r of SCALABLE) for (const o of store.list(r).items) scales.set(o.metadata.uid!, o.spec?.replicas ?? 1);
    for (const pdb of pdbs) {
      const ns = pdb.metadata.namespace!;
      const matches = labelSelectorMatcher(pdb.spec?.selector ?? {});
      const selected = pods.filter((p) => p.metadata.namespace === ns && matches(p.metadata.labels ?? {}));
      const disrupted: Record<string, string> = {};
      for (const [name, at] of Object.entries((pdb.status?.disruptedPods ?? {}) as Record<string, string>)) {
        if (selected.some((p) => p.metadata.name === name)) disrupted[name] = at;
      }
      const currentHealthy = selected.filter((p) => isPodReady(p) && !(p.metadata.name! in disrupted)).length;
      const { expectedPods, desiredHealthy } = pdbNumbers(pdb, selected, (uid) => scales.get(uid));
      const disruptionsAllowed = Math.max(0, currentHealthy - desiredHealthy);
      const conditions = setCondition(pdb.status?.conditions, disruptionsAllowed > 0
        ? { type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', observedGeneration: pdb.metadata.generation }
        : { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: pdb.metadata.generation }, clock.now());
      writeStatus(store, PDB, pdb, {
        observedGeneration: pdb.metadata.generation, ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}),
        disruptionsAllowed, currentHealthy, desiredHealthy, expectedPods, conditions,
      } satisfies Record<string, unknown>);
    }
  }
}

