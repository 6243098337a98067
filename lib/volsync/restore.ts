// The steps of a VolSync restore into the app's existing PVC, each idempotent and, where it changes something,
// undoable: suspend Flux -> record replicas -> scale to 0 -> no pods -> pause the ReplicationSource -> a
// ReplicationDestination rendered from the LIVE source -> wait for its mover -> check the result -> clean up ->
// unpause -> replicas back -> resume Flux -> app Ready. On failure or Ctrl-C the engine runs the undos in reverse:
// Flux is resumed and replicas restored, always.
import { StepFailure, type Step, type TaskContext } from '../engine/types.ts';
import { resumeStep, suspendStep, type FluxRef } from '../flux/objects.ts';
import type { KubeObject } from '../tools/kube-types.ts';
import { waitUntil } from '../wait.ts';
import { moverDiagnosis } from './manual-sync.ts';
import type { VolsyncApp, Workload } from './app.ts';
import { RD, uniqueTrigger, type ReplicationDestination, type ReplicationSource } from './types.ts';

export const REPLICAS_ANNOTATION = 'rackhand.dev/restore-replicas';

export interface RestoreOptions {
  app: VolsyncApp;
  workload: Workload | undefined;
  previous?: number;
  asOf?: string;
  timeoutMs: number;
  kustomization: FluxRef;
  helmrelease: FluxRef;
}

const rdName = (app: string): string => `${app}-rackhand-restore`;

/** The ReplicationDestination for a Direct restore into the source's PVC, copying what must match the live source
 *  (security context: permission errors otherwise, onedr0p/home-ops#5197; storage class, access modes, capacity). */
export function renderDestination(source: ReplicationSource, trigger: string, o: { previous?: number; asOf?: string }): ReplicationDestination {
  const r = source.spec!.restic!;
  const copy = <K extends keyof typeof r>(k: K) => (r[k] !== undefined ? { [k]: r[k] } : {});
  return {
    apiVersion: 'volsync.backube/v1alpha1', kind: 'ReplicationDestination',
    metadata: { name: rdName(source.metadata.name), namespace: source.metadata.namespace, labels: { 'app.kubernetes.io/managed-by': 'rackhand' } },
    spec: {
      trigger: { manual: trigger },
      restic: {
        repository: r.repository, destinationPVC: source.spec!.sourcePVC, copyMethod: 'Direct', enableFileDeletion: true, cleanupCachePVC: true,
        ...copy('moverSecurityContext'), ...copy('storageClassName'), ...copy('accessModes'), ...copy('capacity'),
        ...copy('cacheCapacity'), ...copy('cacheStorageClassName'),
        ...(o.previous !== undefined ? { previous: o.previous } : {}), ...(o.asOf ? { restoreAsOf: o.asOf } : {}),
      },
    },
  };
}

