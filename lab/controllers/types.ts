// What a controller is given, and what it is: a level-triggered reconcile over the whole store
// (kwok's stage controller plays behaviour as data the same way: observe, compare, write the next status).
import type { VolumeOwners } from './volume-owners.js';
import type { KObject } from '../store/types.js';
import type { Registry } from '../kinds/registry.js';
import type { Store } from '../store/store.js';
import type { Clock } from './clock.js';
import type { Mount } from './host-exec.js';

export interface LabEvent {
  at: number;
  type: string;
  object: string;
  detail?: string;
}

export interface ControllerOptions {
  /** how long a scheduled pod takes to become Running and Ready (lab ms) */
  podStartMs: number;
  /** default length of a node reboot (lab ms) */
  rebootMs: number;
}

export interface ControllerContext {
  store: Store;
  registry: Registry;
  clock: Clock;
  options: ControllerOptions;
  record(type: string, object: string, detail?: string): void;
  /** each running pod's container environments as they were when it started (lab/controllers/kubelet.ts) */
  podEnvs?: Map<string, Record<string, Record<string, string>>>;
  /** psql, pg_dump and pg_restore in a pod with a PostgreSQL (lab/postgres/pods.ts; pg_stat_archiver from the CNPG
   *  controller's own archive, lab/controllers/cnpg.ts); undefined: not a database command of a database pod */
  database?: (pod: KObject, container: any, argv: string[], mounts: Mount[], rootfs: string, env: Record<string, string>, signal: AbortSignal) => Promise<{ exitCode: number; output: string } | undefined>;
  /** the lab's internet as a pod sees it (an IP echo answers the pod's egress address); undefined: unreachable */
  internet?: (pod: KObject, url: string) => string | undefined;
  /** asks for another reconcile pass soon (after a timer fires, for instance) */
  requestSync(): void;
  /** who owns each PVC folder (lab/controllers/volume-owners.ts); absent: everything is root's */
  volumeOwners?: VolumeOwners;
}

export interface Controller {
  readonly name: string;
  /** Synchronous: observes the store and writes what differs. Must write nothing when all is as desired. */
  reconcile(): void;
}
