// k8s:sync — one front door for the three "sync now" recipes of home-ops Taskfiles (sync-hr, sync-ks, sync-es):
// --kind hr|ks|es with --name [NS/]NAME, --app A or --all. HelmReleases and Kustomizations go through flux:reconcile
// (one requestedAt per run, waited for until Ready at their new generation), ExternalSecrets through
// k8s:sync-secrets (ESO's force-sync annotation, waited for SecretSynced); each keeps its own run record. Better than
// `kubectl annotate ... reconcile.fluxcd.io/requestedAt="$(date +%s)" --all`: a wait with a deadline, and the objects
// that did not come back Ready named.
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, UsageError, type Step, type TaskContext } from '../../lib/engine/types.ts';

function sync() {
  return {
    validate(ctx: TaskContext) {
      const chosen = [ctx.flags.name, ctx.flags.app, ctx.flags.all].filter((v) => v !== undefined && v !== false).length;
      if (chosen !== 1) throw new UsageError('expected one of --name [NS/]NAME, --app A or --all');
      if (ctx.flags.kind === 'es' && ctx.flags.name) throw new UsageError('--kind es: use --app A (with --namespace) or --all');
    },
    async plan(ctx: TaskContext): Promise<Step[]> {
      const f = ctx.flags;
      const common = [...(f.namespace ? ['--namespace', f.namespace as string] : []), '--timeout', `${Math.ceil((f.timeout as number) / 1000)}s`, ...(f['dry-run'] ? ['--dry-run'] : [])];
      const [task, argv] = f.kind === 'es'
        ? ['k8s:sync-secrets', [...(f.app ? ['--app', f.app as string] : ['--all']), ...common]] as const
        : ['flux:reconcile', [...(f.name ? ['--kind', f.kind as string, '--name', f.name as string] : f.app ? ['--app', f.app as string] : ['--all']), ...common]] as const;
      return [{
        title: `${task} ${argv.join(' ')}`,
        mutating: false,
        async run() {
          const rec = await ctx.runTask(task, [...argv, '--cluster', ctx.cluster.name]);
          ctx.data.record = rec.recordPath;
          if (rec.exitCode !== 0) throw new StepFailure(`${task} exited ${rec.exitCode}: ${rec.error?.message ?? 'see its run record'}`, rec.recordPath ? `its run record: ${rec.recordPath}` : undefined);
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'sync HelmReleases, Kustomizations (flux:reconcile) or ExternalSecrets (k8s:sync-secrets) now: one, an app\'s, or all',
  example: 'npx tsx tasks k8s:sync --cluster home --kind hr --all',
  flags: {
    kind: { type: 'string', required: true, choices: ['hr', 'ks', 'es'], description: 'HelmRelease, Kustomization or ExternalSecret' },
    name: { type: 'string', pattern: /^([a-z0-9][a-z0-9-]*\/)?[a-z0-9][a-z0-9.-]*$/, hint: 'NAME or NAMESPACE/NAME', description: 'one object (hr, ks)' },
    app: { type: 'string', pattern: /^[a-z0-9][a-z0-9.-]*$/, hint: 'an app name', description: 'the app\'s objects' },
    all: { type: 'boolean', description: 'every one (in --namespace when given)' },
    namespace: { type: 'string', pattern: /^[a-z0-9][a-z0-9-]*$/, hint: 'a namespace', description: 'the namespace' },
    timeout: { type: 'duration', default: 5 * 60_000, description: 'deadline for each to be Ready / synced' },
  },
  destructive: false,
  cluster: true,
  impl: sync,
});
