// Flux suspend / resume / reconcile through the API (kubectl patch), as `flux suspend|resume|reconcile` do:
// spec.suspend, and the reconcile.fluxcd.io/requestedAt annotation (fluxcd/pkg apis/meta ReconcileRequestAnnotation).
// A suspend made by rackhand is marked, so a resume never undoes a suspend the operator made on purpose.
import type { Step, TaskContext } from '../engine/types.ts';
import type { KubeObject } from '../tools/kube-types.ts';
import type { Kubectl } from '../tools/kubectl.ts';
import { quoteArgv } from '../shell-quote.ts';

export const KS = 'kustomizations.kustomize.toolkit.fluxcd.io';
export const HR = 'helmreleases.helm.toolkit.fluxcd.io';
export const SUSPENDED_BY = 'rackhand.dev/suspended-by';
const REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';

export interface FluxRef { resource: string; kind: string; name: string; namespace: string }
export type FluxObject = KubeObject<{ suspend?: boolean; dependsOn?: { name: string; namespace?: string }[]; sourceRef?: { kind: string; name: string; namespace?: string }; chart?: { spec?: { sourceRef?: { kind: string; name: string; namespace?: string } } }; chartRef?: { kind: string; name: string; namespace?: string } }, { conditions?: { type: string; status: string; reason?: string; message?: string }[]; observedGeneration?: number; lastHandledReconcileAt?: string }>;

export const label = (r: FluxRef): string => `${r.kind} ${r.namespace}/${r.name}`;

export function getFlux(kubectl: Kubectl, r: FluxRef): Promise<FluxObject | undefined> {
  return kubectl.get<FluxObject>(r.resource, r.name, r.namespace);
}

function patch(kubectl: Kubectl, r: FluxRef, body: unknown): Promise<unknown> {
  return kubectl.mutate(['patch', r.resource, r.name, '--namespace', r.namespace, '--type', 'merge', '-p', JSON.stringify(body)]);
}

export const suspend = (kubectl: Kubectl, r: FluxRef, by: string): Promise<unknown> =>
  patch(kubectl, r, { metadata: { annotations: { [SUSPENDED_BY]: by } }, spec: { suspend: true } });

const RESUME = { metadata: { annotations: { [SUSPENDED_BY]: null } }, spec: { suspend: false } };
export const resume = (kubectl: Kubectl, r: FluxRef): Promise<unknown> => patch(kubectl, r, RESUME);

/** `requestedAt` must be computed once per run: Flux compares values (fluxcd/flux2#4436). */
export const requestReconcile = (kubectl: Kubectl, r: FluxRef, at: string): Promise<unknown> =>
  patch(kubectl, r, { metadata: { annotations: { [REQUESTED_AT]: at } } });

/** A step that suspends one Flux object (undo: resume). Skipped when absent; an operator's own suspend is kept. */
export function suspendStep(ctx: TaskContext, r: FluxRef): Step {
  let mine = false;
  return {
    title: `suspend ${label(r)}`,
    async isDone() {
      const o = await getFlux(ctx.kubectl, r);
      if (!o) return `${label(r)} does not exist`;
      if (o.spec?.suspend && o.metadata.annotations?.[SUSPENDED_BY]) { mine = true; return `${label(r)} is already suspended by rackhand (an earlier run)`; }
      if (o.spec?.suspend) return `${label(r)} was suspended by someone else; it stays suspended`;
      return false;
    },
    async run() { await suspend(ctx.kubectl, r, ctx.task); mine = true; },
    // the patch may have landed even if run() did not hear back: resume only a suspend marked as rackhand's
    async cleanup() {
      const o = await getFlux(ctx.kubectl, r);
      if (o?.spec?.suspend && o.metadata.annotations?.[SUSPENDED_BY]) await resume(ctx.kubectl, r);
    },
    async undo() { if (mine) await resume(ctx.kubectl, r); },
    byHand: [quoteArgv(['kubectl', 'patch', r.resource, r.name, '--namespace', r.namespace, '--type', 'merge', '-p', JSON.stringify(RESUME)])],
  };
}

/** The final step: resume what rackhand suspended and ask for a reconcile (a no-op for objects it did not suspend;
 *  no plan-time probe, since at plan time the suspends have not happened yet). */
export function resumeStep(ctx: TaskContext, refs: FluxRef[], at: string): Step {
  return {
    title: `resume and reconcile ${refs.map(label).join(', ')}`,
    async run(rt) {
      for (const r of refs) {
        const o = await getFlux(ctx.kubectl, r);
        // a dry run suspended nothing: show what a real run would resume (what it would have suspended: not an
        // operator's own suspend)
        const ours = ctx.dryRun ? Boolean(o && !o.spec?.suspend) : Boolean(o?.spec?.suspend && o.metadata.annotations?.[SUSPENDED_BY]);
        if (!ours) continue;
        await resume(ctx.kubectl, r);
        await requestReconcile(ctx.kubectl, r, at);
        rt.output(ctx.dryRun ? `would resume ${label(r)} and request a reconcile` : `${label(r)} resumed, reconcile requested`);
      }
    },
  };
}
