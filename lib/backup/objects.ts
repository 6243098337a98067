// What a namespace's configuration export holds: its ConfigMaps, Secrets, PersistentVolumeClaim specs, Services and
// workload specs, cleaned of what the cluster fills in (status; metadata uid, resourceVersion, generation,
// creationTimestamp, managedFields; kubectl's last-applied annotation; a Service's cluster IPs; a claim's bound volume
// and the binder's annotations), so each can be applied again to a new cluster. Left out: ServiceAccount token
// Secrets and Helm's release Secrets (type helm.sh/release.v1: Helm's own state, not the app's), and the
// kube-root-ca.crt ConfigMap every namespace gets.
import type { TaskContext } from '../engine/types.ts';
import type { KubeObject } from '../tools/kube-types.ts';

export const EXPORTED = ['configmaps', 'secrets', 'persistentvolumeclaims', 'services', 'deployments.apps', 'statefulsets.apps', 'daemonsets.apps', 'cronjobs.batch'] as const;
const SKIPPED_SECRET_TYPES = new Set(['kubernetes.io/service-account-token', 'helm.sh/release.v1']);

export type Exported = KubeObject & { data?: Record<string, string>; type?: string; [k: string]: unknown };

export function clean(o: Exported): Exported {
  const { status: _s, ...rest } = o as Exported & { status?: unknown };
  const m = { ...o.metadata } as Record<string, unknown> & { annotations?: Record<string, string> };
  for (const k of ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'ownerReferences']) delete m[k];
  if (m.annotations) {
    const a = Object.fromEntries(Object.entries(m.annotations).filter(([k]) => k !== 'kubectl.kubernetes.io/last-applied-configuration' && !k.startsWith('pv.kubernetes.io/') && !k.startsWith('volume.kubernetes.io/') && !k.startsWith('volume.beta.kubernetes.io/')));
    if (Object.keys(a).length) m.annotations = a; else delete m.annotations;
  }
  const out = { ...rest, metadata: m } as unknown as Exported;
  const spec = (out as { spec?: Record<string, unknown> }).spec;
  if (o.kind === 'Service' && spec) { const { clusterIP: _c, clusterIPs: _cs, ...s } = spec; (out as { spec?: unknown }).spec = s; }
  if (o.kind === 'PersistentVolumeClaim' && spec) { const { volumeName: _v, ...s } = spec; (out as { spec?: unknown }).spec = s; }
  return out;
}

export async function collect(ctx: TaskContext, namespace: string): Promise<Exported[]> {
  const all = await ctx.kubectl.list<Exported>(EXPORTED.join(','), { namespace });
  return all.filter((o) => !(o.kind === 'Secret' && SKIPPED_SECRET_TYPES.has(String(o.type ?? ''))) && !(o.kind === 'ConfigMap' && o.metadata.name === 'kube-root-ca.crt'))
    // a workload's Pods come from it, a Deployment's ReplicaSets too: only what an operator declares is exported
    .filter((o) => !(o.metadata.ownerReferences ?? []).some((r) => r.controller))
    .map(clean);
}

/** the objects that belong to one app: its labels (app.kubernetes.io/name|instance, app), or its name as a prefix */
export function ofApp(objects: Exported[], app: string): Exported[] {
  return objects.filter((o) => {
    const l = o.metadata.labels ?? {};
    return l['app.kubernetes.io/name'] === app || l['app.kubernetes.io/instance'] === app || l.app === app || o.metadata.name === app || o.metadata.name.startsWith(`${app}-`);
  });
}
