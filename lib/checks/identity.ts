// The kubeconfig context rackhand will use must point at the API server the config names: a wrong context is how
// an operator upgrades the wrong cluster.
import type { Check, Identity, TaskContext } from '../engine/types.ts';

function normalise(url: string): string { return url.replace(/\/+$/, '').toLowerCase(); }

export async function readIdentity(ctx: TaskContext): Promise<Identity> {
  const view = await ctx.kubectl.configView();
  return { cluster: ctx.cluster.name, context: view.context || ctx.cluster.context, apiServer: view.server, nodes: ctx.cluster.nodes.map((n) => n.name) };
}

export const identityMatchesConfig: Check = {
  name: 'cluster identity matches config',
  async run(ctx) {
    const c = ctx.cluster;
    let view;
    try {
      view = await ctx.kubectl.configView();
    } catch (err) {
      return { ok: false, message: `kubeconfig ${c.kubeconfig} has no usable context ${c.context}: ${(err as Error).message}`, remedy: `kubectl --kubeconfig ${c.kubeconfig} config get-contexts` };
    }
    if (view.context !== c.context) {
      return { ok: false, message: `kubeconfig ${c.kubeconfig} has no context ${c.context}`, remedy: `kubectl --kubeconfig ${c.kubeconfig} config get-contexts` };
    }
    if (normalise(view.server) !== normalise(c.apiServer)) {
      return {
        ok: false,
        message: `context ${c.context} points at ${view.server}, but cluster ${c.name} in ${c.source} is ${c.apiServer}`,
        remedy: `fix clusters.${c.name}.apiServer or the kubeconfig, then re-run`,
      };
    }
    return { ok: true, message: `context ${c.context} -> ${view.server}` };
  },
};
