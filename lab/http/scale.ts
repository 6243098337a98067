// The scale subresource: an autoscaling/v1 Scale view of .spec.replicas / .status.replicas
// (pkg/registry/apps/deployment/storage/storage.go ScaleREST; CRD scale paths for custom kinds).
import { errors } from '../store/errors.js';
import { getPath } from '../store/selectors.js';
import type { KObject } from '../store/types.js';
import { formatSelector } from '../kinds/printers.js';
import { groupResource, type KindDef } from '../kinds/types.js';
import { isDryRun, type ApiContext } from './context.js';
import { jsonPatch, mergePatch, type PatchType } from './patch.js';

const paths = (kind: KindDef) => kind.scale ?? { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' };

export function scaleOf(kind: KindDef, o: KObject) {
  const p = paths(kind);
  const md = o.metadata;
  const selector = kind.custom
    ? (p.labelSelectorPath ? String(getPath(o, p.labelSelectorPath.slice(1)) ?? '') : '')
    : formatSelector(o.spec?.selector).replace('<none>', '');
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: md.name, namespace: md.namespace, uid: md.uid, resourceVersion: md.resourceVersion, creationTimestamp: md.creationTimestamp },
    spec: { replicas: Number(getPath(o, p.specReplicasPath.slice(1)) ?? 0) },
    status: { replicas: Number(getPath(o, p.statusReplicasPath.slice(1)) ?? 0), ...(selector ? { selector } : {}) },
  };
}

/** PUT (a full Scale) or PATCH (any patch type on the Scale view) => new replicas on the parent. */
export function writeScale(ctx: ApiContext, kind: KindDef, ns: string | undefined, name: string, body: any, q: URLSearchParams, patchType?: PatchType) {
  const gr = groupResource(kind);
  const cur = ctx.store.get(gr, ns, name);
  const view = scaleOf(kind, cur);
  const next = patchType === undefined ? body : patchType === 'json' ? jsonPatch(view, body) : mergePatch(view, body, patchType === 'strategic');
  const replicas = (next as any)?.spec?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw errors.invalid('Scale', 'autoscaling', name, [{ field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` }]);
  }
  const rv = (next as any)?.metadata?.resourceVersion;
  if (patchType === undefined && rv && rv !== cur.metadata.resourceVersion) throw errors.conflict({ group: kind.group, resource: kind.resource, name });
  const segs = paths(kind).specReplicasPath.slice(1).split('.');
  let target: any = cur;
  for (const s of segs.slice(0, -1)) target = target[s] ??= {};
  target[segs[segs.length - 1]!] = replicas;
  return scaleOf(kind, ctx.store.update(gr, cur, { dryRun: isDryRun(q) }));
}
