// What VolSync writes back: the mover log lines it keeps (controllers/mover/restic/logfilter.go for successful jobs,
// all lines for failed ones), Go-style durations, the Synchronizing condition, and the mover Job that exists while a
// mover runs (volsync-src-<name> / volsync-dst-<name>, label app.kubernetes.io/created-by: volsync, backoffLimit 8).
import type { Store } from '../store/store.js';
import type { KObject } from '../store/types.js';
import { controllerRef, setCondition, type Condition } from '../controllers/util.js';
import { timestamp } from '../store/meta.js';

const KEEP = new RegExp([
  String.raw`^\s*([pP]rocessed)\s.+([fF]iles)`, String.raw`^\s*([sS]napshot)\s.+([sS]aved)`, String.raw`^\s*(No eligible)`, '(No data)',
  '(Directory is empty)', String.raw`^\s*([cC]reated)`, String.raw`^\s*([rR]epository)\s.+([oO]pened)`, String.raw`^\s*([rR]estoring)`,
  String.raw`^\s*([nN]o parent snapshot)`, String.raw`^\s*([uU]sing parent snapshot)`, String.raw`^\s*([aA]dded to the repository)`,
  String.raw`^\s*([sS]uccessfully)`, '(RESTORE_OPTIONS)', '([iI]nitialize [dD]ir)', String.raw`^\s*([fF]atal)`, String.raw`^\s*(ERROR)`,
  String.raw`^\s*([rR]estic completed in)`,
].join('|'));

const MAX_FAILED_LINES = 40;

export function moverLogs(lines: string[], ok: boolean): string {
  return (ok ? lines.filter((l) => KEEP.test(l)) : lines.slice(-MAX_FAILED_LINES)).join('\n');
}

/** time.Duration.String(): "850ms", "12.3s", "1m8.305s", "2h0m1s" */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = ((ms % 60_000) / 1000).toFixed(3).replace(/\.?0+$/, '');
  return h ? `${h}h${m}m${s}s` : m ? `${m}m${s}s` : `${s}s`;
}

export type SyncReason = 'SyncInProgress' | 'WaitingForManual' | 'WaitingForSchedule' | 'Error';

const MESSAGES: Record<Exclude<SyncReason, 'Error'>, string> = {
  SyncInProgress: 'Synchronization in-progress',
  WaitingForManual: 'Waiting for manual trigger',
  WaitingForSchedule: 'Waiting for next scheduled synchronization',
};

export function synchronizing(conds: Condition[] | undefined, reason: SyncReason, now: number, message?: string): Condition[] {
  return setCondition(conds, {
    type: 'Synchronizing', status: reason === 'SyncInProgress' ? 'True' : 'False', reason,
    message: message ?? (reason === 'Error' ? 'mover failed' : MESSAGES[reason]),
  }, now);
}

export const jobName = (dir: 'src' | 'dst', name: string) => `volsync-${dir}-${name}`.slice(0, 63).replace(/[-.]+$/, '');

/** While the lab's mover runs, its Job carries this finalizer: deleting the owner (the GC deletes the Job) leaves the
 *  Job terminating until the mover has really stopped writing, as a Job's pod takes its grace period to die. */
export const MOVER_RUNNING = 'volsync.lab/mover-running';

/** The mover stopped: its Job may go (a deleted Job is removed now). */
export function moverStopped(store: Store, owner: KObject, dir: 'src' | 'dst'): void {
  const job = store.find('jobs.batch', owner.metadata.namespace, jobName(dir, owner.metadata.name!));
  if (!job?.metadata.finalizers?.includes(MOVER_RUNNING)) return;
  store.update('jobs.batch', { ...job, metadata: { ...job.metadata, finalizers: job.metadata.finalizers.filter((f) => f !== MOVER_RUNNING) } });
}

/** Creates (or re-activates) the mover Job for `owner`. */
export function startJob(store: Store, owner: KObject, dir: 'src' | 'dst', pvc: string, now: number): void {
  const name = jobName(dir, owner.metadata.name!);
  const ns = owner.metadata.namespace!;
  let job = store.find('jobs.batch', ns, name);
  if (!job) {
    const labels = { 'app.kubernetes.io/created-by': 'volsync', 'volsync.backube/cleanup': owner.metadata.uid! };
    job = store.create('jobs.batch', {
      apiVersion: 'batch/v1', kind: 'Job',
      metadata: { name, namespace: ns, labels, ownerReferences: [controllerRef(owner)], finalizers: [MOVER_RUNNING] },
      spec: {
        backoffLimit: 8, parallelism: 1, completions: 1,
        template: {
          metadata: { labels: { ...labels, 'app.kubernetes.io/name': name } },
          spec: {
            restartPolicy: 'OnFailure', serviceAccountName: `volsync-${dir}-${owner.metadata.name}`,
            containers: [{ name: 'restic', image: 'quay.io/backube/volsync:0.13.0', command: ['/mover-restic/entry.sh'], args: [dir === 'src' ? 'backup' : 'restore'], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
            volumes: [{ name: 'data', persistentVolumeClaim: { claimName: pvc } }],
          },
        },
      },
    });
  }
  if (!job.metadata.finalizers?.includes(MOVER_RUNNING)) job = store.update('jobs.batch', { ...job, metadata: { ...job.metadata, finalizers: [...(job.metadata.finalizers ?? []), MOVER_RUNNING] } });
  store.update('jobs.batch', { ...job, status: { ...job.status, active: 1, startTime: job.status?.startTime ?? timestamp(now), ready: 0 } }, { subresource: 'status' });
}

/** A failed attempt: the Job stays (VolSync retries it, recreating it past the backoff limit). */
export function failJob(store: Store, owner: KObject, dir: 'src' | 'dst'): void {
  const job = store.find('jobs.batch', owner.metadata.namespace, jobName(dir, owner.metadata.name!));
  if (!job) return;
  const failed = (job.status?.failed ?? 0) + 1;
  store.update('jobs.batch', { ...job, status: { ...job.status, active: 0, failed } }, { subresource: 'status' });
}

/** Success: VolSync deletes the Job once it has read the logs. */
export function removeJob(store: Store, owner: KObject, dir: 'src' | 'dst'): void {
  const name = jobName(dir, owner.metadata.name!);
  if (store.find('jobs.batch', owner.metadata.namespace, name)) store.delete('jobs.batch', owner.metadata.namespace, name);
}
