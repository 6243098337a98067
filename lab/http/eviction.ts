// pods/eviction, as pkg/registry/core/pod/storage/eviction.go: PDBs are enforced by the server, a blocked eviction
// is a 429 TooManyRequests with a DisruptionBudget cause and NO Retry-After (kubectl-protocol.md "drain").
import { errors, success, type StatusBody } from '../store/errors.js';
import { timestamp } from '../store/meta.js';
import type { KObject } from '../store/types.js';
import { isPodReady, pdbsForPod } from '../kinds/pdb.js';
import { isDryRun, type ApiContext } from './context.js';

const PDB = 'poddisruptionbudgets.policy';
const BLOCKED = "Cannot evict pod as it would violate the pod's disruption budget.";

export function evictPod(ctx: ApiContext, ns: string, name: string, body: any, q: URLSearchParams): StatusBody {
  if (body?.metadata?.name && body.metadata.name !== name) throw errors.badRequest('name in URL does not match name in Eviction object');
  const dryRun = isDryRun(q) || (body?.deleteOptions?.dryRun ?? []).includes('All');
  const pod = ctx.store.get('pods', ns, name);
  const remove = () => {
    if (dryRun) return success(201);
    ctx.store.delete('pods', ns, name);
    ctx.record('pod-evicted', `${ns}/${name}`, pod.spec?.nodeName);
    return success(201);
  };
  // already terminating, or terminal: no budget to protect
  if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return remove();
  const pdbs = pdbsForPod(pod, ctx.store.list(PDB, { namespace: ns }).items);
  if (pdbs.length > 1) throw errors.internal('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  if (pdbs.length === 0) return remove();
  const pdb = pdbs[0]!;
  const st = pdb.status ?? {};
  if (!isPodReady(pod)) {
    if (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') return remove();
    // IfHealthyBudget (the default): an unready pod may go while the budget is met
    if ((st.currentHealthy ?? 0) >= (st.desiredHealthy ?? 0) && (st.desiredHealthy ?? 0) > 0) return remove();
  }
  checkAndDecrement(ctx, pdb, name, dryRun);
  return remove();
}

function checkAndDecrement(ctx: ApiContext, pdb: KObject, podName: string, dryRun: boolean): void {
  const name = pdb.metadata.name!;
  const st = pdb.status ?? {};
  if ((st.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) {
    throw errors.tooManyRequests(BLOCKED, [{ reason: 'DisruptionBudget', message: `The disruption budget ${name} is still being processed by the server.` }]);
  }
  if ((st.disruptionsAllowed ?? 0) < 0) throw errors.forbidden({ group: 'policy', resource: 'poddisruptionbudget', name }, 'pdb disruptions allowed is negative');
  if ((st.disruptionsAllowed ?? 0) === 0) {
    throw errors.tooManyRequests(BLOCKED, [{
      reason: 'DisruptionBudget',
      message: `The disruption budget ${name} needs ${st.desiredHealthy ?? 0} healthy pods and has ${st.currentHealthy ?? 0} currently`,
    }]);
  }
  const next = structuredClone(pdb);
  next.status = { ...st, disruptionsAllowed: st.disruptionsAllowed - 1, disruptedPods: { ...(st.disruptedPods ?? {}), [podName]: timestamp(ctx.now()) } };
  if (next.status.disruptionsAllowed === 0) {
    next.status.conditions = (st.conditions ?? []).map((c: any) =>
      c.type === 'DisruptionAllowed' ? { ...c, status: 'False', reason: 'InsufficientPods', message: '', lastTransitionTime: timestamp(ctx.now()) } : c);
  }
  if (!dryRun) ctx.store.update(PDB, next, { subresource: 'status' });
}
