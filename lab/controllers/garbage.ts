// The garbage collector: an object whose owners are all gone is deleted (background propagation,
// pkg/controller/garbagecollector). Orphaning is done by the store at delete time.
import type { Controller, ControllerContext } from './types.js';

export class GarbageCollector implements Controller {
  readonly name = 'garbage-collector';
  constructor(private readonly ctx: ControllerContext) {}

  reconcile(): void {
    const { store } = this.ctx;
    const resources = store.resources();
    const uids = new Set<string>();
    const all = resources.map((r) => [r, store.list(r).items] as const);
    for (const [, items] of all) for (const o of items) uids.add(o.metadata.uid!);
    for (const [r, items] of all) {
      for (const o of items) {
        const refs = o.metadata.ownerReferences ?? [];
        if (refs.length && refs.every((ref) => !uids.has(ref.uid)) && store.find(r, o.metadata.namespace, o.metadata.name!)) {
          store.delete(r, o.metadata.namespace, o.metadata.name!);
        }
      }
    }
  }
}
