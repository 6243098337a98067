// Taking one node out of scheduling for maintenance, the way every rolling task here does it: cordon (only a node
// that was schedulable, so a run never uncordons a node an operator cordoned), then `kubectl drain` with PDBs
// respected and a deadline (lib/tools/kubectl.ts). The caller remembers what it cordoned and uncordons only that.
import type { Node } from '../tools/kube-types.ts';
import { StepFailure, type TaskContext } from '../engine/types.ts';

/** on a node node:drain cordoned: which task and when (node:uncordon reads and removes it) */
export const CORDONED_BY = 'rackhand.dev/cordoned-by';

export interface Cordon { node: string; byUs: boolean }

/** Cordons (when schedulable) and drains; on a drain failure the error names the PDBs and pods to look at. The
 *  returned Cordon says whether this run cordoned it (undo with uncordonOurs, also from a cleanup). */
export async function cordonAndDrain(ctx: TaskContext, node: string, drainTimeoutMs: number, remember: (c: Cordon) => void = () => undefined): Promise<Cordon> {
  const k = ctx.kubectl;
  const before = await k.get<Node>('nodes', node);
  const c: Cordon = { node, byUs: !before?.spec?.unschedulable };
  remember(c);
  if (c.byUs) await k.cordon(node);
  const drained = await k.drain(node, drainTimeoutMs).catch((err: Error) => err);
  if (drained instanceof Error) {
    throw new StepFailure(`drain of ${node} did not finish: ${drained.message.split('\n').slice(-2).join(' ')}`, `kubectl get pdb -A; kubectl get pods -A --field-selector spec.nodeName=${node}`);
  }
  return c;
}

export async function uncordonOurs(ctx: TaskContext, c: Cordon | undefined): Promise<void> {
  if (!c?.byUs) return;
  await ctx.kubectl.uncordon(c.node);
  c.byUs = false;
}
