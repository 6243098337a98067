// flux:resume — resumes what flux:suspend (or another rackhand task) suspended: with --all only the objects marked
// rackhand.dev/suspended-by, never one an operator suspended by hand; a named object or app is resumed whoever
// suspended it. Dependencies first (spec.dependsOn), each one reconciled and waited for until Ready before its
// dependents are resumed, with a deadline. Better than `flux resume ks --all` (fluxcd/flux2 issue 2379: list order,
// dependents failing DependencyNotReady until their dependencies are back): the chain comes back in order, and a
// failure stops there, naming the object, its reason and what is still suspended.
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { getFlux, label, resume, SUSPENDED_BY } from '../../lib/flux/objects.ts';
import { dependsOnOrder } from '../../lib/flux/order.ts';
import { describeSelector, selectTargets, TARGET_FLAGS, validateTarget } from '../../lib/flux/select.ts';
import { reconcileAndWait } from '../../lib/flux/wait.ts';

function resumeTask() {
  return {
    validate: (ctx: TaskContext) => validateTarget(ctx, { required: true }),
    async plan(ctx: TaskContext): Promise<Step[]> {
      const at = new Date().toISOString();
      const selected = (await selectTargets(ctx))!;
      if (!selected.length) throw new StepFailure(`no Flux object for ${describeSelector(ctx)}`, 'kubectl get ks,hr -A');
      // --all: only what rackhand suspended; a named object or app: whoever suspended it
      const mine = ctx.flags.all ? selected.filter((t) => t.o.spec?.suspend && t.o.metadata.annotations?.[SUSPENDED_BY]) : selected;
      const left = ctx.flags.all ? selected.filter((t) => t.o.spec?.suspend && !t.o.metadata.annotations?.[SUSPENDED_BY]) : [];
      if (left.length) ctx.log.info(`left suspended (not suspended by rackhand): ${left.map((t) => label(t.ref)).join(', ')}`);
      const { ordered, cycle } = dependsOnOrder(mine);
      if (cycle) ctx.log.warning(`dependsOn cycle: ${cycle.join(' -> ')}`);
      ctx.data.resume = { order: ordered.map(label), leftSuspended: left.map((t) => label(t.ref)) };
      return ordered.map((ref) => ({
        title: `resume ${label(ref)}, reconcile, wait until Ready`,
        mutating: true,
        async isDone() {
          const o = await getFlux(ctx.kubectl, ref);
          if (!o) return `${label(ref)} is gone`;
          return o.spec?.suspend ? false : 'not suspended';
        },
        async run(rt) {
          const o = await getFlux(ctx.kubectl, ref);
          if (o?.spec?.suspend && !o.metadata.annotations?.[SUSPENDED_BY]) rt.output(`${label(ref)} was suspended by someone else: resumed because it was named`);
          await resume(ctx.kubectl, ref);
          await reconcileAndWait(ctx, ref, at, ctx.flags.timeout as number);
        },
      }));
    },
  };
}

export default defineTask({
  summary: 'resume what rackhand suspended (or the one named) in dependsOn order, each reconciled and Ready before the next',
  example: 'npx tsx tasks flux:resume --cluster home --all',
  flags: { ...TARGET_FLAGS, timeout: { type: 'duration', description: 'deadline for each object to be Ready', default: 5 * 60_000 } },
  destructive: false,
  cluster: true,
  impl: resumeTask,
});
