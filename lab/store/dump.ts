// What an etcd snapshot of the lab holds (k3s etcd-snapshot and talosctl etcd snapshot alike) and what restoring one
// does: every stored object but pods and events (the
// controllers rebuild pods from their owners, as kubelets do after a real restore), replaced wholesale.
import type { Store } from './store.js';
import type { KObject } from './types.js';

export interface DatastoreDump {
  /** the lab's marker: the file is a snapshot of this lab's datastore */
  format: 'rackhand-lab-etcd-snapshot/v1';
  epoch: number;
  /** sha256 of the cluster token: a snapshot restores only with the token it was taken under */
  token: string;
  revision: number;
  resources: { resource: string; objects: KObject[] }[];
}

const SKIP = new Set(['pods', 'events', 'events.events.k8s.io']);

export function takeSnapshot(store: Store, o: { epoch: number; token: string }): DatastoreDump {
  const resources = store.resources().filter((r) => !SKIP.has(r)).map((resource) => ({ resource, objects: store.list(resource).items }));
  return { format: 'rackhand-lab-etcd-snapshot/v1', epoch: o.epoch, token: o.token, revision: store.resourceVersion, resources };
}

export function keyCount(d: DatastoreDump): number {
  return d.resources.reduce((n, r) => n + r.objects.length, 0);
}

/** Puts the store back to the snapshot: objects not in it are removed (pods too), the snapshot's are recreated. */
export function restoreSnapshot(store: Store, d: DatastoreDump): void {
  const inDump = new Map(d.resources.map((r) => [r.resource, r.objects]));
  for (const resource of store.resources()) {
    if (resource === 'events' || resource.startsWith('events.')) continue;
    const keep = new Set((inDump.get(resource) ?? []).map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`));
    for (const o of store.list(resource).items) {
      if (resource === 'pods' || !keep.has(`${o.metadata.namespace ?? ''}/${o.metadata.name}`)) store.purge(resource, o.metadata.namespace, o.metadata.name!);
    }
  }
  // namespaces first: everything else lives in one
  const ordered = [...d.resources].sort((a, b) => Number(b.resource === 'namespaces') - Number(a.resource === 'namespaces') || Number(b.resource.startsWith('customresourcedefinitions')) - Number(a.resource.startsWith('customresourcedefinitions')));
  for (const { resource, objects } of ordered) {
    for (const o of objects) {
      const existing = store.find(resource, o.metadata.namespace, o.metadata.name!);
      const copy: KObject = JSON.parse(JSON.stringify(o));
      if (existing) {
        copy.metadata.resourceVersion = existing.metadata.resourceVersion;
        store.update(resource, copy);
        if (copy.status !== undefined) { try { store.update(resource, { ...store.get(resource, o.metadata.namespace, o.metadata.name!), status: copy.status }, { subresource: 'status' }); } catch { /* no status subresource */ } }
      } else {
        const status = copy.status;
        const created = store.create(resource, copy);
        if (status !== undefined) { try { store.update(resource, { ...created, status }, { subresource: 'status' }); } catch { /* no status subresource */ } }
      }
    }
  }
}
