// Dispatches a request on a resource path (collection, object or subresource) to its handler.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from '../store/errors.js';
import type { KindDef } from '../kinds/types.js';
import type { ApiContext } from './context.js';
import { createObject } from './create.js';
import { evictPod } from './eviction.js';
import { listResource } from './list.js';
import { podLog } from './logs.js';
import { deleteCollection, deleteObject, getObject, updateObject } from './object.js';
import { patchTypeOf } from './patch.js';
import { patchObject } from './patching.js';
import { parseBody, readBody, sendJson } from './respond.js';
import type { ResourceRoute } from './route.js';
import { scaleOf, writeScale } from './scale.js';
import { watchResource } from './watch.js';

export async function handleResource(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, route: ResourceRoute, q: URLSearchParams): Promise<void> {
  const kind = route.kind;
  if (!kind || (route.namespace !== undefined && !kind.namespaced)) throw errors.noResource();
  const method = req.method ?? 'GET';
  const accept = req.headers.accept;
  const ns = kind.namespaced ? route.namespace : undefined;
  const body = method === 'GET' ? undefined : parseBody(await readBody(req), req.headers['content-type']);

  if (route.name === undefined) {
    if (method === 'GET') {
      const watch = q.get('watch');
      if (watch === 'true' || watch === '1') return watchResource(ctx, res, kind, ns, q, accept);
      return listResource(ctx, res, kind, ns, q, accept);
    }
    if (method === 'POST') return sendJson(res, 201, createObject(ctx, kind, ns, body, q));
    if (method === 'DELETE') return deleteCollection(ctx, res, kind, ns, body, q);
    throw errors.methodNotAllowed(method, kind.resource);
  }
  const name = route.name;
  const sub = route.subresource;
  if (sub === undefined) return handleObject(ctx, req, res, kind, ns, name, body, q, accept);
  // pods/log (pkg/registry/core/pod/rest/log.go): GET only
  if (sub === 'log' && kind.group === '' && kind.resource === 'pods') {
    if (method !== 'GET') throw errors.methodNotAllowed(method, 'pods/log');
    return podLog(ctx, res, ns!, name, q);
  }
  if (!kind.subresources?.includes(sub as never)) throw errors.notFound({ group: kind.group, resource: `${kind.resource}/${sub}`, name });
  if (sub === 'eviction') {
    if (method !== 'POST') throw errors.methodNotAllowed(method, `${kind.resource}/eviction`);
    return sendJson(res, 201, evictPod(ctx, ns!, name, body, q));
  }
  if (sub === 'scale') {
    if (method === 'GET') return sendJson(res, 200, scaleOf(kind, ctx.store.get(`${kind.resource}${kind.group ? '.' + kind.group : ''}`, ns, name)));
    if (method === 'PUT') return sendJson(res, 200, writeScale(ctx, kind, ns, name, body, q));
    if (method === 'PATCH') return sendJson(res, 200, writeScale(ctx, kind, ns, name, body, q, patchTypeOf(req.headers['content-type'], false)));
    throw errors.methodNotAllowed(method, `${kind.resource}/scale`);
  }
  // status
  if (method === 'GET') return getObject(ctx, res, kind, ns, name, q, undefined);
  if (method === 'PUT') return sendJson(res, 200, updateObject(ctx, kind, ns, name, body, q, 'status'));
  if (method === 'PATCH') return sendJson(res, 200, patchObject(ctx, kind, ns, name, body, patchTypeOf(req.headers['content-type'], !!kind.custom), q, 'status').object);
  throw errors.methodNotAllowed(method, `${kind.resource}/status`);
}

async function handleObject(
  ctx: ApiContext, req: IncomingMessage, res: ServerResponse, kind: KindDef, ns: string | undefined, name: string, body: unknown, q: URLSearchParams, accept: string | undefined,
): Promise<void> {
  switch (req.method) {
    case 'GET': return getObject(ctx, res, kind, ns, name, q, accept);
    case 'PUT': return sendJson(res, 200, updateObject(ctx, kind, ns, name, body, q));
    case 'PATCH': {
      const r = patchObject(ctx, kind, ns, name, body, patchTypeOf(req.headers['content-type'], !!kind.custom), q);
      return sendJson(res, r.created ? 201 : 200, r.object);
    }
    case 'DELETE': return sendJson(res, 200, deleteObject(ctx, kind, ns, name, body, q));
    default: throw errors.methodNotAllowed(req.method ?? '?', kind.resource);
  }
}
