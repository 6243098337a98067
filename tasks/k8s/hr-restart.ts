// k8s:hr-restart — the community's fix for a HelmRelease stuck failed (helm-controller stops retrying after its
// remediation retries; a suspend and resume resets them: `flux suspend hr X && flux resume hr X` in many home-ops
// Taskfiles): suspend, resume, reconcile with one requestedAt value, and wait until Ready, with a deadline. One app's
// release (--app, --namespace) or every HelmRelease that is not Ready (--all-failed), dependencies first. Better than
// the recipe: only what is failing, the plan first, a release it suspended is always resumed (even on Ctrl-C), and a
// release that stays failed is named with helm-controller's own message.
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, UsageError, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { byKindName, refOf } from '../../lib/flux/kinds.ts';
import { getFlux, label, resume, suspend, SUSPENDED_BY } from '../../lib/flux/objects.ts';
import { dependsOnOrder } from '../../lib/flux/order.ts';
import { fluxObjects } from '../../lib/flux/ready.ts';
import { reconcileAndWait } from '../../lib/flux/wait.ts';

function hrRestart() {
  return {
    validate(ctx: TaskContext) {
      if (Boolean(ctx.flags.app) === Boolean(ctx.flags['all-failed'])) throw new UsageError('expected one of --app A (with --namespace) or --all-failed');
      if (ctx.flags.app && !ctx.flags.namespace) throw new UsageError('--app: expected --namespace too (the HelmRelease\'s namespace)');
    },
    async plan(ctx: TaskContext): Promise<Step[]> {
      const hr = byKindName('HelmRelease')!;
      const all = await fluxObjects(ctx, [hr], ctx.flags.namespace as string | undefined);
      const chosen = ctx.flags.app ? all.filter((x) => x.o.metadata.name === ctx.flags.app) : all.filter((x) => !x.state.ready && !x.state.suspended);
      if (ctx.flags.app && !chosen.length) throw new StepFailure(`no HelmRelease ${String(ctx.flags.namespace)}/${String(ctx.flags.app)}`, `kubectl get hr -n ${String(ctx.flags.namespace)}`);
      if (!chosen.length) { ctx.log.info('every HelmRelease is Ready (or suspended on purpose): nothing to restart'); return []; }
      const at = new Date().toISOString();
      const { ordered } = dependsOnOrder(chosen.map(({ o }) => ({ ref: refOf(hr, o.metadata.namespace!, o.metadata.name), o })));
      ctx.data.restarted = ordered.map(label);
      return ordered.map((ref) => {
        const reason = chosen.find((c) => c.o.metadata.name === ref.name && c.o.metadata.namespace === ref.namespace)?.state;
        return {
          title: `restart ${label(ref)}${reason && !reason.ready ? ` (${reason.reason})` : ''}: suspend, resume, wait until Ready`,
          async run() {
            await suspend(ctx.kubectl, ref, ctx.task);
            await resume(ctx.kubectl, ref);
            await reconcileAndWait(ctx, ref, at, ctx.flags.timeout as number);
          },
          // never left suspended: a suspend this run made (marked) is resumed whatever happened after it
          async cleanup() {
            const o = await getFlux(ctx.kubectl, ref);
            if (o?.spec?.suspend && o.metadata.annotations?.[SUSPENDED_BY] === ctx.task) await resume(ctx.kubectl, ref);
          },
          byHand: [`flux resume hr ${ref.name} -n ${ref.namespace}`],
        };
      });
    },
  };
}

export default defineTask({
  summary: 'restart a failed HelmRelease (suspend, resume, reconcile, wait Ready); --all-failed for every one not Ready',
  example: 'npx tsx tasks k8s:hr-restart --cluster home --all-failed',
  flags: {
    app: { type: 'string', pattern: /^[a-z0-9][a-z0-9.-]*$/, hint: 'a HelmRelease name', description: 'the app\'s HelmRelease' },
    namespace: { type: 'string', pattern: /^[a-z0-9][a-z0-9-]*$/, hint: 'a namespace', description: 'its namespace (with --all-failed: only there)' },
    'all-failed': { type: 'boolean', description: 'every HelmRelease that is not Ready and not suspended' },
    timeout: { type: 'duration', default: 5 * 60_000, description: 'deadline for each release to be Ready' },
  },
  destructive: true,
  cluster: true,
  impl: hrRestart,
});
