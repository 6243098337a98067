// The generic object store: one global resourceVersion, uid, generation, deep copies, sorted lists, finalizers,
// watch broadcast. Modelled on staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go and
// client-go/testing/fixture.go (the object tracker).
import { errors } from './errors.js';
import { History } from './history.js';
import { admitCreate } from './admission.js';
import { deepCopy, newUid, randomSuffix, stableEqual, timestamp } from './meta.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { KObject, ListOptions, StoreEvent, UpdateOptions, WriteOptions } from './types.js';
import { apiVersionOf, type KindDef } from '../kinds/types.js';

export type KindResolver = (resource: string) => KindDef;
type Listener = (ev: StoreEvent) => void;

const keyOf = (ns: string | undefined, name: string) => `${ns ?? ''}/${name}`;

export class Store {
  private readonly objects = new Map<string, Map<string, KObject>>();
  private readonly listeners = new Set<Listener>();
  private rv = 100;
  readonly history = new History(this.rv);

  constructor(readonly kindOf: KindResolver) {}

  get resourceVersion(): number {
    return this.rv;
  }

  listen(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private bucket(resource: string): Map<string, KObject> {
    let b = this.objects.get(resource);
    if (!b) this.objects.set(resource, (b = new Map()));
    return b;
  }

  private target(resource: string, name: string) {
    const k = this.kindOf(resource);
    return { group: k.group, resource: k.resource, name };
  }

  find(resource: string, namespace: string | undefined, name: string): KObject | undefined {
    return deepCopy(this.bucket(resource).get(keyOf(namespace, name)));
  }

  get(resource: string, namespace: string | undefined, name: string): KObject {
    const o = this.find(resource, namespace, name);
    if (!o) throw errors.notFound(this.target(resource, name));
    return o;
  }

  list(resource: string, opts: ListOptions = {}): { items: KObject[]; resourceVersion: string } {
    const kind = this.kindOf(resource);
    const labels = parseLabelSelector(opts.labelSelector);
    const fields = parseFieldSelector(opts.fieldSelector, ['metadata.name', 'metadata.namespace', ...(kind.fieldSelectors ?? [])]);
    const items = [...this.bucket(resource).values()]
      .filter((o) => opts.namespace === undefined || o.metadata.namespace === opts.namespace)
      .filter((o) => labels(o.metadata.labels) && fields(o))
      .sort((a, b) => keyOf(a.metadata.namespace, a.metadata.name!).localeCompare(keyOf(b.metadata.namespace, b.metadata.name!)))
      .map(deepCopy);
    return { items, resourceVersion: String(this.rv) };
  }

  private commit(resource: string, type: StoreEvent['type'], obj: KObject, prev?: KObject): KObject {
    this.rv += 1;
    obj.metadata.resourceVersion = String(this.rv);
    const b = this.bucket(resource);
    const key = keyOf(obj.metadata.namespace, obj.metadata.name!);
    if (type === 'DELETED') b.delete(key);
    else b.set(key, obj);
    const ev: StoreEvent = { type, rv: this.rv, resource, object: deepCopy(obj), ...(prev ? { prev } : {}) };
    this.history.push(ev);
    for (const l of [...this.listeners]) l(ev);
    return deepCopy(obj);
  }

  create(resource: string, input: KObject, opts: WriteOptions = {}): KObject {
    const kind = this.kindOf(resource);
    const obj = deepCopy(input);
    const md = (obj.metadata ??= {});
    if (!kind.namespaced) delete md.namespace;
    if (!md.name && md.generateName) md.name = md.generateName + randomSuffix();
    admitCreate(kind, md, (ns) => this.bucket('namespaces').get(keyOf(undefined, ns)));
    const name = md.name!;
    if (this.bucket(resource).has(keyOf(md.namespace, name))) throw errors.alreadyExists(this.target(resource, name));
    obj.apiVersion = apiVersionOf(kind);
    obj.kind = kind.kind;
    md.uid = newUid();
    md.creationTimestamp = timestamp();
    delete md.deletionTimestamp;
    delete md.resourceVersion;
    if (kind.generation) md.generation = 1;
    else delete md.generation;
    kind.initialize?.(obj);
    if (opts.dryRun) return obj;
    return this.commit(resource, 'ADDED', obj);
  }

  update(resource: string, input: KObject, opts: UpdateOptions = {}): KObject {
    const kind = this.kindOf(resource);
    const ns = kind.namespaced ? input.metadata?.namespace : undefined;
    const name = input.metadata?.name ?? '';
    const old = this.bucket(resource).get(keyOf(ns, name));
    if (!old) throw errors.notFound(this.target(resource, name));
    const rv = input.metadata.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) throw errors.conflict(this.target(resource, name));
    let next: KObject;
    if (opts.subresource === 'status') {
      next = deepCopy(old);
      next.status = deepCopy(input.status);
    } else {
      next = deepCopy(input);
      if (kind.subresources?.includes('status')) next.status = deepCopy(old.status);
      for (const f of ['uid', 'creationTimestamp', 'deletionTimestamp', 'namespace', 'name', 'generation'] as const) {
        if (old.metadata[f] === undefined) delete next.metadata[f];
        else next.metadata[f] = old.metadata[f] as never;
      }
      if (kind.generation && !stableEqual(old.spec, next.spec)) next.metadata.generation = (old.metadata.generation ?? 0) + 1;
    }
    next.apiVersion = apiVersionOf(kind);
    next.kind = kind.kind;
    if (stableEqual({ ...next, metadata: { ...next.metadata, resourceVersion: '' } }, { ...old, metadata: { ...old.metadata, resourceVersion: '' } })) {
      return deepCopy(old); // a no-op write does not bump the resourceVersion (as etcd3 GuaranteedUpdate)
    }
    if (opts.dryRun) return next;
    // the last finalizer removed from an object being deleted: it goes away
    if (next.metadata.deletionTimestamp && !(next.metadata.finalizers?.length)) return this.commit(resource, 'DELETED', next, deepCopy(old));
    return this.commit(resource, 'MODIFIED', next, deepCopy(old));
  }

