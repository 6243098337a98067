// Every configured node exists in the cluster and is Ready: maintenance on a sick cluster makes it sicker.
import { summariseNode } from '../cluster-state.ts';
import type { Check } from '../engine/types.ts';
import type { Node } from '../tools/kube-types.ts';
import type { NodeConfig } from '../config/schema.ts';

/**
 * Configured nodes the cluster does not have, each explained when the cluster has it under its short or full name
 * (Talos registers the short hostname unless machine.kubelet.registerWithFQDN; talos.dev v1alpha1 KubeletConfig).
 */
export function missingNodes(configured: NodeConfig[], registered: string[]): string[] {
  return configured.filter((c) => !registered.includes(c.name)).map((c) => {
    const short = c.name.split('.')[0]!;
    const full = registered.find((r) => r !== c.name && (r === short || r.split('.')[0] === c.name));
    return full ? `${c.name} (the cluster has ${full}: ${full.includes('.') ? 'the node registers its FQDN (registerWithFQDN: true)' : 'Talos registers the short hostname unless machine.kubelet.registerWithFQDN is set'}; name it ${full} in rackhand.yaml)` : c.name;
  });
}

export const nodesReady: Check = {
  name: 'all nodes Ready',
  async run(ctx) {
    const nodes = (await ctx.kubectl.list<Node>('nodes')).map((n) => summariseNode(n, ctx.cluster));
    const missing = missingNodes(ctx.cluster.nodes, nodes.map((n) => n.name));
    if (missing.length) return { ok: false, message: `configured but not in the cluster: ${missing.join(', ')}`, remedy: 'kubectl get nodes (and fix rackhand.yaml nodes[].name)' };
    const bad = nodes.filter((n) => !n.ready).map((n) => n.name);
    if (bad.length) return { ok: false, message: `not Ready: ${bad.join(', ')}`, remedy: `kubectl describe node ${bad[0]}` };
    return { ok: true, message: `${nodes.length} nodes Ready` };
  },
};
