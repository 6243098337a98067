// PATCH on an object or its status (handlers/patch.go): merge, JSON, strategic (built-ins only) and server-side
// apply, which creates a missing object (201). dryRun=All never persists.
import { errors } from '../store/errors.js';
import type { KObject } from '../store/types.js';
import { normalizeForWrite, validate } from '../kinds/strategy.js';
import { groupResource, type KindDef } from '../kinds/types.js';
import { isDryRun, type ApiContext } from './context.js';
import { checkIdentity, createObject } from './create.js';
import { applyOwnership, updateOwnership } from './managed.js';
import { jsonPatch, mergePatch, type PatchType } from './patch.js';

export function patchObject(
  ctx: ApiContext, kind: KindDef, ns: string | undefined, name: string, body: unknown, type: PatchType, q: URLSearchParams, subresource?: 'status',
): { object: KObject; created: boolean } {
  const gr = groupResource(kind);
  if (type === 'apply') {
    checkIdentity(kind, body, ns, name);
    // SSA requires apiVersion and kind in the applied configuration
    if (!(body as KObject).apiVersion || !(body as KObject).kind) throw errors.badRequest('apiVersion and kind must be set in an apply patch');
    const cur = ctx.store.find(gr, ns, name);
    if (!cur) {
      if (subresource) throw errors.notFound({ group: kind.group, resource: kind.resource, name });
      return { object: createObject(ctx, kind, ns, body, q, 'Apply'), created: true };
    }
    const merged = mergePatch(cur, body) as KObject;
    merged.metadata.resourceVersion = (body as KObject).metadata.resourceVersion ?? cur.metadata.resourceVersion;
    const manager = q.get('fieldManager');
    if (manager) applyOwnership(cur, body as KObject, merged, manager, q.get('force') === 'true', subresource);
    return { object: save(ctx, kind, merged, q, subresource), created: false };
  }
  const cur = ctx.store.get(gr, ns, name);
  const patched = (type === 'json' ? jsonPatch(cur, body) : mergePatch(cur, body, type === 'strategic')) as KObject;
  if (!patched || typeof patched !== 'object' || !patched.metadata) throw errors.badRequest('the patch removed the object metadata');
  if (patched.metadata.name !== name || (kind.namespaced && patched.metadata.namespace !== ns)) {
    throw errors.invalid(kind.kind, kind.group, name, [{ field: 'metadata.name', message: 'Invalid value: field is immutable' }]);
  }
  updateOwnership(cur, patched, q.get('fieldManager'), subresource);
  return { object: save(ctx, kind, patched, q, subresource), created: false };
}

function save(ctx: ApiContext, kind: KindDef, o: KObject, q: URLSearchParams, subresource?: 'status'): KObject {
  if (!subresource) { normalizeForWrite(kind, o); validate(kind, o); }
  return ctx.store.update(groupResource(kind), o, { dryRun: isDryRun(q), ...(subresource ? { subresource } : {}) });
}
