// Asking Flux for a reconcile and waiting for it: the reconcile.fluxcd.io/requestedAt annotation set to one value
// per run (controllers compare it with status.lastHandledReconcileAt: fluxcd/pkg apis/meta annotations.go), then
// Ready=True at the object's generation with that value handled. A deadline always; on timeout the object's own
// Ready reason and message are the failure (DependencyNotReady names the dependency).
import { StepFailure, type TaskContext } from '../engine/types.ts';
import { WaitTimeout, waitUntil } from '../wait.ts';
import { byKindName } from './kinds.ts';
import { getFlux, label, requestReconcile, type FluxRef } from './objects.ts';
import { stateOf } from './ready.ts';

export async function reconcileAndWait(ctx: TaskContext, ref: FluxRef, at: string, timeoutMs: number): Promise<void> {
  await requestReconcile(ctx.kubectl, ref, at);
  if (ctx.dryRun) return;
  const k = byKindName(ref.kind)!;
  try {
    await waitUntil({
      what: `${label(ref)} to be Ready`, timeoutMs, intervalMs: 500, signal: ctx.signal,
      probe: async () => {
        const o = await getFlux(ctx.kubectl, ref);
        if (!o) throw new StepFailure(`${label(ref)} is gone`);
        const s = stateOf(k, o);
        if (s.ready && o.status?.lastHandledReconcileAt === at) return { done: true, value: undefined };
        return { done: false, seen: `${s.reason}: ${s.message}` };
      },
    });
  } catch (err) {
    if (!(err instanceof WaitTimeout)) throw err;
    throw new StepFailure(`${label(ref)} not Ready after the reconcile: ${err.lastSeen ?? 'no status'}`,
      /DependencyNotReady/.test(err.lastSeen ?? '') ? `npx tsx tasks flux:status --cluster ${ctx.cluster.name} (its dependency first)` : `kubectl describe ${ref.resource} -n ${ref.namespace} ${ref.name}`);
  }
}
