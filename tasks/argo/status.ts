// argo:status — every Argo CD Application that is not Synced and Healthy, with its auto-sync state (and whether
// rackhand turned it off: rackhand.dev/paused-sync). Read-only, through kubectl on Application objects (no argocd
// login needed); exit 1 when any is not Synced/Healthy. Fields: status.sync.status, status.health.status,
// status.operationState.phase/message (argoproj/argo-cd pkg/apis/application/v1alpha1 types.go).
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, type TaskContext } from '../../lib/engine/types.ts';
import { APP, PAUSED_SYNC, type ArgoObject } from '../../lib/gitops/argo.ts';
import { table } from '../../lib/table.ts';

type App = ArgoObject & { status?: { sync?: { status?: string }; health?: { status?: string; message?: string }; operationState?: { phase?: string; message?: string } } };

function status() {
  return {
    async plan(ctx: TaskContext) {
      return [{
        title: 'read every Argo CD Application',
        mutating: false,
        async run() {
          const apps = await ctx.kubectl.list<App>(APP, ctx.flags.namespace ? { namespace: ctx.flags.namespace as string } : { allNamespaces: true });
          const rows = apps.map((a) => ({
            namespace: a.metadata.namespace ?? '', name: a.metadata.name, sync: a.status?.sync?.status ?? 'Unknown', health: a.status?.health?.status ?? 'Unknown',
            autoSync: a.spec?.syncPolicy?.automated ? 'on' : a.metadata.annotations?.[PAUSED_SYNC] ? 'off (rackhand)' : 'off',
            message: a.status?.operationState?.phase && a.status.operationState.phase !== 'Succeeded' ? `${a.status.operationState.phase}: ${a.status.operationState.message ?? ''}` : (a.status?.health?.message ?? ''),
          }));
          const bad = rows.filter((r) => r.sync !== 'Synced' || r.health !== 'Healthy');
          ctx.data.applications = rows;
          ctx.out(`${table(['NAMESPACE', 'NAME', 'SYNC', 'HEALTH', 'AUTO-SYNC', 'MESSAGE'], rows.map((r) => [r.namespace, r.name, r.sync, r.health, r.autoSync, r.message]))}\n`);
          ctx.out(`${rows.length - bad.length} of ${rows.length} Applications Synced and Healthy\n`);
          if (bad.length) throw new StepFailure(`${bad.length} Application(s) not Synced/Healthy: ${bad.map((b) => `${b.namespace}/${b.name} (${b.sync}, ${b.health})`).join(', ')}`, `npx tsx tasks argo:sync --cluster ${ctx.cluster.name} --app ${bad[0]!.name}`);
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'every Argo CD Application not Synced and Healthy, with its auto-sync state; exit 1 when any',
  example: 'npx tsx tasks argo:status --cluster media',
  flags: { namespace: { type: 'string', pattern: /^[a-z0-9][a-z0-9-]*$/, hint: 'a namespace', description: 'only Applications in this namespace' } },
  destructive: false,
  cluster: true,
  impl: status,
});
