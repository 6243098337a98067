// The last bootstrap stages: `flux check` (controllers and CRDs installed by flux-operator/flux-instance), then the
// first reconcile of the root Kustomization from its source; postflight: every Flux Kustomization Ready.
import type { Check, Step, TaskContext } from '../engine/types.ts';
import { KS } from '../flux/objects.ts';
import { Flux } from '../tools/flux.ts';
import type { Condition, KubeObject } from '../tools/kube-types.ts';

type Kustomization = KubeObject<{ suspend?: boolean }, { conditions?: Condition[]; lastAppliedRevision?: string }>;
const isReady = (k: Kustomization) => k.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const kustomizations = (ctx: TaskContext) => ctx.kubectl.list<Kustomization>(KS, { allNamespaces: true }).catch(() => [] as Kustomization[]);

const fluxFor = (ctx: TaskContext) => new Flux(ctx.exec, { kubeconfig: ctx.cluster.kubeconfig, context: ctx.cluster.context });

export function fluxSteps(ctx: TaskContext, root = { name: 'flux-system', namespace: 'flux-system' }): Step[] {
  const flux = fluxFor(ctx);
  const rootReady = async () => {
    const ks = (await kustomizations(ctx)).find((k) => k.metadata.name === root.name && k.metadata.namespace === root.namespace);
    return ks && isReady(ks) && ks.status?.lastAppliedRevision ? `Kustomization ${root.namespace}/${root.name} is Ready at ${ks.status.lastAppliedRevision}` : false;
  };
  return [{
    title: 'flux check (controllers, CRDs, prerequisites)',
    mutating: false,
    isDone: rootReady,
    async run(rt) {
      if (ctx.dryRun) return;
      await flux.check(ctx.flags.timeout as number);
      rt.output('all checks passed');
    },
  }, {
    title: `first reconcile: flux reconcile kustomization ${root.name} --with-source`,
    isDone: rootReady,
    async run() {
      await flux.reconcile('kustomization', root.name, root.namespace, { withSource: true, timeoutMs: ctx.flags.timeout as number });
    },
  }];
}

export const fluxKustomizationsReady: Check = {
  name: 'every Flux Kustomization is Ready',
  async run(ctx) {
    const all = await kustomizations(ctx);
    const bad = all.filter((k) => !isReady(k));
    if (!all.length) return { ok: false, message: 'no Flux Kustomization exists', remedy: 'kubectl get kustomizations -A; flux check' };
    return bad.length
      ? { ok: false, message: `not Ready: ${bad.map((k) => `${k.metadata.namespace}/${k.metadata.name}`).join(', ')}`, remedy: `flux get kustomizations -A; flux reconcile kustomization ${bad[0]!.metadata.name} -n ${bad[0]!.metadata.namespace} --with-source` }
      : { ok: true, message: `${all.length} Kustomization(s) Ready` };
  },
};