export function restoreSteps(ctx: TaskContext, o: RestoreOptions): Step[] {
  const { app, workload: w } = o;
  const k = ctx.kubectl;
  const trigger = uniqueTrigger('restore');
  const reconcileAt = new Date().toISOString();
  const wref = w ? `${w.kind}/${w.name}` : '';
  const nsArgs = ['--namespace', app.namespace];
  const readWorkload = async () => (w ? k.get<KubeObject<{ replicas?: number }>>(`${w.kind}s.apps`, w.name, app.namespace) : undefined);
  const scale = (n: number) => k.mutate(['scale', wref, ...nsArgs, `--replicas=${n}`]);
  const annotate = (value: string | null) => k.mutate(['annotate', wref, ...nsArgs, '--overwrite', value === null ? `${REPLICAS_ANNOTATION}-` : `${REPLICAS_ANNOTATION}=${value}`]);
  const recorded = async () => Number((await readWorkload())?.metadata.annotations?.[REPLICAS_ANNOTATION] ?? w?.replicas ?? 1);
  const pauseRs = (paused: boolean) => k.mutate(['patch', 'replicationsources.volsync.backube', app.name, ...nsArgs, '--type', 'merge', '-p', JSON.stringify({ spec: { paused } })]);
  const deleteRd = () => k.mutate(['delete', RD, rdName(app.name), ...nsArgs, '--ignore-not-found', '--wait=false']);

  const steps: Step[] = [suspendStep(ctx, o.kustomization), suspendStep(ctx, o.helmrelease)];
  if (w) {
    steps.push({
      title: `record ${wref} replicas in annotation ${REPLICAS_ANNOTATION}`,
      async isDone() {
        const v = (await readWorkload())?.metadata.annotations?.[REPLICAS_ANNOTATION];
        return v !== undefined ? `already recorded: ${v} (an earlier run)` : false;
      },
      async run(rt) { await annotate(String(w.replicas)); rt.output(`${w.replicas} replica(s)`); },
    }, {
      title: `scale ${wref} to 0`,
      async isDone() { return (await readWorkload())?.spec?.replicas === 0 && (await readWorkload())?.metadata.annotations?.[REPLICAS_ANNOTATION] ? `${wref} is already at 0` : false; },
      async run() { await scale(0); },
      async undo() { await scale(await recorded()); },
    }, {
      title: `wait until no pod of ${wref} runs`,
      mutating: false,
      async run() {
        if (ctx.dryRun) return;
        // Poll the list: `kubectl wait --for=delete -l ...` fails when nothing matches (kubernetes/kubernetes#83242).
        await waitUntil({
          what: `the pods of ${wref} (${w.selector}) to be gone`, timeoutMs: o.timeoutMs, intervalMs: 500, signal: ctx.signal,
          probe: async () => {
            const pods = await k.list('pods', { namespace: app.namespace, labels: w.selector });
            return pods.length === 0 ? { done: true, value: undefined } : { done: false, seen: pods.map((p) => p.metadata.name).join(', ') };
          },
        });
      },
    });
  }
  steps.push({
    title: `pause ReplicationSource ${app.namespace}/${app.name}`,
    async run() { await pauseRs(true); },
    async undo() { await pauseRs(false); },
  }, {
    title: `restore ${app.pvc} with ReplicationDestination ${rdName(app.name)} (trigger ${trigger})`,
    async run(rt) {
      // Rendered from the LIVE source, right now: a renamed secret or a changed security context is picked up.
      const live = await k.get<ReplicationSource>('replicationsources.volsync.backube', app.name, app.namespace);
      if (!live?.spec?.restic) throw new StepFailure(`ReplicationSource ${app.namespace}/${app.name} disappeared`);
      const rd = renderDestination(live, trigger, { previous: o.previous, asOf: o.asOf });
      await deleteRd();
      await k.mutate(['apply', '--server-side', '--force-conflicts', '--field-manager=rackhand', '-f', '-'], { input: JSON.stringify(rd) });
      if (ctx.dryRun) return;
      rt.output(`waiting for the mover (status.lastManualSync = ${trigger})`);
      const done = await waitUntil({
        what: `ReplicationDestination ${app.namespace}/${rdName(app.name)} to finish (lastManualSync = ${trigger})`,
        timeoutMs: o.timeoutMs, intervalMs: 1_000, signal: ctx.signal,
        probe: async () => {
          const cur = await k.get<ReplicationDestination>(RD, rdName(app.name), app.namespace);
          if (cur?.status?.lastManualSync === trigger) return { done: true, value: cur };
          const failed = cur?.status?.latestMoverStatus?.result === 'Failed';
          return { done: false, seen: failed ? `mover failed (VolSync retries): ${moverDiagnosis(cur?.status?.latestMoverStatus?.logs)}` : 'mover running' };
        },
      });
      const mover = done.status?.latestMoverStatus;
      if (mover?.result !== 'Successful') throw new StepFailure(`restore of ${app.name} failed: mover result ${mover?.result ?? 'unknown'}: ${moverDiagnosis(mover?.logs)}`, `kubectl describe replicationdestination -n ${app.namespace} ${rdName(app.name)}`);
      // The mover reports success after restoring nothing when no snapshot matched (backup-restore-facts.md).
      if (/No eligible snapshots found/.test(mover.logs ?? '')) throw new StepFailure(`restore of ${app.name} restored NOTHING: the mover found no eligible snapshot (it still reports Successful)`, `npx tsx tasks volsync:list --app ${app.name}`);
      ctx.data.mover = { result: mover.result, logs: lastLines(mover.logs, 10) };
    },
    async undo() { await deleteRd(); },
  }, {
    title: `delete ReplicationDestination ${rdName(app.name)}`,
    async run() { await deleteRd(); },
  }, {
    title: `unpause ReplicationSource ${app.namespace}/${app.name}`,
    async run() { await pauseRs(false); },
  });
  if (w) {
    steps.push({
      title: `scale ${wref} back to its recorded replicas`,
      async run(rt) {
        const n = await recorded();
        await scale(n);
        await annotate(null);
        rt.output(`${n} replica(s)`);
      },
    });
  }
  steps.push(resumeStep(ctx, [o.helmrelease, o.kustomization], reconcileAt));
  if (w) {
    steps.push({
      title: `wait for ${wref} to be Ready`,
      mutating: false,
      async run() {
        if (ctx.dryRun) return;
        await k.read(['rollout', 'status', wref, ...nsArgs, `--timeout=${Math.ceil(o.timeoutMs / 1000)}s`], o.timeoutMs + 15_000);
      },
    });
  }
  return steps;
}

function lastLines(text: string | undefined, n = 3): string {
  return (text ?? '').trim().split('\n').slice(-n).join(' | ');
}

