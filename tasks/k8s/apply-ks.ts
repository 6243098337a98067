// k8s:apply-ks — applies a Flux Kustomization built from the local repository (lib/flux/build-ks.ts: substitutions,
// target namespace, the controller's labels) with server-side apply as kustomize-controller's field manager, as the
// home-ops recipe `flux build ks | kubectl apply --server-side --field-manager=kustomize-controller -f -` does. The
// diff is shown in the plan; with no diff the run has nothing to do. Flux puts the Git version back at its next
// reconcile unless the change is pushed: --suspend suspends the Kustomization first (rackhand-marked, so flux:resume
// --all resumes it later). Better than the recipe: the diff before the change, a confirmation, and a suspend that is
// undone if the apply fails.
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { buildKustomization, type BuiltKs } from '../../lib/flux/build-ks.ts';
import { KS_FLAGS, ksRef, repoRoot } from '../../lib/flux/ks-flags.ts';
import { KS, suspendStep } from '../../lib/flux/objects.ts';

const SSA = ['--server-side', '--field-manager', 'kustomize-controller', '--force-conflicts', '-f', '-'];

function applyKs() {
  let built: BuiltKs | undefined;
  return {
    async plan(ctx: TaskContext): Promise<Step[]> {
      const ref = ksRef(ctx);
      built = await buildKustomization(ctx, ref, { repo: await repoRoot(ctx), ...(ctx.flags.path ? { path: ctx.flags.path as string } : {}) });
      const b = built;
      const diff = () => ctx.exec.run(ctx.kubectl.argv(['diff', ...SSA]), { mutating: false, timeoutMs: 120_000, input: b.yaml });
      const first = await diff();
      if (first.exitCode > 1) throw new StepFailure(`kubectl diff failed: ${ctx.exec.redactor.redact(first.stderr.trim().split('\n').pop() ?? '')}`);
      if (first.stdout) for (const line of ctx.exec.redactor.redact(first.stdout).trimEnd().split('\n')) ctx.log.info(`  ${line}`);
      ctx.data.objects = b.objects.length;
      const steps: Step[] = [];
      if (ctx.flags.suspend) steps.push(suspendStep(ctx, { resource: KS, kind: 'Kustomization', namespace: ref.namespace, name: ref.name }));
      steps.push({
        title: `apply ${b.objects.length} object(s) of ${b.dir} (server-side, field manager kustomize-controller)`,
        isDone: async () => (first.exitCode === 0 ? 'the cluster already matches the local files' : false),
        async run() {
          await ctx.kubectl.mutate(['apply', ...SSA], { input: b.yaml, timeoutMs: 120_000 });
          if (!ctx.flags.suspend && !ctx.dryRun) ctx.log.warning(`Flux applies the Git version of ${ref.namespace}/${ref.name} again at its next reconcile unless this is pushed (--suspend keeps it)`);
        },
      });
      return steps;
    },
    changes: (ctx: TaskContext) => [`the objects of Kustomization ${ctx.flags.ks as string} change as the diff above shows${ctx.flags.suspend ? '; the Kustomization stays suspended (flux:resume)' : ''}`],
  };
}

export default defineTask({
  summary: 'apply a Flux Kustomization built from local files (server-side, as kustomize-controller), the diff shown first',
  example: 'npx tsx tasks k8s:apply-ks --cluster home flux-system/gatus --suspend',
  flags: { ...KS_FLAGS, suspend: { type: 'boolean', description: 'suspend the Kustomization first so Flux does not put the Git version back' } },
  destructive: true,
  cluster: true,
  impl: applyKs,
});
