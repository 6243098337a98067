// Shapes shared by the store, the kinds and the HTTP layer. Objects are plain JSON, as on the wire.

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: unknown[];
  [key: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: any;
  status?: any;
  [key: string]: any;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One write, as kept in the watch history. `prev` is the object before the write (absent for ADDED). */
export interface StoreEvent {
  type: WatchEventType;
  rv: number;
  resource: string; // GroupResource string, e.g. "pods", "deployments.apps"
  object: KObject;
  prev?: KObject;
}

export interface WriteOptions {
  /** dryRun=All: validate and return the would-be object, never persist. */
  dryRun?: boolean;
}

export interface UpdateOptions extends WriteOptions {
  /** 'status' replaces only .status; undefined replaces everything except .status when the kind has a status subresource. */
  subresource?: 'status';
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}
