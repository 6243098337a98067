// The namespace controller: a Terminating namespace has its contents deleted, then goes away itself
// (pkg/controller/namespace/deletion/namespaced_resources_deleter.go).
import type { Controller, ControllerContext } from './types.js';

export class NamespaceController implements Controller {
  readonly name = 'namespaces';
  constructor(private readonly ctx: ControllerContext) {}

  reconcile(): void {
    const { store } = this.ctx;
    for (const ns of store.list('namespaces').items) {
      if (!ns.metadata.deletionTimestamp) continue;
      const name = ns.metadata.name!;
      for (const r of store.resources()) {
        if (!store.kindOf(r).namespaced) continue;
        for (const o of store.list(r, { namespace: name }).items) store.purge(r, name, o.metadata.name!);
      }
      store.purge('namespaces', undefined, name);
      this.ctx.record('namespace-deleted', name);
    }
  }
}
