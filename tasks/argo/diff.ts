// argo:diff — what an Argo CD Application would change: Argo CD's own view first (status.resources that are not
// Synced: argo-cd pkg/apis/application/v1alpha1 ResourceStatus), then, for a source with a path (plain manifests or
// kustomize) in the local repository, those manifests against the cluster through a server-side dry run as Argo CD's
// field manager, with its tracking annotation (`argocd.argoproj.io/tracking-id: <app>:<group>/<kind>:<ns>/<name>`,
// the default tracking since Argo CD 3.0) and the destination namespace. Exit 0 no change, 1 drift, 2 error, like
// flux:diff. Helm chart sources are compared by Argo CD only (no helm here). Better than `argocd app diff`: no CLI
// login, and the local files before they are pushed.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { CLUSTER_SCOPED, renderDir } from '../../lib/flux/build-ks.ts';
import { repoRoot } from '../../lib/flux/ks-flags.ts';
import { APP } from '../../lib/gitops/argo.ts';
import { table } from '../../lib/table.ts';
import type { KubeObject } from '../../lib/tools/kube-types.ts';

type App = KubeObject<{ source?: { path?: string; chart?: string; repoURL?: string }; destination?: { namespace?: string } }, { sync?: { status?: string }; resources?: { group?: string; kind: string; namespace?: string; name: string; status?: string }[] }>;

function diff() {
  return {
    async plan(ctx: TaskContext): Promise<Step[]> {
      const ns = ctx.flags.namespace as string;
      const name = ctx.flags.app as string;
      return [{
        title: `diff Argo CD Application ${ns}/${name}`,
        mutating: false,
        async run() {
          const app = await ctx.kubectl.get<App>(APP, name, ns);
          if (!app) throw new StepFailure(`no Application ${ns}/${name}`, `kubectl get applications -n ${ns}`, 2);
          const out = (app.status?.resources ?? []).filter((r) => r.status && r.status !== 'Synced');
          ctx.data.argo = { sync: app.status?.sync?.status ?? 'Unknown', outOfSync: out.map((r) => `${r.kind}/${r.namespace ?? ''}/${r.name}`) };
          ctx.out(out.length ? `Argo CD: ${out.length} resource(s) not Synced\n${table(['KIND', 'NAMESPACE', 'NAME', 'STATUS'], out.map((r) => [r.kind, r.namespace ?? '', r.name, r.status!]))}` : `Argo CD: ${app.status?.sync?.status ?? 'Unknown'}`);
          let local = 0;
          const path = app.spec?.source?.path;
          const dir = path !== undefined ? join(ctx.flags.path ? (ctx.flags.path as string) : join(await repoRoot(ctx), path)) : undefined;
          if (!dir) ctx.log.info('the source is a chart (no path): only Argo CD\'s own comparison applies');
          else if (!existsSync(dir)) ctx.log.warning(`${dir} is not here: no local comparison (--repo or --path)`);
          else {
            const dest = app.spec?.destination?.namespace;
            const objects = parseAllDocuments(await renderDir(ctx, dir)).map((d) => d.toJS() as KubeObject | null).filter((o): o is KubeObject => !!o?.kind).map((o) => {
              if (dest && !CLUSTER_SCOPED.has(o.kind!) && !o.metadata.namespace) o.metadata.namespace = dest;
              const group = o.apiVersion?.includes('/') ? o.apiVersion.split('/')[0] : '';
              o.metadata.annotations = { ...o.metadata.annotations, 'argocd.argoproj.io/tracking-id': `${name}:${group}/${o.kind}:${o.metadata.namespace ?? ''}/${o.metadata.name}` };
              return o;
            });
            const r = await ctx.exec.run(ctx.kubectl.argv(['diff', '--server-side', '--field-manager', 'argocd-controller', '--force-conflicts', '-f', '-']), { mutating: false, timeoutMs: 120_000, input: objects.map((o) => stringify(o)).join('---\n') });
            if (r.exitCode > 1) throw new StepFailure(`kubectl diff failed for ${dir}: ${ctx.exec.redactor.redact(r.stderr.trim().split('\n').pop() ?? '')}`, undefined, 2);
            if (r.stdout) ctx.out(ctx.exec.redactor.redact(r.stdout));
            local = r.exitCode;
            ctx.data.local = { path: dir, objects: objects.length, drift: r.exitCode === 1 };
          }
          if (out.length || local === 1) throw new StepFailure(`drift: Application ${ns}/${name}${out.length ? ` has ${out.length} resource(s) Argo CD reports not Synced` : ''}${local === 1 ? `${out.length ? ' and' : ''} the local files differ from the cluster` : ''}`, `npx tsx tasks argo:sync --app ${name}`, 1);
          ctx.out('no drift');
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'an Argo CD Application\'s drift: Argo CD\'s own OutOfSync resources, and the local path source against the cluster; exit 0/1/2',
  example: 'npx tsx tasks argo:diff --cluster home --app sonarr',
  flags: {
    app: { type: 'string', required: true, pattern: /^[a-z0-9][a-z0-9.-]*$/, hint: 'an Application name', description: 'the Application' },
    namespace: { type: 'string', default: 'argocd', pattern: /^[a-z0-9][a-z0-9-]*$/, hint: 'a namespace', description: 'the Application\'s namespace' },
    repo: { type: 'string', description: 'the repository root spec.source.path is relative to (default: the git work tree here)' },
    path: { type: 'string', description: 'compare this folder instead of spec.source.path' },
  },
  destructive: false,
  cluster: true,
  impl: diff,
});
