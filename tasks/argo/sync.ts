// argo:sync — syncs an Argo CD Application now and waits for the result, without the argocd CLI or a login: the
// Application's `operation` field is set (what `argocd app sync` does through the API server; argo-cd docs FAQ
// "How can I trigger a sync without the CLI") and status.operationState is awaited (phase Succeeded, finished after
// the request), then Synced/Healthy, with a deadline. Better than `kubectl patch` by hand: the result is waited for
// and a failed or stuck sync is named with Argo CD's own message.
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, type TaskContext } from '../../lib/engine/types.ts';
import { APP, type ArgoObject } from '../../lib/gitops/argo.ts';
import { WaitTimeout, waitUntil } from '../../lib/wait.ts';

type App = ArgoObject & { operation?: unknown; status?: { sync?: { status?: string }; health?: { status?: string }; operationState?: { phase?: string; message?: string; finishedAt?: string; startedAt?: string; operation?: { initiatedBy?: { username?: string } } } } };

function sync() {
  return {
    async plan(ctx: TaskContext) {
      const name = ctx.flags.app as string;
      const ns = ctx.flags.namespace as string;
      const app = await ctx.kubectl.get<App>(APP, name, ns);
      if (!app) throw new StepFailure(`no Argo CD Application ${ns}/${name}`, 'kubectl get applications.argoproj.io -A');
      return [{
        title: `sync Argo CD Application ${ns}/${name} and wait for the result`,
        mutating: true,
        async run(rt: { output(t: string): void }) {
          const requested = new Date(Math.floor(Date.now() / 1000) * 1000);
          const operation = { initiatedBy: { username: `rackhand (${ctx.task})` }, sync: { ...(ctx.flags.prune ? { prune: true } : {}), syncStrategy: { hook: {} } } };
          await ctx.kubectl.mutate(['patch', APP, name, '--namespace', ns, '--type', 'merge', '-p', JSON.stringify({ operation })]);
          if (ctx.dryRun) return;
          try {
            const done = await waitUntil({
              what: `Application ${ns}/${name} to finish syncing`, timeoutMs: ctx.flags.timeout as number, intervalMs: 500, signal: ctx.signal,
              probe: async () => {
                const a = await ctx.kubectl.get<App>(APP, name, ns);
                const op = a?.status?.operationState;
                const finished = op?.finishedAt ? Date.parse(op.finishedAt) >= requested.getTime() : false;
                if (!a?.operation && finished && op?.phase && op.phase !== 'Running') return { done: true, value: a! };
                return { done: false, seen: `${op?.phase ?? 'no operation yet'}${op?.message ? `: ${op.message}` : ''}` };
              },
            });
            const op = done.status!.operationState!;
            if (op.phase !== 'Succeeded') throw new StepFailure(`Application ${ns}/${name}: sync ${op.phase}: ${op.message ?? ''}`, `kubectl describe applications.argoproj.io -n ${ns} ${name}`);
            rt.output(`sync ${op.phase}: ${op.message ?? ''} (${done.status?.sync?.status}, ${done.status?.health?.status})`);
          } catch (err) {
            if (err instanceof WaitTimeout) throw new StepFailure(`Application ${ns}/${name} did not finish syncing: ${err.lastSeen ?? ''}`, `kubectl describe applications.argoproj.io -n ${ns} ${name}`);
            throw err;
          }
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'sync an Argo CD Application now (no argocd CLI or login) and wait for the result',
  example: 'npx tsx tasks argo:sync --cluster media --app sonarr',
  flags: {
    app: { type: 'string', required: true, pattern: /^[a-z0-9][a-z0-9.-]*$/, hint: 'an Application name', description: 'the Application' },
    namespace: { type: 'string', default: 'argocd', pattern: /^[a-z0-9][a-z0-9-]*$/, hint: 'a namespace', description: 'the Application\'s namespace' },
    prune: { type: 'boolean', description: 'delete what Git no longer has' },
    timeout: { type: 'duration', default: 5 * 60_000, description: 'deadline for the sync' },
  },
  destructive: false,
  cluster: true,
  impl: sync,
});
