// POST on a collection (handlers/create.go): decode, check apiVersion/kind/namespace against the URL, default,
// validate, store. dryRun=All returns the would-be object without persisting.
import { errors } from '../store/errors.js';
import type { KObject } from '../store/types.js';
import { prepareForCreate, normalizeForWrite, validate } from '../kinds/strategy.js';
import { apiVersionOf, groupResource, type KindDef } from '../kinds/types.js';
import type { ApiContext } from './context.js';
import { touchManager } from './managed.js';

export function checkIdentity(kind: KindDef, body: any, namespace: string | undefined, name?: string): asserts body is KObject {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('the request body must be an object');
  body.metadata ??= {};
  if (body.apiVersion && body.apiVersion !== apiVersionOf(kind)) {
    throw errors.badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${apiVersionOf(kind)})`);
  }
  if (body.kind && body.kind !== kind.kind) throw errors.badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${kind.kind})`);
  if (kind.namespaced) {
    if (body.metadata.namespace && namespace && body.metadata.namespace !== namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    body.metadata.namespace = namespace ?? body.metadata.namespace;
  }
  if (name !== undefined && body.metadata.name && body.metadata.name !== name) {
    throw errors.badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
  }
  if (name !== undefined) body.metadata.name ??= name;
}

export function createObject(ctx: ApiContext, kind: KindDef, namespace: string | undefined, body: unknown, q: URLSearchParams, operation: 'Apply' | 'Update' = 'Update'): KObject {
  checkIdentity(kind, body, namespace);
  prepareForCreate(kind, body);
  normalizeForWrite(kind, body);
  validate(kind, body);
  body.apiVersion = apiVersionOf(kind);
  body.kind = kind.kind;
  touchManager(body, q.get('fieldManager'), operation);
  return ctx.store.create(groupResource(kind), body, { dryRun: q.getAll('dryRun').includes('All') });
}