  /** Deletes, or marks for deletion when finalizers remain. Returns the object as last stored. */
  delete(resource: string, namespace: string | undefined, name: string, opts: WriteOptions & { orphan?: boolean } = {}): { object: KObject; gone: boolean } {
    const old = this.bucket(resource).get(keyOf(this.kindOf(resource).namespaced ? namespace : undefined, name));
    if (!old) throw errors.notFound(this.target(resource, name));
    if (opts.dryRun) return { object: deepCopy(old), gone: true };
    if (opts.orphan) this.orphanDependents(old.metadata.uid!);
    const pending = (old.metadata.finalizers?.length ?? 0) > 0 || (resource === 'namespaces');
    if (pending) {
      if (old.metadata.deletionTimestamp) return { object: deepCopy(old), gone: false };
      const next = deepCopy(old);
      next.metadata.deletionTimestamp = timestamp();
      next.metadata.deletionGracePeriodSeconds = 0;
      // pkg/registry/core/namespace/storage/storage.go: namespaces go Terminating, the namespace controller empties them
      if (resource === 'namespaces') next.status = { ...(next.status ?? {}), phase: 'Terminating' };
      return { object: this.commit(resource, 'MODIFIED', next, deepCopy(old)), gone: false };
    }
    return { object: this.commit(resource, 'DELETED', deepCopy(old), deepCopy(old)), gone: true };
  }

  /** Removes an object whatever its finalizers (controllers use it to finish a deletion). */
  purge(resource: string, namespace: string | undefined, name: string): void {
    const old = this.bucket(resource).get(keyOf(namespace, name));
    if (old) this.commit(resource, 'DELETED', deepCopy(old), deepCopy(old));
  }

  private orphanDependents(uid: string): void {
    for (const [resource, b] of this.objects) {
      for (const o of [...b.values()]) {
        const refs = o.metadata.ownerReferences ?? [];
        if (!refs.some((r) => r.uid === uid)) continue;
        const next = deepCopy(o);
        next.metadata.ownerReferences = refs.filter((r) => r.uid !== uid);
        this.commit(resource, 'MODIFIED', next, deepCopy(o));
      }
    }
  }

  /** Every resource that holds objects (for namespace deletion and garbage collection). */
  resources(): string[] {
    return [...this.objects.keys()];
  }
}
