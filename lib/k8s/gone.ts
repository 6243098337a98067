// Deleting one of rackhand's own objects and waiting until it is really gone (a namespace takes its contents with
// it; a pod its grace period), under a deadline, woken by the run's watch of that kind (lib/k8s/watch.ts).
import type { TaskContext } from '../engine/types.ts';
import { waitUntil } from '../wait.ts';
import { watchedObject } from './watch.ts';

/** `resource` as kubectl takes it (namespace, pods); one spelling per kind in a run, since the watch is kept by it.
 *  No signal: a step's cleanup deletes and waits after an interrupt too. */
export async function deleteAndWait(ctx: TaskContext, resource: string, name: string, namespace: string | undefined, timeoutMs: number): Promise<void> {
  await ctx.kubectl.mutate(['delete', resource, name, ...(namespace ? ['--namespace', namespace] : []), '--ignore-not-found', '--wait=false']);
  if (ctx.dryRun) return;
  const w = watchedObject(ctx, resource, namespace, name, 500);
  await waitUntil({
    what: `${resource.replace(/s$/, '')} ${namespace ? `${namespace}/` : ''}${name} to be deleted`, timeoutMs, ...w.wait,
    probe: async () => {
      const cached = w.cached();
      const there = cached !== undefined ? cached !== null : !!(await ctx.kubectl.get(resource, name, namespace));
      return there ? { done: false, seen: 'terminating' } : { done: true, value: undefined };
    },
  });
}
