// flux:diff — a Flux Kustomization built from the local repository (substitutions, target namespace and the
// controller's labels included: lib/flux/build-ks.ts) against what runs, through a server-side dry-run apply as the
// controller's field manager (`kubectl diff --server-side`), plus what the next reconcile would prune (in the
// Kustomization's inventory, no longer built). Exit 0 no change, 1 drift, 2 error -- the contract `flux diff ks` has
// (fluxcd/flux2 cmd/flux/diff_kustomization.go), so CI can gate on it. Secret values are masked by kubectl diff
// (kubernetes/kubectl pkg/cmd/diff Masker). Better than `flux diff ks`: no flux CLI or source artifact needed, and the
// prune list next to the diff.
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { buildKustomization } from '../../lib/flux/build-ks.ts';
import { KS_FLAGS, ksRef, repoRoot } from '../../lib/flux/ks-flags.ts';

function diff() {
  return {
    async plan(ctx: TaskContext): Promise<Step[]> {
      const ref = ksRef(ctx);
      return [{
        title: `diff Kustomization ${ref.namespace}/${ref.name} built from the local files against the cluster`,
        mutating: false,
        async run() {
          // a build that cannot be made is an error (2), not drift (1)
          const built = await buildKustomization(ctx, ref, { repo: await repoRoot(ctx), ...(ctx.flags.path ? { path: ctx.flags.path as string } : {}) }).catch((err: Error) => {
            throw new StepFailure(err.message, err instanceof StepFailure ? err.remedy : undefined, 2);
          });
          // kubectl diff: exit 0 no differences, 1 differences, >1 an error (kubectl diff --help)
          const r = await ctx.exec.run(ctx.kubectl.argv(['diff', '--server-side', '--field-manager', 'kustomize-controller', '--force-conflicts', '-f', '-']), { mutating: false, timeoutMs: 120_000, input: built.yaml });
          if (r.exitCode > 1) throw new StepFailure(`kubectl diff failed for ${built.dir}: ${ctx.exec.redactor.redact(r.stderr.trim().split('\n').slice(-3).join(' / '))}`, undefined, 2);
          const changed = [...r.stdout.matchAll(/^diff -u -N \S+\/([^/\s]+)\s/gm)].map((m) => m[1]!.replace(/^LIVE-\d+\//, ''));
          ctx.data.diff = { objects: built.objects.length, changed: changed.length, pruned: built.pruned, path: built.dir };
          if (r.stdout) ctx.out(ctx.exec.redactor.redact(r.stdout));
          if (built.pruned.length) ctx.out(`would be pruned (in the inventory, no longer built):\n${built.pruned.map((p) => `  ${p}`).join('\n')}`);
          if (r.exitCode === 1 || built.pruned.length) throw new StepFailure(`drift: Kustomization ${ref.namespace}/${ref.name} would change ${changed.length || 'some'} object(s)${built.pruned.length ? ` and prune ${built.pruned.length}` : ''}`, undefined, 1);
          ctx.out(`no drift: the ${built.objects.length} object(s) of ${built.dir} match the cluster`);
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'a Kustomization built from the local repository vs the cluster (server-side dry run); exit 0 same, 1 drift, 2 error',
  example: 'npx tsx tasks flux:diff --cluster home flux-system/gatus',
  flags: KS_FLAGS,
  destructive: false,
  cluster: true,
  impl: diff,
});
