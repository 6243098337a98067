// cluster:status — the first look before any maintenance: every node's role, readiness, schedulability and
// versions; pods that are not Running/Succeeded; PDBs that currently allow no disruption. Read-only.
// Configured nodes the cluster does not have are named (with the FQDN/short-name mismatch explained), as are nodes
// rackhand.yaml does not list. Exit 0 when healthy, 1 when a configured node is missing or not Ready or a pod is
// unhealthy (a blocking PDB alone is reported, not failed: it only matters once something is drained).
import { readClusterState, type ClusterState } from '../../lib/cluster-state.ts';
import type { Check, TaskContext, TaskImpl } from '../../lib/engine/types.ts';
import { table } from '../../lib/table.ts';
import { missingNodes } from '../../lib/checks/nodes.ts';
import { defineTask } from '../../lib/engine/define.ts';

function render(s: ClusterState, missing: string[], unknown: string[]): string {
  const out = [table(['NODE', 'ROLE', 'READY', 'SCHEDULABLE', 'KUBELET', 'OS', 'ADDRESS'],
    s.nodes.map((n) => [n.name, n.role, n.ready ? 'yes' : 'NO', n.schedulable ? 'yes' : 'no (cordoned)', n.kubelet, n.os || '-', n.address]))];
  out.push('', s.unhealthyPods.length === 0 ? 'Pods: all Running or Succeeded'
    : `Pods not healthy (${s.unhealthyPods.length}):\n${table(['NAMESPACE', 'POD', 'PHASE', 'NODE', 'REASON'],
      s.unhealthyPods.map((p) => [p.namespace, p.name, p.phase, p.node || '-', p.reason || '-']))}`);
  out.push('', s.blockingPdbs.length === 0 ? 'PodDisruptionBudgets: all allow a disruption'
    : `PodDisruptionBudgets allowing no disruption (${s.blockingPdbs.length}):\n${table(['NAMESPACE', 'PDB', 'HEALTHY', 'NEEDED'],
      s.blockingPdbs.map((p) => [p.namespace, p.name, String(p.currentHealthy), String(p.desiredHealthy)]))}`);
  if (missing.length) out.push('', `Configured in rackhand.yaml but not in the cluster:\n${missing.map((m) => `  ${m}`).join('\n')}`);
  if (unknown.length) out.push('', `In the cluster but not in rackhand.yaml: ${unknown.join(', ')}`);
  return `${out.join('\n')}\n`;
}

function clusterStatus(): TaskImpl {
  let state: ClusterState | undefined;
  const observed = (): ClusterState => {
    if (!state) throw new Error('cluster state was not read');
    return state;
  };
  let missing: string[] = [];
  const nodesReady: Check = {
    name: 'nodes Ready',
    async run() {
      if (missing.length) return { ok: false, message: `configured but not in the cluster: ${missing.join(', ')}`, remedy: 'kubectl get nodes (and fix rackhand.yaml nodes[].name)' };
      const bad = observed().nodes.filter((n) => !n.ready);
      return bad.length === 0 ? { ok: true, message: `${observed().nodes.length} nodes Ready` }
        : { ok: false, message: `not Ready: ${bad.map((n) => n.name).join(', ')}`, remedy: `kubectl describe node ${bad[0]!.name}` };
    },
  };
  const podsHealthy: Check = {
    name: 'pods healthy',
    async run() {
      const bad = observed().unhealthyPods;
      return bad.length === 0 ? { ok: true, message: 'all pods Running or Succeeded' }
        : { ok: false, message: `${bad.length} pod(s) not healthy: ${bad.slice(0, 5).map((p) => `${p.namespace}/${p.name}`).join(', ')}`, remedy: `kubectl describe pod -n ${bad[0]!.namespace} ${bad[0]!.name}` };
    },
  };
  return {
    async plan(ctx: TaskContext) {
      return [{
        title: `read the state of cluster ${ctx.cluster.name}`,
        mutating: false,
        async run() {
          state = await readClusterState(ctx.kubectl, ctx.cluster);
          const names = state.nodes.map((n) => n.name);
          missing = missingNodes(ctx.cluster.nodes, names);
          const unknown = names.filter((n) => !ctx.cluster.nodes.some((c) => c.name === n));
          Object.assign(ctx.data, state, { missingNodes: missing, unconfiguredNodes: unknown, healthy: state.nodes.every((n) => n.ready) && state.unhealthyPods.length === 0 && !missing.length });
          ctx.out(render(state, missing, unknown));
        },
      }];
    },
    postflight: () => [nodesReady, podsHealthy],
  };
}

export default defineTask({
  summary: 'per-node role, readiness and versions; unhealthy pods; PDBs that allow no disruption',
  description: 'Read-only. Exit 0 when every node is Ready and every pod Running or Succeeded, 1 otherwise.',
  example: 'npx tsx tasks cluster:status --cluster lab',
  flags: {},
  destructive: false,
  cluster: true,
  impl: clusterStatus,
});
