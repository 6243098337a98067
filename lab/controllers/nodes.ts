// Nodes: the kubelet's Ready condition plus the node lifecycle controller's not-ready/unreachable taints
// (pkg/controller/nodelifecycle/node_lifecycle_controller.go). Faults: setReady(node, false) holds a node NotReady;
// reboot(node, ms) makes it unreachable (Ready Unknown) for ms, then Ready again with a new bootID.
// setNetworkReady(false): no CNI yet (a freshly bootstrapped cluster), every node is NotReady until a CNI is installed.
import { randomUUID } from 'node:crypto';
import { errors } from '../store/errors.js';
import type { KObject } from '../store/types.js';
import type { Controller, ControllerContext } from './types.js';
import { setCondition, writeStatus } from './util.js';

const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

export class NodeController implements Controller {
  readonly name = 'nodes';
  private readonly forcedNotReady = new Set<string>();
  private readonly rebooting = new Map<string, { done: () => void }>();
  private readonly seen = new Map<string, { ready: string; unschedulable: boolean }>();
  private readonly waiters = new Map<string, (() => void)[]>();
  private networkReady = true;

  constructor(private readonly ctx: ControllerContext) {}

  setReady(node: string, ready: boolean): void {
    this.ctx.store.get('nodes', undefined, node); // NotFound for an unknown node
    if (ready) this.forcedNotReady.delete(node);
    else this.forcedNotReady.add(node);
    this.ctx.requestSync();
  }

  /** false: the container runtime has no CNI config, every kubelet reports NotReady (pkg/kubelet/kubelet_node_status.go) */
  setNetworkReady(ready: boolean): void {
    this.networkReady = ready;
    this.ctx.requestSync();
  }

  /** Resolves once the node reports Ready again (or at once if the reboot is cut short by stop()). */
  reboot(node: string, ms = this.ctx.options.rebootMs): Promise<void> {
    this.ctx.store.get('nodes', undefined, node);
    if (this.rebooting.has(node)) throw errors.conflict({ group: '', resource: 'nodes', name: node }, 'the node is already rebooting');
    this.ctx.record('node-reboot-start', node, `${ms}ms`);
    return new Promise((resolve) => {
      const cancel = this.ctx.clock.after(ms, () => {
        this.rebooting.delete(node);
        const n = this.ctx.store.get('nodes', undefined, node);
        this.ctx.store.update('nodes', { ...n, status: { ...n.status, nodeInfo: { ...n.status?.nodeInfo, bootID: randomUUID() } } }, { subresource: 'status' });
        this.ctx.record('node-reboot-end', node);
        this.waiters.set(node, [...(this.waiters.get(node) ?? []), resolve]);
        this.ctx.requestSync();
      });
      this.rebooting.set(node, { done: () => { cancel(); resolve(); } });
      this.ctx.requestSync();
    });
  }

  isRebooting(node: string): boolean {
    return this.rebooting.has(node);
  }

  stop(): void {
    for (const r of this.rebooting.values()) r.done();
    for (const ws of this.waiters.values()) for (const w of ws) w();
  }

  reconcile(): void {
    const now = this.ctx.clock.now();
    for (const n of this.ctx.store.list('nodes').items) {
      const name = n.metadata.name!;
      const cond = this.rebooting.has(name)
        ? { type: 'Ready', status: 'Unknown' as const, reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }
        : !this.networkReady
          // the kubelet's runtime-network error as containerd reports it before any CNI config exists (recalled: approximate)
          ? { type: 'Ready', status: 'False' as const, reason: 'KubeletNotReady', message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized' }
        : this.forcedNotReady.has(name)
          ? { type: 'Ready', status: 'False' as const, reason: 'KubeletNotReady', message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady' }
          : { type: 'Ready', status: 'True' as const, reason: 'KubeletReady', message: 'kubelet is posting ready status' };
      const conditions = setCondition(n.status?.conditions, { ...cond, lastHeartbeatTime: n.status?.conditions?.find((c: any) => c.type === 'Ready')?.lastHeartbeatTime }, now);
      const stored = writeStatus(this.ctx.store, 'nodes', n, { ...n.status, conditions });
      this.syncTaints(stored, cond.status);
      this.observe(stored, cond.status);
    }
  }

  /** NoSchedule taints for a NotReady (False) or unreachable (Unknown) node, removed when Ready */
  private syncTaints(n: KObject, status: string): void {
    const taints: any[] = (n.spec?.taints ?? []).filter((t: any) => t.key !== NOT_READY && t.key !== UNREACHABLE);
    if (status === 'False') taints.push({ key: NOT_READY, effect: 'NoSchedule' });
    if (status === 'Unknown') taints.push({ key: UNREACHABLE, effect: 'NoSchedule' });
    const before = JSON.stringify(n.spec?.taints ?? []);
    if (before === JSON.stringify(taints)) return;
    const spec = { ...n.spec };
    if (taints.length) spec.taints = taints;
    else delete spec.taints;
    this.ctx.store.update('nodes', { ...n, spec });
  }

  private observe(n: KObject, ready: string): void {
    const name = n.metadata.name!;
    const unschedulable = !!n.spec?.unschedulable;
    const prev = this.seen.get(name);
    if (prev && prev.ready !== ready) this.ctx.record(ready === 'True' ? 'node-ready' : 'node-not-ready', name, ready);
    if (prev && prev.unschedulable !== unschedulable) this.ctx.record(unschedulable ? 'node-cordoned' : 'node-uncordoned', name);
    this.seen.set(name, { ready, unschedulable });
    if (ready === 'True') {
      for (const w of this.waiters.get(name) ?? []) w();
      this.waiters.delete(name);
    }
  }
}
