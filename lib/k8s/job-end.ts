// Waiting for a Job to end: its Complete or Failed condition True (batch/v1 JobStatus conditions; kubernetes
// pkg/controller/job/job_controller.go), under a deadline, saying what it saw meanwhile. `extra` adds to what is
// shown while it waits (the claim a probe Job waits on, say).
import type { TaskContext } from '../engine/types.ts';
import type { KubeObject } from '../tools/kube-types.ts';
import { watchedObject } from './watch.ts';
import { waitUntil } from '../wait.ts';

export interface JobEnd { type: 'Complete' | 'Failed'; reason?: string; message?: string; succeeded?: number; failed?: number }
type Job = KubeObject & { status?: { succeeded?: number; failed?: number; conditions?: { type: string; status: string; reason?: string; message?: string }[] } };

/** `labelled`: the Job carries app.kubernetes.io/managed-by=rackhand, so the run's Job watch wakes the wait */
export function waitJobEnd(ctx: TaskContext, o: { namespace: string; name: string; what: string; timeoutMs: number; intervalMs?: number; labelled?: boolean; extra?: () => Promise<string> }): Promise<JobEnd> {
  const w = o.labelled ? watchedObject<Job>(ctx, 'jobs.batch', o.namespace, o.name, o.intervalMs ?? 500) : undefined;
  return waitUntil({
    what: `${o.what} ${o.namespace}/${o.name} to finish`, timeoutMs: o.timeoutMs, signal: ctx.signal,
    ...(w ? w.wait : { intervalMs: o.intervalMs ?? 500 }),
    probe: async () => {
      const cached = w?.cached();
      const st = (cached !== undefined ? cached ?? undefined : await ctx.kubectl.get<Job>('job', o.name, o.namespace))?.status;
      const end = st?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
      if (end) return { done: true, value: { type: end.type as JobEnd['type'], ...(end.reason ? { reason: end.reason } : {}), ...(end.message ? { message: end.message } : {}), ...(st?.succeeded !== undefined ? { succeeded: st.succeeded } : {}), ...(st?.failed !== undefined ? { failed: st.failed } : {}) } };
      return { done: false, seen: o.extra ? await o.extra() : `active, succeeded ${st?.succeeded ?? 0}` };
    },
  });
}
