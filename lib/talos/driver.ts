// The Talos node-upgrade driver for lib/rollout: `talosctl upgrade` with the flags right for the talosctl
// generation, then the gates. rackhand never `kubectl cordon`s a Talos node: up to v1.12 the node cordons and drains
// itself (and only uncordons nodes it cordoned), from v1.13 talosctl does (cli-facts.md "Talos drain").
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describeBlockers, pdbBlockers } from '../checks/pdbs.ts';
import { StepFailure } from '../engine/types.ts';
import type { Node } from '../tools/kube-types.ts';
import { formatBytes } from '../patterns.ts';
import { registerMachineConfigPatterns } from './machine-config.ts';
import type { ClusterConfig, NodeConfig } from '../config.ts';
import { UsageError, type Step, type TaskContext } from '../engine/types.ts';
import type { NodeUpgradeDriver } from '../rollout/rolling.ts';
import { Talosctl, upgradeGeneration, type UpgradeGeneration } from '../tools/talosctl.ts';
import { formatDuration } from '../patterns.ts';
import { allOrNothing } from '../wait.ts';
import { backReady, bootId, etcdHealthy, machineReady, reportsVersion, wentDown, type GateContext } from './gates.ts';
import { takeEtcdSnapshot } from './snapshot.ts';

export interface TalosDriverOptions {
  /** why a node at the target version still gets the installer (its schematic changes) */
  pendingChange?: (node: NodeConfig) => string | undefined;
  /** the installer each node upgrades to (its own schematic where it has one) */
  imageFor: (node: NodeConfig) => string;
  target: string;
  rebootMode: 'default' | 'powercycle';
  timeoutPerNodeMs: number;
  drainTimeoutMs: number;
  clientVersion: string;
  pollMs?: number;
}

/** Talos tasks refuse other distributions before anything runs (exit 2). */
export function requireTalos(ctx: TaskContext): void {
  const c = ctx.cluster;
  if (c.distribution !== 'talos') throw new UsageError(`--cluster ${c.name}: expected a talos cluster (it is ${c.distribution})`);
}

/** The talosconfig talosctl uses for this cluster: rackhand.yaml's, else talosctl's default ($TALOSCONFIG, then
 *  ~/.talos/config: siderolabs/talos pkg/machinery/client/config/path.go). */
export function talosconfigPath(cluster: { talosconfig?: string }, env: Record<string, string | undefined>): string {
  return cluster.talosconfig ?? env.TALOSCONFIG ?? join(homedir(), '.talos', 'config');
}

export function talosctlFor(ctx: TaskContext): Talosctl {
  // talosctl prints machine configs and their diffs (apply-config --dry-run): their secrets never reach output
  registerMachineConfigPatterns(ctx.exec.redactor);
  return new Talosctl(ctx.exec, { talosconfig: ctx.cluster.talosconfig });
}

export class TalosDriver implements NodeUpgradeDriver {
  readonly generation: UpgradeGeneration;
  private readonly talosctl: Talosctl;
  private readonly cluster: ClusterConfig;

  constructor(private readonly ctx: TaskContext, private readonly o: TalosDriverOptions) {
    this.generation = upgradeGeneration(o.clientVersion);
    this.talosctl = talosctlFor(ctx);
    this.cluster = ctx.cluster;
  }

  async observe(nodes: NodeConfig[]): Promise<Map<string, string>> {
    const byAddress = await this.talosctl.serverVersions(nodes.map((n) => n.address));
    return new Map(nodes.flatMap((n) => (byAddress.has(n.address) ? [[n.name, byAddress.get(n.address)!] as const] : [])));
  }

  pendingChange(node: NodeConfig): string | undefined {
    return this.o.pendingChange?.(node);
  }

