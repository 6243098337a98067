// Whether a Flux object is Ready, the way `flux get` and kstatus read it: the Ready condition, at the object's own
// generation (status.observedGeneration), and not Stalled (fluxcd/pkg apis/meta conditions.go: Ready, Stalled,
// Reconciling; reasons such as DependencyNotReady, UpgradeFailed, ArtifactFailed).
import { FLUX_KINDS, type FluxKind } from './kinds.ts';
import type { FluxObject } from './objects.ts';
import type { TaskContext } from '../engine/types.ts';

export interface FluxState { kind: string; namespace: string; name: string; ready: boolean; suspended: boolean; reason: string; message: string }

export function stateOf(k: FluxKind, o: FluxObject): FluxState {
  const c = (o.status?.conditions ?? []).find((x) => x.type === 'Ready');
  // suspending changes the spec, so a suspended object's generation is ahead of what its controller observed: its
  // Ready condition is what it was when it was suspended (as `flux get` shows it)
  const current = Boolean(o.spec?.suspend) || o.status?.observedGeneration === undefined || o.status.observedGeneration === o.metadata.generation;
  return {
    kind: k.kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name, suspended: Boolean(o.spec?.suspend),
    ready: c?.status === 'True' && current,
    reason: c ? (c.reason ?? c.status) : 'NoStatus',
    message: c ? `${c.message ?? ''}${current ? '' : ` (generation ${o.metadata.generation} not observed yet)`}` : 'no Ready condition yet',
  };
}

/** Every Flux object the API serves, with its state (a kind the cluster does not serve is left out). */
export async function fluxObjects(ctx: TaskContext, kinds: FluxKind[] = FLUX_KINDS, namespace?: string): Promise<{ k: FluxKind; o: FluxObject; state: FluxState }[]> {
  const out: { k: FluxKind; o: FluxObject; state: FluxState }[] = [];
  for (const k of kinds) {
    // a Flux without that controller serves no such kind: nothing of it
    const items = (await ctx.kubectl.listServed<FluxObject>(k.resource, namespace ? { namespace } : { allNamespaces: true })) ?? [];
    for (const o of items) out.push({ k, o, state: stateOf(k, o) });
  }
  return out;
}
