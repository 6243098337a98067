// kstatus "Current", which flux waits for after a reconcile or resume (fluxcd/cli-utils pkg/kstatus/status):
// - generic (Flux objects): status.observedGeneration, when set, equals metadata.generation; no Reconciling=True or
//   Stalled=True condition; Ready is not False;
// - Deployment (core.go deploymentConditions): observedGeneration caught up, spec.replicas == status.replicas ==
//   updatedReplicas == readyReplicas == availableReplicas, Progressing=True with reason NewReplicaSetAvailable and
//   Available=True.
import type { KObject } from '../store/types.js';

const cond = (o: KObject, type: string) => (o.status?.conditions ?? []).find((c: any) => c.type === type);

function generationObserved(o: KObject): boolean {
  const seen = o.status?.observedGeneration;
  return seen === undefined || seen >= (o.metadata.generation ?? 0);
}

export function isCurrent(o: KObject): boolean {
  if (!generationObserved(o)) return false;
  if (cond(o, 'Reconciling')?.status === 'True' || cond(o, 'Stalled')?.status === 'True') return false;
  return cond(o, 'Ready')?.status !== 'False';
}

export function isDeploymentCurrent(d: KObject): boolean {
  if (d.status?.observedGeneration === undefined || !generationObserved(d)) return false;
  const want = d.spec?.replicas ?? 1;
  const s = d.status;
  if ([s.replicas, s.updatedReplicas, s.readyReplicas, s.availableReplicas].some((n) => (n ?? 0) !== want)) return false;
  const progressing = cond(d, 'Progressing');
  return progressing?.status === 'True' && progressing.reason === 'NewReplicaSetAvailable' && cond(d, 'Available')?.status === 'True';
}