  beforeControlPlanes(): Step {
    return {
      title: 'save an etcd snapshot before touching the control planes',
      run: async (rt) => {
        const s = await takeEtcdSnapshot(this.talosctl, this.cluster, this.ctx.stateDir);
        this.ctx.data.etcdSnapshot = s;
        rt.output(s.dryRun ? `[dry-run] would save ${s.path}` : `saved ${s.path} from ${s.node} (${formatBytes(s.bytes)}, sha256 ${s.sha256})`);
        if (!s.dryRun) this.ctx.artifact('etcd snapshot', `${s.path} (sha256 ${s.sha256})`);
      },
    };
  }

  /** talosctl >= 1.13 cordons, then drains; a failed drain leaves the node cordoned (siderolabs/talos PR 13802): the
   *  cordon this run caused is undone, and the PDBs that blocked the eviction are named. */
  private async drainFailed(node: NodeConfig, wasCordoned: boolean, err: Error): Promise<Error> {
    const k = this.ctx.kubectl;
    const now = await k.get<Node>('nodes', node.name).catch(() => undefined);
    let cordon: string;
    if (now?.spec?.unschedulable && !wasCordoned) {
      cordon = await k.uncordon(node.name).then(() => `${node.name} was cordoned by the failed drain and is uncordoned again`, (e: Error) => `${node.name} is still cordoned (uncordon failed: ${e.message.split('\n')[0]}): kubectl uncordon ${node.name}`);
    } else cordon = wasCordoned ? `${node.name} was cordoned before this run and stays cordoned` : `${node.name} is not cordoned`;
    const blockers = await pdbBlockers(k, [node.name]).catch(() => []);
    return new StepFailure(`${err.message.split('\n').slice(-1)[0]}; ${blockers.length ? `blocked by ${describeBlockers(blockers)}` : 'no PDB allows zero disruptions now'}; ${cordon}`,
      blockers.length ? `let ${blockers[0]!.pdb} allow a disruption (scale its workload up), then re-run` : `kubectl get pods -A --field-selector spec.nodeName=${node.name}`);
  }

  async upgrade(node: NodeConfig, rt: { output(text: string): void }): Promise<void> {
    const g: GateContext = {
      kubectl: this.ctx.kubectl, talosctl: this.talosctl, signal: this.ctx.signal,
      deadline: Date.now() + this.o.timeoutPerNodeMs, pollMs: this.o.pollMs ?? 250,
    };
    const before = await bootId(g, node.name);
    const wasCordoned = (await this.ctx.kubectl.get<Node>('nodes', node.name))?.spec?.unschedulable === true;
    const image = this.o.imageFor(node);
    rt.output(`talosctl upgrade ${node.name} to ${image} (${this.generation === 'node-drains' ? 'the node drains itself' : 'talosctl drains'})`);
    try {
      await this.talosctl.upgrade(node.address, {
        image, rebootMode: this.o.rebootMode, generation: this.generation,
        drainTimeoutMs: this.o.drainTimeoutMs, timeoutMs: this.o.timeoutPerNodeMs,
      });
    } catch (err) {
      if (this.generation === 'talosctl-drains') throw await this.drainFailed(node, wasCordoned, err as Error);
      throw err;
    }
    if (this.ctx.dryRun) {
      rt.output(`[dry-run] would wait up to ${formatDuration(this.o.timeoutPerNodeMs)} for ${node.name}: down, Ready, ${this.o.target}, etcd, machine status`);
      return;
    }
    rt.output(`waiting for ${node.name} to go down`);
    await wentDown(g, node, before);
    rt.output(`waiting for ${node.name} to be Ready`);
    await backReady(g, node);
    // The remaining gates are independent reads: wait for them together.
    rt.output(`waiting for ${node.name} to report ${this.o.target}, its machine status${node.role === 'controlplane' ? ' and etcd' : ''}`);
    const cps = this.cluster.nodes.filter((n) => n.role === 'controlplane');
    await allOrNothing(this.ctx.signal, [
      (signal) => reportsVersion({ ...g, signal }, node, this.o.target),
      (signal) => machineReady({ ...g, signal }, node),
      ...(node.role === 'controlplane' ? [(signal: AbortSignal) => etcdHealthy({ ...g, signal }, cps, `after ${node.name}`)] : []),
    ]);
  }
}
