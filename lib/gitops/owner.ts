// Who deploys a workload, so a task that scales or edits it can pause that first: Argo CD (label
// argocd.argoproj.io/instance, or annotation argocd.argoproj.io/tracking-id "<app>:<group>/<kind>:<ns>/<name>", where
// <app> may be "<namespace>_<name>" for Applications outside argocd: argo-cd docs "Resource Tracking"), Flux (labels
// helm.toolkit.fluxcd.io/name|namespace or kustomize.toolkit.fluxcd.io/name|namespace that the controllers set, or
// Helm's meta.helm.sh/release-name annotation of a HelmRelease's objects), or nobody.
import type { TaskContext } from '../engine/types.ts';
import type { KubeObject } from '../tools/kube-types.ts';
import { APP, APPSET, setRevertsSyncPolicy, type ArgoObject, type ArgoRef } from './argo.ts';

export type GitOpsOwner =
  | { by: 'argo'; application: ArgoRef; set?: ArgoRef }
  | { by: 'flux' }
  | { by: 'none' };

export function argoTracking(w: KubeObject): { name: string; namespace?: string } | undefined {
  const id = w.metadata.labels?.['argocd.argoproj.io/instance'] ?? w.metadata.annotations?.['argocd.argoproj.io/tracking-id']?.split(':')[0];
  if (!id) return undefined;
  const i = id.indexOf('_');
  return i > 0 ? { namespace: id.slice(0, i), name: id.slice(i + 1) } : { name: id };
}

export async function ownerOf(ctx: TaskContext, w: KubeObject): Promise<GitOpsOwner> {
  const tracked = argoTracking(w);
  if (tracked) {
    const apps = await ctx.kubectl.list<ArgoObject>(APP, tracked.namespace ? { namespace: tracked.namespace } : { allNamespaces: true }).catch(() => [] as ArgoObject[]);
    const app = apps.find((a) => a.metadata.name === tracked.name);
    if (app) {
      const application: ArgoRef = { resource: APP, name: app.metadata.name, namespace: app.metadata.namespace! };
      const owner = (app.metadata.ownerReferences ?? []).find((r) => r.kind === 'ApplicationSet');
      const set = owner ? await ctx.kubectl.get<ArgoObject>(APPSET, owner.name, app.metadata.namespace) : undefined;
      return { by: 'argo', application, ...(set && setRevertsSyncPolicy(set) ? { set: { resource: APPSET, name: set.metadata.name, namespace: set.metadata.namespace! } } : {}) };
    }
  }
  const l = w.metadata.labels ?? {};
  const a = w.metadata.annotations ?? {};
  if (l['helm.toolkit.fluxcd.io/name'] || l['kustomize.toolkit.fluxcd.io/name'] || a['meta.helm.sh/release-name']) return { by: 'flux' };
  return { by: 'none' };
}
