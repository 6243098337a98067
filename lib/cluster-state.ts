// One read of what an operator looks at first: nodes, pods that are not healthy, PDBs that block disruption.
// Pure summarisers over kubectl's JSON so checks and the status table share one interpretation.
import type { ClusterConfig } from './config.ts';
import { condition, type Node, type Pod, type PodDisruptionBudget } from './tools/kube-types.ts';
import type { Kubectl } from './tools/kubectl.ts';

export interface NodeSummary {
  name: string;
  role: 'controlplane' | 'worker';
  ready: boolean;
  schedulable: boolean;
  kubelet: string;
  os: string;
  address: string;
}
export interface PodProblem { namespace: string; name: string; phase: string; node: string; reason: string }
export interface PdbBlock { namespace: string; name: string; currentHealthy: number; desiredHealthy: number; disruptionsAllowed: number }

export interface ClusterState { nodes: NodeSummary[]; unhealthyPods: PodProblem[]; blockingPdbs: PdbBlock[] }

// Control-plane label: kubernetes/kubernetes cmd/kubeadm/app/constants (node-role.kubernetes.io/control-plane).
const CP_LABEL = 'node-role.kubernetes.io/control-plane';

export function summariseNode(n: Node, cluster?: ClusterConfig): NodeSummary {
  const configured = cluster?.nodes.find((c) => c.name === n.metadata.name);
  const labels = n.metadata.labels ?? {};
  return {
    name: n.metadata.name,
    role: CP_LABEL in labels || configured?.role === 'controlplane' ? 'controlplane' : 'worker',
    ready: condition(n, 'Ready')?.status === 'True',
    schedulable: !n.spec?.unschedulable,
    kubelet: n.status?.nodeInfo?.kubeletVersion ?? '',
    os: n.status?.nodeInfo?.osImage ?? '',
    address: n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? configured?.address ?? '',
  };
}

export function podProblem(p: Pod): PodProblem | undefined {
  const phase = p.status?.phase ?? 'Unknown';
  if (phase === 'Succeeded') return undefined;
  const waiting = p.status?.containerStatuses?.map((c) => Object.values(c.state ?? {})[0]?.reason).find(Boolean);
  const notReady = phase === 'Running' && condition(p, 'Ready')?.status !== 'True';
  if (phase === 'Running' && !notReady) return undefined;
  return {
    namespace: p.metadata.namespace ?? '', name: p.metadata.name, phase: notReady ? 'Running (not ready)' : phase,
    node: p.spec?.nodeName ?? '', reason: waiting ?? p.status?.reason ?? condition(p, 'Ready')?.reason ?? '',
  };
}

export function pdbBlock(p: PodDisruptionBudget): PdbBlock | undefined {
  const s = p.status ?? {};
  if ((s.disruptionsAllowed ?? 0) > 0) return undefined;
  return { namespace: p.metadata.namespace ?? '', name: p.metadata.name, currentHealthy: s.currentHealthy ?? 0, desiredHealthy: s.desiredHealthy ?? 0, disruptionsAllowed: s.disruptionsAllowed ?? 0 };
}

export async function readClusterState(kubectl: Kubectl, cluster?: ClusterConfig): Promise<ClusterState> {
  const [nodes, pods, pdbs] = await Promise.all([
    kubectl.list<Node>('nodes'),
    kubectl.list<Pod>('pods', { allNamespaces: true }),
    kubectl.list<PodDisruptionBudget>('poddisruptionbudgets', { allNamespaces: true }),
  ]);
  const byName = (a: { name: string }, b: { name: string }): number => a.name.localeCompare(b.name);
  return {
    nodes: nodes.map((n) => summariseNode(n, cluster)).sort((a, b) => (a.role === b.role ? byName(a, b) : a.role === 'controlplane' ? -1 : 1)),
    unhealthyPods: pods.map(podProblem).filter((p): p is PodProblem => p !== undefined),
    blockingPdbs: pdbs.map(pdbBlock).filter((p): p is PdbBlock => p !== undefined),
  };
}
