// flux:suspend — suspends one Flux object, an app's Kustomization and HelmRelease, or every Kustomization and
// HelmRelease (in a namespace), and marks each one it suspended (annotation rackhand.dev/suspended-by) so that
// flux:resume --all later resumes exactly those, wherever it runs: the record is in the cluster, not on a laptop.
// An object someone else suspended stays as it is and is not marked. Better than `flux suspend ks --all`: the plan
// and the target are shown first, and what was already suspended on purpose is never resumed by accident later.
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { getFlux, label, suspend, SUSPENDED_BY } from '../../lib/flux/objects.ts';
import { describeSelector, selectTargets, TARGET_FLAGS, validateTarget } from '../../lib/flux/select.ts';

function suspendTask() {
  return {
    validate: (ctx: TaskContext) => validateTarget(ctx, { required: true }),
    async plan(ctx: TaskContext): Promise<Step[]> {
      const targets = (await selectTargets(ctx))!;
      if (!targets.length) throw new StepFailure(`no Flux object for ${describeSelector(ctx)}`, 'kubectl get ks,hr -A');
      ctx.data.suspended = [];
      return targets.map(({ ref }) => ({
        title: `suspend ${label(ref)}`,
        async isDone() {
          const o = await getFlux(ctx.kubectl, ref);
          if (!o) return `${label(ref)} is gone`;
          if (o.spec?.suspend) return o.metadata.annotations?.[SUSPENDED_BY] ? `already suspended by rackhand (${o.metadata.annotations[SUSPENDED_BY]})` : 'suspended by someone else: left as it is, not marked';
          return false;
        },
        async run() {
          await suspend(ctx.kubectl, ref, ctx.task);
          (ctx.data.suspended as string[]).push(label(ref));
        },
      }));
    },
    changes: (ctx: TaskContext) => [`Flux stops reconciling ${describeSelector(ctx)} until flux:resume`],
  };
}

export default defineTask({
  summary: 'suspend Flux objects (one, an app\'s ks+hr, or --all in a namespace), marked so flux:resume --all resumes only those',
  example: 'npx tsx tasks flux:suspend --cluster home --app gatus --namespace observability',
  flags: TARGET_FLAGS,
  destructive: true,
  cluster: true,
  impl: suspendTask,
});
