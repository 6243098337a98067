// A Flux Kustomization built locally the way kustomize-controller builds it from the repository, so the result can be
// diffed against, applied to or deleted from the cluster before (or instead of) a push:
// - the path: the Kustomization's spec.path under the local repository (or --path); a folder without a
//   kustomization.yaml gets every manifest in it, as the controller generates one (fluxcd/pkg kustomize/
//   kustomize_generator.go); the build itself is `kubectl kustomize` (kustomize embedded in kubectl);
// - spec.targetNamespace on every namespaced object;
// - post-build variable substitution: spec.postBuild.substitute, then substituteFrom ConfigMaps and Secrets in order
//   (a later one wins, optional ones may be missing), ${var} and ${var:=default}; an object annotated
//   kustomize.toolkit.fluxcd.io/substitute: disabled is left alone (fluxcd/pkg kustomize/kustomize_varsub.go);
// - the labels kustomize-controller puts on what it applies (kustomize.toolkit.fluxcd.io/name, .../namespace).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { StepFailure, type TaskContext } from '../engine/types.ts';
import type { KubeObject } from '../tools/kube-types.ts';
import { KS } from './objects.ts';

type Ks = KubeObject<{ path?: string; targetNamespace?: string; prune?: boolean; postBuild?: { substitute?: Record<string, string>; substituteFrom?: { kind: 'ConfigMap' | 'Secret'; name: string; optional?: boolean }[] } }, { inventory?: { entries?: { id: string; v: string }[] } }>;

// kinds kustomize never namespaces (cluster-scoped), the ones GitOps repositories carry
export const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'StorageClass', 'PersistentVolume',
  'PriorityClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'ClusterIssuer', 'ClusterSecretStore', 'ClusterExternalSecret', 'IngressClass', 'APIService', 'RuntimeClass', 'CSIDriver', 'VolumeSnapshotClass']);
const VAR = /\$\{([_a-zA-Z][_a-zA-Z0-9]*)(?::=([^}]*))?\}/g;

export interface BuiltKs { ks: Ks; dir: string; objects: KubeObject[]; yaml: string; pruned: string[] }

function manifestsIn(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return manifestsIn(p);
    return /\.ya?ml$/.test(f) ? [p] : [];
  });
}

async function variables(ctx: TaskContext, ks: Ks): Promise<Record<string, string>> {
  const vars: Record<string, string> = { ...(ks.spec?.postBuild?.substitute ?? {}) };
  for (const from of ks.spec?.postBuild?.substituteFrom ?? []) {
    const o = await ctx.kubectl.get<KubeObject & { data?: Record<string, string> }>(from.kind === 'Secret' ? 'secrets' : 'configmaps', from.name, ks.metadata.namespace);
    if (!o) {
      if (from.optional) continue;
      throw new StepFailure(`${from.kind} ${ks.metadata.namespace}/${from.name} (postBuild.substituteFrom of Kustomization ${ks.metadata.namespace}/${ks.metadata.name}) does not exist`, `kubectl get ${from.kind.toLowerCase()} -n ${ks.metadata.namespace}`);
    }
    for (const [k, v] of Object.entries(o.data ?? {})) {
      const value = from.kind === 'Secret' ? Buffer.from(v, 'base64').toString('utf8') : v;
      if (from.kind === 'Secret') ctx.exec.registerSecret(value);
      vars[k] = value;
    }
  }
  return vars;
}

/** A folder's manifests as kustomize builds them (`kubectl kustomize` when it has a kustomization file), else every
 *  manifest in it (kustomize-controller's generated kustomization: fluxcd/pkg kustomize/kustomize_generator.go;
 *  Argo CD's directory source reads them the same way). */
export async function renderDir(ctx: TaskContext, dir: string): Promise<string> {
  if (['kustomization.yaml', 'kustomization.yml', 'Kustomization'].some((f) => existsSync(join(dir, f)))) {
    // through the cluster's kubeconfig: the kubectl dispatcher picks its version from the server
    const r = await ctx.exec.run(ctx.kubectl.argv(['kustomize', dir]), { mutating: false, timeoutMs: 120_000 });
    if (r.exitCode !== 0) throw new StepFailure(`kubectl kustomize ${dir} failed: ${r.stderr.trim().split('\n').pop()}`);
    return r.stdout;
  }
  return manifestsIn(dir).map((f) => readFileSync(f, 'utf8')).join('\n---\n');
}

export async function buildKustomization(ctx: TaskContext, ref: { namespace: string; name: string }, o: { repo: string; path?: string }): Promise<BuiltKs> {
  const ks = await ctx.kubectl.get<Ks>(KS, ref.name, ref.namespace);
  if (!ks) throw new StepFailure(`no Kustomization ${ref.namespace}/${ref.name}`, 'kubectl get kustomizations -A');
  const dir = resolve(o.path ?? join(o.repo, ks.spec?.path ?? '.'));
  if (!existsSync(dir)) throw new StepFailure(`Kustomization ${ref.namespace}/${ref.name} builds ${ks.spec?.path ?? '.'}, and ${dir} does not exist here`, '--repo REPOSITORY_ROOT or --path FOLDER');
  const text = await renderDir(ctx, dir);
  const vars = await variables(ctx, ks);
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    const obj = doc.toJS() as KubeObject | null;
    if (!obj?.kind) continue;
    let out = obj;
    if (obj.metadata?.annotations?.['kustomize.toolkit.fluxcd.io/substitute'] !== 'disabled' && (ks.spec?.postBuild?.substitute || ks.spec?.postBuild?.substituteFrom)) {
      const raw = JSON.stringify(obj).replace(VAR, (_m, name: string, dflt?: string) => JSON.stringify(vars[name] ?? dflt ?? '').slice(1, -1));
      out = JSON.parse(raw) as KubeObject;
    }
    const target = ks.spec?.targetNamespace;
    if (target && !CLUSTER_SCOPED.has(out.kind!)) out.metadata.namespace = target;
    out.metadata.labels = { ...out.metadata.labels, 'kustomize.toolkit.fluxcd.io/name': ks.metadata.name, 'kustomize.toolkit.fluxcd.io/namespace': ks.metadata.namespace! };
    objects.push(out);
  }
  const built = new Set(objects.map(inventoryId));
  // what the controller applied last time and this build no longer has: pruned on the next reconcile (spec.prune)
  const pruned = (ks.status?.inventory?.entries ?? []).map((e) => e.id).filter((id) => !built.has(id));
  return { ks, dir, objects, yaml: objects.map((x) => stringify(x)).join('---\n'), pruned };
}

/** kustomize-controller's inventory id: <namespace>_<name>_<group>_<kind> (fluxcd/pkg ssa/utils ObjMetadata) */
export function inventoryId(o: KubeObject): string {
  const group = (o.apiVersion ?? '').includes('/') ? o.apiVersion!.split('/')[0] : '';
  return `${o.metadata.namespace ?? ''}_${o.metadata.name}_${group}_${o.kind}`;
}

export const describeObject = (o: KubeObject) => `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
