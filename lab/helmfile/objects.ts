// Writing a release's objects into the lab's store the way helm's kube client does: create what is missing, update
// what exists (labels, annotations, spec/data; the status stays the controllers'), and fail like helm when a kind is
// not served (pkg/kube/client.go Build => "resource mapping not found ... ensure CRDs are installed first").
import type { Registry } from '../kinds/registry.js';
import { groupResource } from '../kinds/types.js';
import { seedObject } from '../seed.js';
import type { Store } from '../store/store.js';
import type { KObject } from '../store/types.js';

export class MappingError extends Error {}

/** helm 3 pkg/kube: `resource mapping not found for name: %q namespace: %q from "": no matches for kind %q in version %q` */
export function checkMapping(registry: Registry, o: KObject): void {
  if (registry.byKind(o.apiVersion!, o.kind!)) return;
  throw new MappingError(`resource mapping not found for name: ${JSON.stringify(o.metadata.name)} namespace: ${JSON.stringify(o.metadata.namespace ?? '')} from "": no matches for kind ${JSON.stringify(o.kind)} in version ${JSON.stringify(o.apiVersion)}\nensure CRDs are installed first`);
}

export function resourceOf(registry: Registry, o: Pick<KObject, 'apiVersion' | 'kind'>): { resource: string; namespaced: boolean } {
  const kind = registry.byKind(o.apiVersion!, o.kind!);
  if (!kind) throw new MappingError(`no matches for kind ${JSON.stringify(o.kind)} in version ${JSON.stringify(o.apiVersion)}`);
  return { resource: groupResource(kind), namespaced: kind.namespaced };
}

/** create or update; a given status is written through the status subresource (an operator's doing) */
export function upsert(store: Store, registry: Registry, input: KObject): KObject {
  checkMapping(registry, input);
  const { resource, namespaced } = resourceOf(registry, input);
  const o = structuredClone(input);
  const ns = namespaced ? o.metadata.namespace : undefined;
  const current = store.find(resource, ns, o.metadata.name!);
  let stored: KObject;
  if (!current) stored = seedObject(store, registry, o);
  else {
    const { status: _status, metadata, ...rest } = o;
    stored = store.update(resource, {
      ...current, ...rest,
      metadata: { ...current.metadata, labels: { ...current.metadata.labels, ...metadata.labels }, annotations: { ...current.metadata.annotations, ...metadata.annotations } },
    });
  }
  if (input.status !== undefined && JSON.stringify(stored.status) !== JSON.stringify(input.status)) {
    stored = store.update(resource, { ...stored, status: structuredClone(input.status) }, { subresource: 'status' });
  }
  return stored;
}
