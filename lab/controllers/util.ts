// Helpers shared by the controllers: conditions that keep their transition time, status writes that only happen on
// change, owner references, pods from templates.
import { createHash } from 'node:crypto';
import { prepareForCreate } from '../kinds/strategy.js';
import type { Registry } from '../kinds/registry.js';
import { deepCopy, randomSuffix, stableEqual, timestamp } from '../store/meta.js';
import type { Store } from '../store/store.js';
import type { KObject, OwnerReference } from '../store/types.js';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  [k: string]: unknown;
}

/** Sets a condition; lastTransitionTime moves only when the status changes (apimachinery meta.SetStatusCondition). */
export function setCondition(conds: Condition[] | undefined, next: Condition, now: number): Condition[] {
  const list = deepCopy(conds ?? []);
  const i = list.findIndex((c) => c.type === next.type);
  const prev = i >= 0 ? list[i] : undefined;
  const merged: Condition = { ...next, lastTransitionTime: prev && prev.status === next.status ? prev.lastTransitionTime! : timestamp(now) };
  if (i >= 0) list[i] = { ...prev, ...merged };
  else list.push(merged);
  return list;
}

/** Writes .status through the status subresource when it differs. Returns the stored object. */
export function writeStatus(store: Store, resource: string, o: KObject, status: unknown): KObject {
  if (stableEqual(o.status, status)) return o;
  return store.update(resource, { ...o, status }, { subresource: 'status' });
}

export function controllerRef(owner: KObject): OwnerReference {
  return { apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

export function ownedBy(o: KObject, owner: KObject): boolean {
  return (o.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === owner.metadata.uid);
}

/** A short stable hash of a pod template, like pod-template-hash / controller-revision-hash. */
export function templateHash(template: unknown): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const h = createHash('sha256').update(JSON.stringify(template ?? {})).digest();
  return [...h.subarray(0, 10)].map((b) => alphabet[b % alphabet.length]).join('');
}

export function podFromTemplate(registry: Registry, owner: KObject, template: any, opts: { name?: string; labels?: Record<string, string>; nodeName?: string }): KObject {
  const md = template?.metadata ?? {};
  const pod: KObject = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      ...(opts.name ? { name: opts.name } : { name: `${owner.metadata.name}-${randomSuffix()}` }),
      namespace: owner.metadata.namespace!,
      labels: { ...(md.labels ?? {}), ...(opts.labels ?? {}) },
      ...(md.annotations ? { annotations: md.annotations } : {}),
      ownerReferences: [controllerRef(owner)],
    },
    spec: { ...deepCopy(template?.spec ?? {}), ...(opts.nodeName ? { nodeName: opts.nodeName } : {}) },
  };
  prepareForCreate(registry.byGroupResource('pods'), pod);
  return pod;
}

export const podKey = (p: KObject) => `${p.metadata.namespace}/${p.metadata.name}`;
