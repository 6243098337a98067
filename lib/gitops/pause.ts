// Pausing whoever deploys a workload (lib/gitops/owner.ts) for a change it would undo, and putting it back: Flux's
// HelmRelease (from the workload's Helm release annotations or helm-controller's labels) and the Kustomization that
// applies it (kustomize-controller's labels on the HelmRelease or the workload) are suspended and marked; an Argo CD
// Application gets automated sync off, its ApplicationSet's template first when the set would put it back. Each
// pause step undoes itself when the run fails; the resume step touches only what rackhand paused.
import type { Step, TaskContext } from '../engine/types.ts';
import { byKindName, refOf } from '../flux/kinds.ts';
import { getFlux, resumeStep, suspendStep, type FluxRef } from '../flux/objects.ts';
import type { KubeObject } from '../tools/kube-types.ts';
import { pauseSyncStep, resumeSyncStep } from './argo.ts';
import type { GitOpsOwner } from './owner.ts';

/** The Flux objects that deploy `w`: its HelmRelease and the Kustomization applying that (or applying `w`). */
export async function fluxOwners(ctx: TaskContext, w: KubeObject): Promise<FluxRef[]> {
  const l = w.metadata.labels ?? {};
  const a = w.metadata.annotations ?? {};
  const refs: FluxRef[] = [];
  const hrName = l['helm.toolkit.fluxcd.io/name'] ?? a['meta.helm.sh/release-name'];
  const hrNs = l['helm.toolkit.fluxcd.io/namespace'] ?? a['meta.helm.sh/release-namespace'] ?? w.metadata.namespace;
  let ksFrom: KubeObject = w;
  if (hrName && hrNs) {
    const hr = refOf(byKindName('HelmRelease')!, hrNs, hrName);
    const o = await getFlux(ctx.kubectl, hr);
    if (o) { refs.push(hr); ksFrom = o; }
  }
  const kl = ksFrom.metadata.labels ?? {};
  if (kl['kustomize.toolkit.fluxcd.io/name'] && kl['kustomize.toolkit.fluxcd.io/namespace']) {
    refs.unshift(refOf(byKindName('Kustomization')!, kl['kustomize.toolkit.fluxcd.io/namespace'], kl['kustomize.toolkit.fluxcd.io/name']));
  }
  return refs;
}

export interface OwnerPause { describe: string; pause: Step[]; resume: Step }

/** Steps that pause the owner and the one that puts it back; undefined when nobody deploys the workload. */
export async function ownerPause(ctx: TaskContext, owner: GitOpsOwner, w: KubeObject, at: string): Promise<OwnerPause | undefined> {
  if (owner.by === 'argo') {
    return {
      describe: `Argo CD Application ${owner.application.namespace}/${owner.application.name}${owner.set ? ` (ApplicationSet ${owner.set.name})` : ''}`,
      pause: [...(owner.set ? [pauseSyncStep(ctx, owner.set)] : []), pauseSyncStep(ctx, owner.application, owner.set)],
      resume: resumeSyncStep(ctx, [...(owner.set ? [owner.set] : []), owner.application]),
    };
  }
  if (owner.by === 'flux') {
    const refs = await fluxOwners(ctx, w);
    if (!refs.length) return undefined;
    return {
      describe: `Flux ${refs.map((r) => `${r.kind} ${r.namespace}/${r.name}`).join(', ')}`,
      pause: refs.map((r) => suspendStep(ctx, r)),
      resume: resumeStep(ctx, [...refs].reverse(), at),
    };
  }
  return undefined;
}
