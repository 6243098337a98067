// Rolling node upgrades, independent of the distribution: control planes first, one at a time, then workers one
// at a time; nodes already at the target are skipped (with the reason); the first node that fails stops the rollout
// and later nodes are untouched. A distribution plugs in a NodeUpgradeDriver (Talos now, k3s next).
import type { NodeConfig } from '../config.ts';
import { StepFailure, type Step, type StepRuntime } from '../engine/types.ts';
import { WaitTimeout } from '../wait.ts';

export interface NodeUpgradeDriver {
  /** Running version per node name; a node that did not answer is absent. */
  observe(nodes: NodeConfig[]): Promise<Map<string, string>>;
  /** Why a node already at the target still needs the upgrade (Talos: another schematic), else undefined. */
  pendingChange?(node: NodeConfig): string | undefined;
  /** Work to do once before the first control plane is touched (Talos: an etcd snapshot). */
  beforeControlPlanes?(): Step;
  /** Upgrades one node and waits for every gate (down, Ready, version, etcd, machine status), each with a deadline. */
  upgrade(node: NodeConfig, rt: StepRuntime): Promise<void>;
  /** Puts back what an upgrade of this node that did not finish left behind (k3s: the cordon rackhand set). */
  cleanup?(node: NodeConfig): Promise<void>;
  /** The commands that finish the cleanup by hand when it could not run. */
  byHand?(node: NodeConfig): string[];
}

export interface RolloutPlan {
  nodes: NodeConfig[];
  target: string;
  driver: NodeUpgradeDriver;
  /** The exact command that resumes the rollout (named in every failure). */
  resumeCommand: string;
  /** control planes first (upgrades, the default) or workers first (a downgrade: a kubelet is never newer than its
   *  API server, kubernetes.io/releases/version-skew-policy) */
  order?: 'control-planes-first' | 'workers-first';
}

/** Control planes first, in config order, then workers in config order. */
export function rolloutOrder(nodes: NodeConfig[]): NodeConfig[] {
  return [...nodes.filter((n) => n.role === 'controlplane'), ...nodes.filter((n) => n.role === 'worker')];
}

export async function rollingSteps(p: RolloutPlan): Promise<Step[]> {
  const observed = await p.driver.observe(p.nodes);
  const ordered = p.order === 'workers-first' ? [...rolloutOrder(p.nodes).filter((n) => n.role === 'worker'), ...rolloutOrder(p.nodes).filter((n) => n.role === 'controlplane')] : rolloutOrder(p.nodes);
  const due = (n: NodeConfig) => observed.get(n.name) !== p.target || p.driver.pendingChange?.(n) !== undefined;
  const pendingCp = ordered.some((n) => n.role === 'controlplane' && due(n));
  const steps: Step[] = [];
  if (pendingCp && p.driver.beforeControlPlanes) steps.push(p.driver.beforeControlPlanes());
  for (const node of ordered) {
    const running = observed.get(node.name);
    const change = running === p.target ? p.driver.pendingChange?.(node) : undefined;
    const from = running === p.target ? (change ? ` (same version; ${change})` : '') : ` (from ${running ?? 'an unknown version'})`;
    steps.push({
      title: `upgrade ${node.role === 'controlplane' ? 'control plane' : 'worker'} ${node.name} to ${p.target}${from}`,
      isDone: async () => (running === p.target && !change ? `${node.name} already runs ${p.target}` : false),
      ...(p.driver.cleanup ? { cleanup: () => p.driver.cleanup!(node) } : {}),
      ...(p.driver.byHand ? { byHand: p.driver.byHand(node) } : {}),
      async run(rt) {
        try {
          await p.driver.upgrade(node, rt);
        } catch (err) {
          const what = err instanceof WaitTimeout ? err.message : (err as Error).message;
          const first = err instanceof StepFailure && err.remedy ? `${err.remedy}; then resume: ` : '';
          throw new StepFailure(`node ${node.name}: ${what}; later nodes were not touched`, `${first}${p.resumeCommand}`);
        }
      },
    });
  }
  return steps;
}
