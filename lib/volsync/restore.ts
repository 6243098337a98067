// The steps of a VolSync restore into the app's existing PVC, each idempotent and, where it changes something,
// undoable: suspend Flux -> record replicas -> scale to 0 -> no pods -> pause the ReplicationSource -> a
// ReplicationDestination rendered from the LIVE source -> wait for its mover -> check the result -> clean up ->
// unpause -> replicas back -> resume Flux -> app Ready. On failure, a deadline or a signal the engine runs the
// interrupted step's cleanup, then the undos in reverse: the ReplicationDestination goes first and its mover is
// waited out, and only then are the replicas restored and Flux resumed. Every step names its by-hand undo.
import { StepFailure, type Step, type TaskContext } from '../engine/types.ts';
import { resumeStep, suspendStep, type FluxRef } from '../flux/objects.ts';
import type { KubeObject } from '../tools/kube-types.ts';
import { waitUntil } from '../wait.ts';
import { removeDestination, removeDestinationByHand, runDestination } from './destination.ts';
import { quoteArgv } from '../shell-quote.ts';
import type { VolsyncApp, Workload } from './app.ts';
import { moverOf, moverSpec, uniqueTrigger, type ReplicationDestination, type ReplicationSource } from './types.ts';

export const REPLICAS_ANNOTATION = 'rackhand.dev/restore-replicas';

export interface RestoreOptions {
  app: VolsyncApp;
  workload: Workload | undefined;
  previous?: number;
  asOf?: string;
  timeoutMs: number;
  kustomization: FluxRef;
  helmrelease: FluxRef;
  /** every ReplicationSource whose sourcePVC is the app's PVC, and whether it was paused before this run */
  sources?: { name: string; paused: boolean }[];
  /** how the app's GitOps owner is paused and put back when it is not Flux (Argo CD: lib/gitops/argo.ts) */
  gitops?: { pause: Step[]; resume: Step };
}

const rdName = (app: string): string => `${app}-rackhand-restore`;

export interface DestinationOptions {
  previous?: number;
  asOf?: string;
  /** default `<app>-rackhand-restore` in the source's namespace */
  name?: string;
  namespace?: string;
  /** restore into a NEW volume (VolSync creates volsync-<name>-dest) of this size instead of the source's PVC */
  newVolume?: { capacity: string; storageClassName?: string; accessModes?: string[] };
}

/** The ReplicationDestination for a Direct restore, copying what must match the live source (security context:
 *  permission errors otherwise, onedr0p/home-ops#5197; storage class, access modes, capacity). Into the source's
 *  PVC, or into a new volume (DR drill) when `newVolume` is given. */
