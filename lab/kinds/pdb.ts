// PodDisruptionBudget arithmetic, shared by the eviction subresource and the disruption controller
// (pkg/controller/disruption/disruption.go getExpectedPodCount / countHealthyPods / updatePdbStatus).
import { labelSelectorMatcher } from '../store/selectors.js';
import type { KObject } from '../store/types.js';

/** podutil.IsPodReady: the Ready condition is True */
export function isPodReady(pod: KObject): boolean {
  return (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

/** The PDBs in the pod's namespace whose selector matches its labels (policy/v1: an empty selector matches all). */
export function pdbsForPod(pod: KObject, pdbs: KObject[]): KObject[] {
  return pdbs.filter((p) => p.metadata.namespace === pod.metadata.namespace && labelSelectorMatcher(p.spec?.selector ?? {})(pod.metadata.labels ?? {}));
}

/** intstr.GetScaledValueFromIntOrPercent with roundUp=true */
export function scaled(v: number | string, total: number): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (m) return Math.ceil((Number(m[1]) * total) / 100);
  if (/^\d+$/.test(v)) return Number(v);
  throw new Error(`invalid int or percent: ${v}`);
}

export interface PdbNumbers {
  expectedPods: number;
  desiredHealthy: number;
}

/**
 * expectedPods: an integer minAvailable counts the matching pods; a percentage or maxUnavailable counts the scale of
 * the pods' controllers (`controllerScale`: owner uid => replicas), as getExpectedPodCount does.
 */
export function pdbNumbers(pdb: KObject, pods: KObject[], controllerScale: (ownerUid: string) => number | undefined): PdbNumbers {
  const { minAvailable, maxUnavailable } = pdb.spec ?? {};
  if (minAvailable !== undefined && (typeof minAvailable === 'number' || /^\d+$/.test(minAvailable))) {
    return { expectedPods: pods.length, desiredHealthy: scaled(minAvailable, pods.length) };
  }
  const owners = new Map<string, number>();
  for (const p of pods) {
    const ref = (p.metadata.ownerReferences ?? []).find((r) => r.controller);
    if (!ref) continue;
    const n = controllerScale(ref.uid);
    if (n !== undefined) owners.set(ref.uid, n);
  }
  const expected = owners.size ? [...owners.values()].reduce((a, b) => a + b, 0) : pods.length;
  if (maxUnavailable !== undefined) return { expectedPods: expected, desiredHealthy: Math.max(0, expected - scaled(maxUnavailable, expected)) };
  if (minAvailable !== undefined) return { expectedPods: expected, desiredHealthy: scaled(minAvailable, expected) };
  return { expectedPods: expected, desiredHealthy: 0 }; // neither set: getExpectedPodCount leaves desiredHealthy at 0
}
