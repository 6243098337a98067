// GET on a collection: a <Kind>List or a Table, with label/field selectors and limit/continue
// (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/get.go ListResource).
import type { ServerResponse } from 'node:http';
import { errors } from '../store/errors.js';
import type { KObject } from '../store/types.js';
import { apiVersionOf, groupResource, type KindDef } from '../kinds/types.js';
import type { ApiContext } from './context.js';
import { sendJson } from './respond.js';
import { acceptsTable, renderTable, type IncludeObject } from './table.js';

const keyOf = (o: KObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

function decodeContinue(token: string): string {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof v.start === 'string') return v.start;
  } catch { /* fall through */ }
  throw errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

export function includeObjectOf(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

export function listResource(ctx: ApiContext, res: ServerResponse, kind: KindDef, namespace: string | undefined, q: URLSearchParams, accept: string | undefined): void {
  const { items: all, resourceVersion } = ctx.store.list(groupResource(kind), {
    ...(namespace !== undefined ? { namespace } : {}),
    labelSelector: q.get('labelSelector') ?? '', fieldSelector: q.get('fieldSelector') ?? '',
  });
  let items = all;
  const cont = q.get('continue');
  if (cont) {
    const start = decodeContinue(cont);
    items = items.filter((o) => keyOf(o) > start);
  }
  const limit = Number(q.get('limit') ?? 0);
  let continueToken: string | undefined;
  let remaining = 0;
  if (limit > 0 && items.length > limit) {
    remaining = items.length - limit;
    items = items.slice(0, limit);
    continueToken = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(resourceVersion), start: keyOf(items[items.length - 1]!) })).toString('base64url');
  }
  const table = acceptsTable(accept);
  if (table) {
    sendJson(res, 200, renderTable(kind, items, {
      version: table, include: includeObjectOf(q), now: ctx.now(), resourceVersion, ...(continueToken ? { continueToken } : {}),
    }));
    return;
  }
  sendJson(res, 200, {
    kind: kind.listKind ?? `${kind.kind}List`, apiVersion: apiVersionOf(kind),
    metadata: { resourceVersion, ...(continueToken ? { continue: continueToken, remainingItemCount: remaining } : {}) },
    items,
  });
}