export function renderDestination(source: ReplicationSource, trigger: string, o: DestinationOptions): ReplicationDestination {
  const mover = moverOf(source) ?? 'restic';
  const r = moverSpec(source)!;
  const copy = <K extends keyof typeof r>(k: K) => (r[k] !== undefined ? { [k]: r[k] } : {});
  const v = o.newVolume;
  return {
    apiVersion: 'volsync.backube/v1alpha1', kind: 'ReplicationDestination',
    metadata: { name: o.name ?? rdName(source.metadata.name), namespace: o.namespace ?? source.metadata.namespace, labels: { 'app.kubernetes.io/managed-by': 'rackhand' } },
    spec: {
      trigger: { manual: trigger },
      [mover]: {
        repository: r.repository, ...(v ? {} : { destinationPVC: source.spec!.sourcePVC }), copyMethod: 'Direct', enableFileDeletion: true, cleanupCachePVC: true,
        ...copy('moverSecurityContext'), ...copy('storageClassName'), ...copy('accessModes'), ...copy('capacity'),
        ...copy('cacheCapacity'), ...copy('cacheStorageClassName'),
        ...(v ? { capacity: r.capacity ?? v.capacity, ...(r.storageClassName ?? v.storageClassName ? { storageClassName: r.storageClassName ?? v.storageClassName } : {}), accessModes: r.accessModes ?? v.accessModes ?? ['ReadWriteOnce'] } : {}),
        ...(o.previous !== undefined ? { previous: o.previous } : {}), ...(o.asOf ? { restoreAsOf: o.asOf } : {}),
        // kopia names snapshots by the source's identity (<name>@<namespace>); a destination named otherwise must say
        // whose snapshots to restore (perfectra1n/volsync docs, kopia "sourceIdentity")
        ...(mover === 'kopia' ? { sourceIdentity: { sourceName: source.metadata.name, sourceNamespace: source.metadata.namespace } } : {}),
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
  // every ReplicationSource of this PVC (bjw-s-labs/home-ops backs one volume up twice: <app> to NFS, <app>-r2 offsite):
  // a source left running would back a half-restored volume up. One paused by the operator stays paused.
  const sources = o.sources ?? [{ name: app.name, paused: false }];
  const ours = sources.filter((x) => !x.paused).map((x) => x.name);
  const pauseRs = (name: string, paused: boolean) => k.mutate(['patch', 'replicationsources.volsync.backube', name, ...nsArgs, '--type', 'merge', '-p', JSON.stringify({ spec: { paused } })]);
  const pauseAll = async (paused: boolean) => { for (const n of ours) await pauseRs(n, paused); };
  const names = ours.map((n) => `${app.namespace}/${n}`).join(', ');
  const rd = rdName(app.name);
  // the mover must be gone before the app may run again on the volume: a cleanup waits for it, within its own deadline
  const removeRd = () => removeDestination(ctx, rd, app.namespace, Math.max(60_000, Math.min(o.timeoutMs, 300_000)));
  const kubectlLine = (args: string[]) => quoteArgv(['kubectl', ...args]);
  const scaleBack = w ? kubectlLine(['scale', wref, ...nsArgs, `--replicas=${w.replicas}`]) : '';

  const steps: Step[] = o.gitops ? [...o.gitops.pause] : [suspendStep(ctx, o.kustomization), suspendStep(ctx, o.helmrelease)];
  if (w) {
    steps.push({
      title: `record ${wref} replicas in annotation ${REPLICAS_ANNOTATION}`,
      async isDone() {
        const v = (await readWorkload())?.metadata.annotations?.[REPLICAS_ANNOTATION];
        return v !== undefined ? `already recorded: ${v} (an earlier run)` : false;
      },
      async run(rt) { await annotate(String(w.replicas)); rt.output(`${w.replicas} replica(s)`); },
      async cleanup() { await annotate(null); },
      async undo() { await annotate(null); },
      byHand: [kubectlLine(['annotate', wref, ...nsArgs, `${REPLICAS_ANNOTATION}-`])],
    }, {
      title: `scale ${wref} to 0`,
      async isDone() { return (await readWorkload())?.spec?.replicas === 0 && (await readWorkload())?.metadata.annotations?.[REPLICAS_ANNOTATION] ? `${wref} is already at 0` : false; },
      async run() { await scale(0); },
      async cleanup() { await scale(await recorded()); },
      async undo() { await scale(await recorded()); },
      byHand: [scaleBack],
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
  if (ours.length) {
    steps.push({
      title: `pause ReplicationSource${ours.length > 1 ? 's' : ''} ${names} (every source of PVC ${app.pvc})`,
      async run() { await pauseAll(true); },
      async cleanup() { await pauseAll(false); },
      async undo() { await pauseAll(false); },
      byHand: ours.map((n) => kubectlLine(['patch', 'replicationsources.volsync.backube', n, ...nsArgs, '--type', 'merge', '-p', JSON.stringify({ spec: { paused: false } })])),
    });
  }
  steps.push({
    title: `restore ${app.pvc} with ReplicationDestination ${rd} (trigger ${trigger})`,
    async run(rt) {
      // Rendered from the LIVE source, right now: a renamed secret or a changed security context is picked up.
      const live = await k.get<ReplicationSource>('replicationsources.volsync.backube', app.name, app.namespace);
      if (!live || !moverSpec(live)) throw new StepFailure(`ReplicationSource ${app.namespace}/${app.name} disappeared`);
      await removeRd(); // a destination left by an earlier run, with its mover
      const done = await runDestination(ctx, renderDestination(live, trigger, { previous: o.previous, asOf: o.asOf }), { timeoutMs: o.timeoutMs, app: app.name, output: (t) => rt.output(t) });
      if (!done) return;
      const mover = done.status!.latestMoverStatus!;
      ctx.data.mover = { result: mover.result, logs: lastLines(mover.logs, 10) };
    },
    // declared before the ReplicationDestination exists: on failure, timeout or a signal it is deleted and its mover
    // waited out, so VolSync can neither retry nor finish a restore under the app once it runs again
    async cleanup() { await removeRd(); },
    async undo() { await removeRd(); },
    byHand: removeDestinationByHand(rd, app.namespace),
    undoTimeoutMs: 330_000,
  }, {
    title: `delete ReplicationDestination ${rd} and wait for its mover to be gone`,
    async run() { await removeRd(); },
  });
  if (ours.length) steps.push({ title: `unpause ReplicationSource${ours.length > 1 ? 's' : ''} ${names}`, async run() { await pauseAll(false); } });
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
  steps.push(o.gitops ? o.gitops.resume : resumeStep(ctx, [o.helmrelease, o.kustomization], reconcileAt));
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

