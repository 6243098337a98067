// Every configured node exists in the cluster and is Ready: maintenance on a sick cluster makes it sicker.
import { summariseNode } from '../cluster-state.ts';
import type { Check } from '../engine/types.ts';
import type { Node } from '../tools/kube-types.ts';

export const nodesReady: Check = {
  name: 'all nodes Ready',
  async run(ctx) {
    const nodes = (await ctx.kubectl.list<Node>('nodes')).map((n) => summariseNode(n, ctx.cluster));
    const missing = ctx.cluster.nodes.filter((c) => !nodes.some((n) => n.name === c.name)).map((c) => c.name);
    if (missing.length) return { ok: false, message: `configured but not in the cluster: ${missing.join(', ')}`, remedy: 'kubectl get nodes (and fix rackhand.yaml nodes[].name)' };
    const bad = nodes.filter((n) => !n.ready).map((n) => n.name);
    if (bad.length) return { ok: false, message: `not Ready: ${bad.join(', ')}`, remedy: `kubectl describe node ${bad[0]}` };
    return { ok: true, message: `${nodes.length} nodes Ready` };
  },
};
