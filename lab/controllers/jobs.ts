// The Job controller (pkg/controller/job/job_controller.go, NonIndexed completion mode): pods from spec.template until
// `completions` succeed, a new pod after a failed one until backoffLimit, activeDeadlineSeconds, suspend,
// ttlSecondsAfterFinished, and the status counters and conditions. From 1.31 the terminal condition is delayed: first
// FailureTarget / SuccessCriteriaMet, then Failed / Complete once no pod is left running (delayTerminalCondition).
// Lab simplifications: no pod backoff delay (real: 10 s doubling to 6 min), no job-tracking finalizers, Indexed jobs
// and podFailurePolicy / successPolicy are not played.
import { timestamp } from '../store/meta.js';
import type { KObject } from '../store/types.js';
import type { Controller, ControllerContext } from './types.js';
import { ownedBy, podFromTemplate, setCondition, writeStatus, type Condition } from './util.js';

const JOBS = 'jobs.batch';

/**
 * The lab's VolSync controller plays its mover Jobs itself (lab/volsync/status.ts runs restic and writes their
 * status): a Job owned by a ReplicationSource/ReplicationDestination or labelled created-by volsync gets no pods.
 */
export function isVolsyncJob(job: KObject): boolean {
  const owner = (job.metadata.ownerReferences ?? []).find((r) => r.controller);
  return job.metadata.labels?.['app.kubernetes.io/created-by'] === 'volsync' || !!owner?.apiVersion.startsWith('volsync.backube/');
}

/** A pod whose controller is a batch/v1 Job: the kubelet runs its containers to completion (lab/controllers/containers.ts). */
export function isJobPod(pod: KObject): boolean {
  return (pod.metadata.ownerReferences ?? []).some((r) => r.controller && r.kind === 'Job' && r.apiVersion === 'batch/v1');
}

const terminal = (p: KObject) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const isTrue = (conds: Condition[] | undefined, type: string) => (conds ?? []).find((c) => c.type === type && c.status === 'True');

/** kube versions from 1.31 delay Complete/Failed behind SuccessCriteriaMet/FailureTarget (JobManagedBy, JobSuccessPolicy beta) */
function delaysTerminalCondition(version: string): boolean {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return !!m && (Number(m[1]) > 1 || Number(m[2]) >= 31);
}

export class JobController implements Controller {
  readonly name = 'jobs';
  private readonly timers = new Set<string>();

  /** `version`: the control plane's gitVersion (it moves with talosctl upgrade-k8s) */
  constructor(private readonly ctx: ControllerContext, private readonly version: () => string) {}

  reconcile(): void {
    const { store } = this.ctx;
    const pods = store.list('pods').items;
    for (const job of store.list(JOBS).items) {
      if (job.metadata.deletionTimestamp || isVolsyncJob(job)) continue;
      this.sync(job, pods.filter((p) => ownedBy(p, job)));
    }
  }

