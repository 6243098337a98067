// k8s:cleanse-pods — deletes pods that will never run again: phase Failed (Evicted ones among them: reason Evicted)
// and Succeeded, in --namespace or everywhere. The plan lists each with its phase, reason and age before anything is
// deleted (--dry-run stops there). Pods of a Job are left alone unless --include-job-pods: the Job's history limit
// keeps them on purpose, with their logs. Better than `kubectl delete pod --field-selector status.phase=Failed -A`:
// the list first and a confirmation, Succeeded and Evicted in one go, and CronJob logs kept.
import { defineTask } from '../../lib/engine/define.ts';
import type { Step, TaskContext } from '../../lib/engine/types.ts';
import { formatDuration } from '../../lib/patterns.ts';
import type { KubeObject } from '../../lib/tools/kube-types.ts';

type Pod = KubeObject<Record<string, unknown>, { phase?: string; reason?: string; startTime?: string }>;

function cleanse() {
  return {
    async plan(ctx: TaskContext): Promise<Step[]> {
      const ns = ctx.flags.namespace as string | undefined;
      const pods = await ctx.kubectl.list<Pod>('pods', ns ? { namespace: ns } : { allNamespaces: true });
      const done = pods.filter((p) => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded');
      const ofJob = (p: Pod) => (p.metadata.ownerReferences ?? []).some((r) => r.kind === 'Job');
      const chosen = done.filter((p) => ctx.flags['include-job-pods'] || !ofJob(p));
      const kept = done.filter((p) => !chosen.includes(p));
      ctx.data.pods = chosen.map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
      if (kept.length) ctx.log.info(`left alone (pods of a Job; --include-job-pods deletes them too): ${kept.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).join(', ')}`);
      if (!chosen.length) { ctx.log.info('no Failed, Evicted or Succeeded pod to delete'); return []; }
      const age = (p: Pod) => (p.metadata.creationTimestamp ? formatDuration(Date.now() - Date.parse(p.metadata.creationTimestamp)) : '?');
      return chosen.map((p) => ({
        title: `delete pod ${p.metadata.namespace}/${p.metadata.name} (${p.status?.phase}${p.status?.reason ? `, ${p.status.reason}` : ''}, ${age(p)} old)`,
        async isDone() { return (await ctx.kubectl.get('pods', p.metadata.name, p.metadata.namespace)) ? false : 'already gone'; },
        async run() { await ctx.kubectl.mutate(['delete', 'pod', p.metadata.name, '--namespace', p.metadata.namespace!, '--ignore-not-found', '--wait=false']); },
      }));
    },
    changes: (ctx: TaskContext) => [`the pods listed above are deleted (${((ctx.data.pods as string[] | undefined) ?? []).length})`],
  };
}

export default defineTask({
  summary: 'delete Failed (Evicted) and Succeeded pods, listed first; pods of Jobs kept unless --include-job-pods',
  example: 'npx tsx tasks k8s:cleanse-pods --cluster home --namespace media',
  flags: {
    namespace: { type: 'string', pattern: /^[a-z0-9][a-z0-9-]*$/, hint: 'a namespace', description: 'only this namespace (default: every namespace)' },
    'include-job-pods': { type: 'boolean', description: 'delete finished pods of Jobs too (their logs go with them)' },
  },
  destructive: true,
  cluster: true,
  impl: cleanse,
});
