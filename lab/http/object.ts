// GET / PUT / DELETE on one object and DELETE on a collection (handlers/get.go, update.go, delete.go).
import type { ServerResponse } from 'node:http';
import { errors } from '../store/errors.js';
import type { KObject } from '../store/types.js';
import { normalizeForWrite, validate } from '../kinds/strategy.js';
import { apiVersionOf, groupResource, type KindDef } from '../kinds/types.js';
import { isDryRun, type ApiContext } from './context.js';
import { checkIdentity } from './create.js';
import { includeObjectOf } from './list.js';
import { updateOwnership } from './managed.js';
import { sendJson } from './respond.js';
import { acceptsTable, renderTable } from './table.js';

export function getObject(ctx: ApiContext, res: ServerResponse, kind: KindDef, ns: string | undefined, name: string, q: URLSearchParams, accept: string | undefined): void {
  const o = ctx.store.get(groupResource(kind), ns, name);
  const table = acceptsTable(accept);
  if (table) sendJson(res, 200, renderTable(kind, [o], { version: table, include: includeObjectOf(q), now: ctx.now(), resourceVersion: o.metadata.resourceVersion ?? '' }));
  else sendJson(res, 200, o);
}

export function updateObject(ctx: ApiContext, kind: KindDef, ns: string | undefined, name: string, body: unknown, q: URLSearchParams, subresource?: 'status'): KObject {
  checkIdentity(kind, body, ns, name);
  body.apiVersion = apiVersionOf(kind);
  body.kind = kind.kind;
  if (!subresource) { normalizeForWrite(kind, body); validate(kind, body); }
  const cur = ctx.store.find(groupResource(kind), ns, name);
  if (cur) updateOwnership(cur, body, q.get('fieldManager'), subresource);
  return ctx.store.update(groupResource(kind), body, { dryRun: isDryRun(q), ...(subresource ? { subresource } : {}) });
}

interface DeleteOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

export function deleteObject(ctx: ApiContext, kind: KindDef, ns: string | undefined, name: string, body: unknown, q: URLSearchParams): KObject {
  const opts = (body && typeof body === 'object' ? body : {}) as DeleteOptions;
  const gr = groupResource(kind);
  const pre = opts.preconditions;
  if (pre) {
    const cur = ctx.store.get(gr, ns, name);
    // rest/delete.go: "Precondition failed: UID in precondition: x, UID in object meta: y"
    if (pre.uid && pre.uid !== cur.metadata.uid) throw errors.conflict({ group: kind.group, resource: kind.resource, name }, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata.uid}`);
    if (pre.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion) {
      throw errors.conflict({ group: kind.group, resource: kind.resource, name }, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion}`);
    }
  }
  const policy = opts.propagationPolicy ?? q.get('propagationPolicy');
  const dryRun = isDryRun(q) || (opts.dryRun ?? []).includes('All');
  // dependents of a Background/Foreground delete are removed by the garbage collector controller
  return ctx.store.delete(gr, ns, name, { dryRun, orphan: policy === 'Orphan' }).object;
}

export function deleteCollection(ctx: ApiContext, res: ServerResponse, kind: KindDef, ns: string | undefined, body: unknown, q: URLSearchParams): void {
  const { items } = ctx.store.list(groupResource(kind), {
    ...(ns !== undefined ? { namespace: ns } : {}), labelSelector: q.get('labelSelector') ?? '', fieldSelector: q.get('fieldSelector') ?? '',
  });
  const deleted = items.map((o) => deleteObject(ctx, kind, o.metadata.namespace, o.metadata.name!, body, q));
  sendJson(res, 200, { kind: kind.listKind ?? `${kind.kind}List`, apiVersion: apiVersionOf(kind), metadata: { resourceVersion: String(ctx.store.resourceVersion) }, items: deleted });
}
