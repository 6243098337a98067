// flux:hr-restart — every HelmRelease that is not Ready (or the one named) gets the community's fix, suspend then
// resume with a reconcile request (the `flux suspend hr X && flux resume hr X` of many home-ops Taskfiles), and is
// waited for until Ready, with a deadline. Better than the recipe: it only touches what is failing, shows the plan
// first, --dry-run changes nothing, and a release it suspended is always resumed, even after Ctrl-C.
// Fields: helm.toolkit.fluxcd.io/v2 spec.suspend, metadata.annotations reconcile.fluxcd.io/requestedAt,
// status.conditions[type=Ready] (fluxcd/helm-controller api/v2).
import { defineTask, StepFailure, waitUntil } from 'rackhand';

const HR = 'helmreleases.helm.toolkit.fluxcd.io';
const ready = (hr) => hr.status?.conditions?.find((c) => c.type === 'Ready');

export default defineTask({
  summary: 'restart failed HelmReleases (suspend, resume, reconcile) and wait until Ready',
  example: 'npx tsx tasks flux:hr-restart --cluster home',
  flags: {
    name: { type: 'string', description: 'only this HelmRelease (namespace/name)', pattern: /^[a-z0-9-]+\/[a-z0-9.-]+$/, hint: 'namespace/name' },
    timeout: { type: 'duration', description: 'deadline for each release to be Ready', default: 300_000 },
  },
  destructive: true,
  cluster: true,
  impl: () => ({
    async plan(ctx) {
      const k = ['--kubeconfig', ctx.cluster.kubeconfig, '--context', ctx.cluster.context];
      const items = (await ctx.$`kubectl ${k} get ${HR} --all-namespaces -o json`).json().items;
      // one the operator suspended stays alone unless named
      const failing = items.filter((hr) => (ctx.flags.name ? `${hr.metadata.namespace}/${hr.metadata.name}` === ctx.flags.name : !hr.spec?.suspend && ready(hr)?.status !== 'True'));
      if (ctx.flags.name && !failing.length) throw new StepFailure(`no HelmRelease ${ctx.flags.name}`, 'kubectl get hr -A');
      return failing.map((hr) => {
        const { namespace: ns, name } = hr.metadata;
        const patch = (suspend) => ctx.$.mutating`kubectl ${k} patch ${HR} ${name} -n ${ns} --type merge -p ${JSON.stringify({ spec: { suspend }, metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': new Date().toISOString() } } })}`;
        return {
          title: `restart HelmRelease ${ns}/${name} (${ready(hr)?.reason ?? 'not Ready'})`,
          cleanup: () => patch(false).then(() => undefined), // never leave it suspended
          byHand: [`flux resume hr ${name} -n ${ns}`],
          async run(rt) {
            await patch(true);
            await patch(false);
            if (ctx.dryRun) return;
            await waitUntil({
              what: `HelmRelease ${ns}/${name} to be Ready`, timeoutMs: ctx.flags.timeout, intervalMs: 1000, signal: ctx.signal,
              probe: async () => {
                const c = ready((await ctx.$`kubectl ${k} get ${HR} ${name} -n ${ns} -o json`).json());
                return c?.status === 'True' ? { done: true, value: c.message } : { done: false, seen: c?.reason ?? 'no Ready condition' };
              },
            }).then((m) => rt.output(m));
          },
        };
      });
    },
  }),
});
