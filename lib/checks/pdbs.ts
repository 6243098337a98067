// PodDisruptionBudgets that would stop (or, with Talos <= 1.12, be silently ignored by) a drain: per node to be
// drained, every PDB that allows no disruption and selects a pod running there. Eviction honours a PDB only while
// disruptionsAllowed > 0 (kubernetes.io/docs/concepts/workloads/pods/disruptions/); Talos <= 1.12 gives up on a
// blocked eviction after its 5 minute cap and reboots anyway (siderolabs/talos#9882), >= 1.13 fails the drain and
// leaves the node cordoned (siderolabs/talos PR 13802).
import type { Check } from '../engine/types.ts';
import { condition, type Node, type Pod, type PodDisruptionBudget } from '../tools/kube-types.ts';
import type { Kubectl } from '../tools/kubectl.ts';

interface LabelSelector { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] }

/** metav1.LabelSelector semantics (apimachinery pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector): an empty
 *  selector matches everything, a missing one nothing. */
export function selects(sel: LabelSelector | undefined | null, labels: Record<string, string> = {}): boolean {
  if (!sel) return false;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const ok = e.operator === 'In' ? has && (e.values ?? []).includes(labels[e.key]!)
      : e.operator === 'NotIn' ? !has || !(e.values ?? []).includes(labels[e.key]!)
      : e.operator === 'Exists' ? has
      : e.operator === 'DoesNotExist' ? !has
      : false;
    if (!ok) return false;
  }
  return true;
}

type Pdb = PodDisruptionBudget & { spec?: { selector?: LabelSelector } };

/** Drain skips DaemonSet pods and pods that have finished (kubectl drain --ignore-daemonsets). */
function evicted(p: Pod): boolean {
  if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') return false;
  return !(p.metadata.ownerReferences ?? []).some((o) => o.kind === 'DaemonSet');
}

export interface PdbBlocker { node: string; pdb: string; pods: string[]; disruptionsAllowed: number }

/** Every (node, PDB) pair where draining the node would hit a PDB that allows no disruption. */
export async function pdbBlockers(kubectl: Kubectl, nodes: string[]): Promise<PdbBlocker[]> {
  const [pods, pdbs, nodeObjects] = await Promise.all([
    kubectl.list<Pod>('pods', { allNamespaces: true }),
    kubectl.list<Pdb>('poddisruptionbudgets.policy', { allNamespaces: true }),
    kubectl.list<Node>('nodes'),
  ]);
  // a node that is not Ready (already off, or broken) runs nothing a drain could disrupt
  const ready = new Set(nodeObjects.filter((n) => condition(n, 'Ready')?.status === 'True').map((n) => n.metadata.name));
  const out: PdbBlocker[] = [];
  for (const node of nodes.filter((n) => ready.has(n))) {
    const here = pods.filter((p) => p.spec?.nodeName === node && evicted(p));
    for (const pdb of pdbs) {
      if ((pdb.status?.disruptionsAllowed ?? 0) > 0) continue;
      const hit = here.filter((p) => p.metadata.namespace === pdb.metadata.namespace && selects(pdb.spec?.selector, p.metadata.labels));
      if (hit.length) out.push({ node, pdb: `${pdb.metadata.namespace}/${pdb.metadata.name}`, pods: hit.map((p) => p.metadata.name), disruptionsAllowed: pdb.status?.disruptionsAllowed ?? 0 });
    }
  }
  return out;
}

export function describeBlockers(b: PdbBlocker[]): string {
  return b.map((x) => `${x.node}: PDB ${x.pdb} allows ${x.disruptionsAllowed} disruption(s) of ${x.pods.join(', ')}`).join('; ');
}

/** Preflight: refuse (or, with --ignore-pdbs, warn) when a node to be drained runs a pod no PDB lets go. */
export function drainAllowedByPdbs(nodes: () => string[], o: { ignore: boolean; what: string }): Check {
  return {
    name: 'no PodDisruptionBudget blocks the drain',
    async run(ctx) {
      const b = await pdbBlockers(ctx.kubectl, nodes());
      if (!b.length) return { ok: true, message: `no PDB blocks draining ${nodes().join(', ')}` };
      const message = `${describeBlockers(b)} (${o.what})`;
      if (o.ignore) return { ok: false, warning: true, message: `--ignore-pdbs: ${message}` };
      return { ok: false, message, remedy: 'scale the workload up (or relax the PDB) so it allows a disruption, then re-run; or --ignore-pdbs to go ahead anyway' };
    },
  };
}
