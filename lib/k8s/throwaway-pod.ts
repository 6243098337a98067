// A pod that exists only for one session (browse a claim, debug a node): created, waited for, exec'd into, and
// deleted, with its deletion declared before it is created, so failure, a deadline or Ctrl-C/SIGTERM/SIGHUP removes it
// too. activeDeadlineSeconds ends it on the node even when rackhand is killed outright (kill -9): the kubelet stops a
// pod past its deadline (kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/ "activeDeadlineSeconds").
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { StepFailure, type Step, type TaskContext } from '../engine/types.ts';
import { quoteArgv } from '../shell-quote.ts';
import { waitUntil } from '../wait.ts';
import { execInPod } from './exec-in-pod.ts';
import type { KubeObject } from '../tools/kube-types.ts';

export const THROWAWAY_LABEL = 'rackhand.dev/throwaway';

type RunningPod = KubeObject<{ nodeName?: string }, { phase?: string; containerStatuses?: { name: string; state?: { waiting?: { reason?: string; message?: string } } }[] }>;

export interface Session {
  /** the pod's name prefix: `rackhand-<purpose>-` plus random characters */
  purpose: string;
  namespace: string;
  /** the pod's spec, without activeDeadlineSeconds (set from the session length) */
  spec: Record<string, unknown>;
  container: string;
  /** argv to run in the pod; empty: an interactive shell, which needs a terminal */
  command: string[];
  /** the shell for an interactive session */
  shell: string[];
  startTimeoutMs: number;
  sessionTimeoutMs: number;
  /** what the step title says the session is ("browse claim media/config on w1") */
  what: string;
}

export function throwawayName(purpose: string): string {
  return `rackhand-${purpose}-${randomBytes(3).toString('hex')}`.slice(0, 63);
}

/** One step: create the pod, wait until it runs, run the command (or a shell) in it, delete it. */
export function sessionStep(ctx: TaskContext, s: Session): Step {
  const name = throwawayName(s.purpose);
  const interactive = s.command.length === 0;
  const pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: s.namespace, labels: { 'app.kubernetes.io/managed-by': 'rackhand', [THROWAWAY_LABEL]: s.purpose } },
    spec: { ...s.spec, activeDeadlineSeconds: Math.ceil((s.startTimeoutMs + s.sessionTimeoutMs) / 1000) + 60 },
  };
  const remove = () => ctx.kubectl.mutate(['delete', 'pod', name, '--namespace', s.namespace, '--ignore-not-found', '--wait=false']);
  ctx.data.pod = `${s.namespace}/${name}`;
  return {
    title: `${s.what} in throwaway pod ${s.namespace}/${name}, deleted afterwards`,
    mutating: true,
    byHand: [quoteArgv(['kubectl', 'delete', 'pod', name, '--namespace', s.namespace])],
    cleanup: async () => { await remove(); },
    async run(rt) {
      if (interactive && !ctx.interactive && !ctx.dryRun) throw new StepFailure('no command after -- and no terminal for a shell', `give the command: ${ctx.task} ... -- ls -la`);
      await ctx.kubectl.mutate(['create', '--filename', '-'], { input: stringify(pod) });
      if (!ctx.dryRun) {
        await waitUntil({
          what: `pod ${s.namespace}/${name} to run`, timeoutMs: s.startTimeoutMs, signal: ctx.signal,
          probe: async () => {
            const p = await ctx.kubectl.get<RunningPod>('pods', name, s.namespace);
            if (p?.status?.phase === 'Running') return { done: true, value: undefined };
            if (p?.status?.phase === 'Failed' || p?.status?.phase === 'Succeeded') throw new StepFailure(`pod ${s.namespace}/${name} ended (${p.status.phase}) before the session started`, `kubectl describe pod ${name} -n ${s.namespace}`);
            const waiting = p?.status?.containerStatuses?.[0]?.state?.waiting;
            return { done: false, seen: `${p?.status?.phase ?? 'not created'}${waiting?.reason ? `, ${waiting.reason}` : ''}${p?.spec?.nodeName ? ` on ${p.spec.nodeName}` : ''}` };
          },
        });
        rt.output(interactive ? `shell in ${name} (exit or Ctrl-D ends it; the pod is deleted)` : `running ${quoteArgv(s.command)}`);
      }
      const { failure } = await execInPod(ctx, { namespace: s.namespace, pod: name, container: s.container, command: s.command, shell: s.shell, timeoutMs: s.sessionTimeoutMs, timeoutHint: 'a longer --session-timeout' });
      await remove();
      if (failure) throw failure;
    },
  };
}
