// The VolSync fields rackhand reads and writes (backube/volsync api/v1alpha1 replicationsource_types.go,
// replicationdestination_types.go; backup-restore-facts.md).
import type { Condition, KubeObject } from '../tools/kube-types.ts';

export interface MoverStatus { result?: 'Successful' | 'Failed'; logs?: string }

export interface ResticSourceSpec {
  repository: string;
  copyMethod?: string;
  storageClassName?: string;
  accessModes?: string[];
  capacity?: string;
  cacheCapacity?: string;
  cacheStorageClassName?: string;
  moverSecurityContext?: Record<string, unknown>;
  unlock?: string;
  retain?: Record<string, unknown>;
}

export type ReplicationSource = KubeObject<{
  sourcePVC: string;
  paused?: boolean;
  trigger?: { manual?: string; schedule?: string };
  restic?: ResticSourceSpec;
  /** the kopia mover of perfectra1n/volsync (onedr0p/home-ops kubernetes/components/volsync): same shape for what
   *  rackhand copies (repository Secret, copyMethod, storage, moverSecurityContext), plus compression, parallelism */
  kopia?: ResticSourceSpec & { compression?: string; parallelism?: number };
}, {
  lastSyncTime?: string;
  lastSyncStartTime?: string;
  lastSyncDuration?: string;
  nextSyncTime?: string;
  lastManualSync?: string;
  latestMoverStatus?: MoverStatus;
  conditions?: Condition[];
  restic?: { lastUnlocked?: string; lastPruned?: string };
}>;

export type ReplicationDestination = KubeObject<{ trigger?: { manual?: string }; restic?: Record<string, unknown>; kopia?: Record<string, unknown> }, {
  lastManualSync?: string;
  /** Direct copyMethod: the PVC that holds the restored data */
  latestImage?: { apiGroup?: string; kind?: string; name?: string };
  lastSyncTime?: string;
  latestMoverStatus?: MoverStatus;
  conditions?: Condition[];
}>;

export type Mover = 'restic' | 'kopia';
/** Which mover backs the source up, by the section that names a repository. */
export const moverOf = (rs: ReplicationSource): Mover | undefined => (rs.spec?.restic?.repository ? 'restic' : rs.spec?.kopia?.repository ? 'kopia' : undefined);
export const moverSpec = (rs: ReplicationSource): ResticSourceSpec | undefined => rs.spec?.restic ?? rs.spec?.kopia;

export const RS = 'replicationsources.volsync.backube';
export const RD = 'replicationdestinations.volsync.backube';

/** A trigger value computed once per run (a constant string never triggers twice: community bug 1). */
export function uniqueTrigger(prefix: string, now = new Date()): string {
  return `${prefix}-${now.toISOString().replace(/[-:.]/g, '').toLowerCase()}`;
}