  private sync(job: KObject, pods: KObject[]): void {
    const { store, clock } = this.ctx;
    const now = clock.now();
    const key = `${job.metadata.namespace}/${job.metadata.name}`;
    const spec = job.spec ?? {};
    const prev = job.status ?? {};
    let conditions: Condition[] | undefined = prev.conditions;
    const finished = isTrue(conditions, 'Complete') ?? isTrue(conditions, 'Failed');
    if (finished) return this.expire(job, finished, now);

    const live = pods.filter((p) => !p.metadata.deletionTimestamp);
    const active = live.filter((p) => !terminal(p));
    // counts never go down, even when finished pods are deleted (the real controller keeps them through finalizers)
    const succeeded = Math.max(prev.succeeded ?? 0, live.filter((p) => p.status?.phase === 'Succeeded').length);
    const failed = Math.max(prev.failed ?? 0, live.filter((p) => p.status?.phase === 'Failed').length);
    const status: any = { ...prev, uncountedTerminatedPods: {}, terminating: 0 };
    const deleteActive = () => { for (const p of active) store.delete('pods', p.metadata.namespace, p.metadata.name!); };
    const cond = (type: string, reason?: string, message?: string) => {
      conditions = setCondition(conditions, { type, status: 'True', ...(reason ? { reason } : {}), ...(message ? { message } : {}), lastProbeTime: timestamp(now) }, now);
    };

    if (spec.suspend) {
      deleteActive();
      cond('Suspended', 'JobSuspended', 'Job suspended');
      return this.write(job, { ...status, active: 0, ready: 0, succeeded, failed, conditions });
    }
    if (isTrue(conditions, 'Suspended')) conditions = setCondition(conditions, { type: 'Suspended', status: 'False', reason: 'JobResumed', message: 'Job resumed', lastProbeTime: timestamp(now) }, now);
    status.startTime ??= timestamp(now);
    const target = isTrue(conditions, 'FailureTarget') ?? isTrue(conditions, 'SuccessCriteriaMet');
    let done: { type: 'Complete' | 'Failed'; reason?: string; message?: string } | undefined;
    if (target) {
      // the delayed terminal condition, once nothing runs any more
      if (!active.length) done = { type: target.type === 'FailureTarget' ? 'Failed' : 'Complete', reason: target.reason!, message: target.message! };
    } else {
      const limit = spec.backoffLimit ?? 6;
      const deadline = spec.activeDeadlineSeconds != null ? Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000 : undefined;
      let failure: [string, string] | undefined;
      if (failed > limit || pastBackoffLimitOnFailure(spec, active)) failure = ['BackoffLimitExceeded', 'Job has reached the specified backoff limit'];
      else if (deadline !== undefined && now >= deadline) failure = ['DeadlineExceeded', 'Job was active longer than specified deadline'];
      else if (deadline !== undefined) this.wakeAt(deadline);
      const delayed = delaysTerminalCondition(this.version());
      if (failure) {
        deleteActive();
        if (delayed) cond('FailureTarget', ...failure);
        else done = { type: 'Failed', reason: failure[0], message: failure[1] };
      } else if (succeeded >= (spec.completions ?? 1)) {
        deleteActive();
        // 1.31+ (JobSuccessPolicy beta): reason CompletionsReached; before, the Complete condition had no reason
        if (delayed) cond('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods');
        else done = { type: 'Complete' };
      } else {
        const want = Math.min(spec.parallelism ?? 1, (spec.completions ?? 1) - succeeded) - active.length;
        for (let i = 0; i < want; i++) active.push(store.create('pods', podFromTemplate(this.ctx.registry, job, spec.template, {})));
      }
    }
    if (done) {
      cond(done.type, done.reason, done.message);
      if (done.type === 'Complete') status.completionTime = timestamp(now);
      this.ctx.record(done.type === 'Complete' ? 'job-complete' : 'job-failed', key, done.reason);
    }
    // pods deleted for a finished (or about to finish) Job no longer count as active
    const running = ['FailureTarget', 'SuccessCriteriaMet', 'Complete', 'Failed'].some((t) => isTrue(conditions, t)) ? [] : active;
    this.write(job, {
      ...status, active: running.length, ready: running.filter((p) => isTrue(p.status?.conditions, 'Ready')).length, succeeded, failed, conditions,
    });
  }

  private write(job: KObject, status: any): void {
    // JobStatus: active, succeeded, failed are omitempty; ready, terminating are pointers (always written)
    for (const k of ['active', 'succeeded', 'failed'] as const) if (!status[k]) delete status[k];
    if (!status.conditions?.length) delete status.conditions;
    if (!status.startTime) delete status.startTime;
    writeStatus(this.ctx.store, JOBS, job, status);
  }

  /** ttlSecondsAfterFinished (pkg/controller/ttlafterfinished): the finished Job goes, its pods with it (garbage collector) */
  private expire(job: KObject, finished: Condition, now: number): void {
    const ttl = job.spec?.ttlSecondsAfterFinished;
    if (ttl == null) return;
    const at = Date.parse(job.status?.completionTime ?? finished.lastTransitionTime ?? '') + ttl * 1000;
    if (now >= at) this.ctx.store.delete(JOBS, job.metadata.namespace, job.metadata.name!);
    else this.wakeAt(at);
  }

  private wakeAt(at: number): void {
    const key = String(at);
    if (this.timers.has(key)) return;
    this.timers.add(key);
    this.ctx.clock.after(Math.max(0, at - this.ctx.clock.now()) + 5, () => {
      this.timers.delete(key);
      this.ctx.requestSync();
    });
  }
}

/** pastBackoffLimitOnFailure: with restartPolicy OnFailure the container restarts of running pods count as failures */
function pastBackoffLimitOnFailure(spec: any, active: KObject[]): boolean {
  if (spec.template?.spec?.restartPolicy !== 'OnFailure') return false;
  const restarts = active.reduce((n, p) => n + (p.status?.containerStatuses ?? []).reduce((m: number, c: any) => m + (c.restartCount ?? 0), 0), 0);
  const limit = spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}
