// flux:reconcile — asks Flux to reconcile now and waits until each object is Ready: one object (--kind/--name), an
// app (--app), everything (--all), or by default everything that is not Ready. --with-source reconciles each one's
// source first (a Kustomization's sourceRef, a HelmRelease's chart source). Sources first, then dependsOn order; one
// requestedAt value for the whole run (Flux compares values; fluxcd/flux2 issue 4436). Better than `flux reconcile
// ks X --with-source` in a loop: only what is not Ready by default, dependencies before dependents, a deadline per
// object, and the object's own failure reason when it does not come back.
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { byKindName, refOf } from '../../lib/flux/kinds.ts';
import { getFlux, label, type FluxRef } from '../../lib/flux/objects.ts';
import { dependsOnOrder } from '../../lib/flux/order.ts';
import { fluxObjects } from '../../lib/flux/ready.ts';
import { selectTargets, TARGET_FLAGS, validateTarget, type Target } from '../../lib/flux/select.ts';
import { reconcileAndWait } from '../../lib/flux/wait.ts';

/** The source a Kustomization or HelmRelease pulls from. */
function sourceOf(t: Target): FluxRef | undefined {
  const s = t.o.spec?.sourceRef ?? t.o.spec?.chart?.spec?.sourceRef ?? t.o.spec?.chartRef;
  const k = s ? byKindName(s.kind) : undefined;
  return s && k?.source ? refOf(k, s.namespace ?? t.ref.namespace, s.name) : undefined;
}

function reconcile() {
  return {
    validate: (ctx: TaskContext) => validateTarget(ctx, { required: false }),
    async plan(ctx: TaskContext): Promise<Step[]> {
      const at = new Date().toISOString();
      let targets = await selectTargets(ctx);
      if (!targets) targets = (await fluxObjects(ctx)).filter((x) => !x.state.ready && !x.state.suspended).map(({ k, o }) => ({ ref: refOf(k, o.metadata.namespace!, o.metadata.name), o }));
      if (ctx.flags.name !== undefined && !targets.length) throw new StepFailure(`no ${String(ctx.flags.kind)} ${String(ctx.flags.name)}`, 'kubectl get ks,hr -A');
      const sources = new Map<string, FluxRef>();
      if (ctx.flags['with-source']) for (const t of targets) { const s = sourceOf(t); if (s) sources.set(label(s), s); }
      for (const t of targets) if (byKindName(t.ref.kind)!.source) sources.set(label(t.ref), t.ref);
      const ordered = dependsOnOrder(targets.filter((t) => !byKindName(t.ref.kind)!.source)).ordered;
      const all = [...sources.values(), ...ordered];
      ctx.data.reconcile = { requestedAt: at, objects: all.map(label) };
      if (!all.length) { ctx.log.info('every Flux object is Ready: nothing to reconcile'); return []; }
      return all.map((ref) => ({
        title: `reconcile ${label(ref)} and wait until Ready`,
        mutating: true,
        async isDone() {
          const o = await getFlux(ctx.kubectl, ref);
          return o?.spec?.suspend ? `${label(ref)} is suspended (flux:resume it first)` : false;
        },
        async run() { await reconcileAndWait(ctx, ref, at, ctx.flags.timeout as number); },
      }));
    },
  };
}

export default defineTask({
  summary: 'reconcile Flux objects now (default: everything not Ready; sources first, dependsOn order) and wait until Ready',
  example: 'npx tsx tasks flux:reconcile --cluster home --kind ks --name flux-system/apps --with-source',
  flags: {
    ...TARGET_FLAGS,
    'with-source': { type: 'boolean', description: 'reconcile each object\'s source first (GitRepository, OCIRepository, HelmRepository)' },
    timeout: { type: 'duration', description: 'deadline for each object to be Ready', default: 5 * 60_000 },
  },
  destructive: false,
  cluster: true,
  impl: reconcile,
});
