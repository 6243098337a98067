// k8s:delete-ks — deletes what a Flux Kustomization built from the local repository contains, after suspending the
// Kustomization (otherwise Flux re-creates everything at its next reconcile; it stays suspended afterwards: resume it
// with flux:resume when the objects should come back). Every object is listed before the confirmation.
// PersistentVolumeClaims and Namespaces are left alone unless --include-data: deleting them deletes data. A re-run
// skips what is already gone. Better than `flux build ks | kubectl delete -f -`: the list first, no data lost by
// accident, and no Flux re-creating what was just deleted.
import { defineTask } from '../../lib/engine/define.ts';
import type { Step, TaskContext } from '../../lib/engine/types.ts';
import { buildKustomization, describeObject } from '../../lib/flux/build-ks.ts';
import { KS_FLAGS, ksRef, repoRoot } from '../../lib/flux/ks-flags.ts';
import { KS, suspendStep } from '../../lib/flux/objects.ts';
import type { KubeObject } from '../../lib/tools/kube-types.ts';

const DATA = new Set(['PersistentVolumeClaim', 'Namespace']);
const resourceOf = (o: KubeObject) => `${o.kind}${o.apiVersion?.includes('/') ? `.${o.apiVersion.split('/')[0]}` : ''}`;

function deleteKs() {
  let doomed: KubeObject[] = [];
  let kept: KubeObject[] = [];
  return {
    async plan(ctx: TaskContext): Promise<Step[]> {
      const ref = ksRef(ctx);
      const built = await buildKustomization(ctx, ref, { repo: await repoRoot(ctx), ...(ctx.flags.path ? { path: ctx.flags.path as string } : {}) });
      doomed = built.objects.filter((o) => ctx.flags['include-data'] || !DATA.has(o.kind!));
      kept = built.objects.filter((o) => !doomed.includes(o));
      if (kept.length) ctx.log.info(`left alone (data; --include-data deletes them too): ${kept.map(describeObject).join(', ')}`);
      ctx.data.deleted = doomed.map(describeObject);
      return [
        suspendStep(ctx, { resource: KS, kind: 'Kustomization', namespace: ref.namespace, name: ref.name }),
        ...doomed.map((o): Step => ({
          title: `delete ${describeObject(o)}`,
          async isDone() { return (await ctx.kubectl.get(resourceOf(o), o.metadata.name, o.metadata.namespace)) ? false : 'already gone'; },
          async run() { await ctx.kubectl.mutate(['delete', resourceOf(o), o.metadata.name, ...(o.metadata.namespace ? ['--namespace', o.metadata.namespace] : []), '--ignore-not-found', '--wait=false']); },
        })),
      ];
    },
    changes: (ctx: TaskContext) => [`Kustomization ${ctx.flags.ks as string} is suspended and stays so`, `deleted: ${doomed.map(describeObject).join(', ') || 'nothing'}`],
  };
}

export default defineTask({
  summary: 'suspend a Flux Kustomization and delete the objects its local build contains (PVCs and Namespaces only with --include-data)',
  example: 'npx tsx tasks k8s:delete-ks --cluster home flux-system/gatus',
  flags: { ...KS_FLAGS, 'include-data': { type: 'boolean', description: 'delete PersistentVolumeClaims and Namespaces too (their data goes with them)' } },
  destructive: true,
  cluster: true,
  impl: deleteKs,
});
