// The k3s node-upgrade driver for lib/rollout: the manual upgrade of docs.k3s.io/upgrades/manual done one node at a
// time — cordon, drain (evictions honour PodDisruptionBudgets; a deadline always), the install script with the env
// and args the node was installed with plus INSTALL_K3S_VERSION, the Node Ready at the target, uncordon — after an
// etcd snapshot copied off-node. A server's restart is timed until the API answers /readyz again (the 5-minute
// control-plane target). The cordon is undone if the node's upgrade does not finish.
import type { NodeConfig } from '../config.ts';
import { StepFailure, type Step, type StepRuntime, type TaskContext } from '../engine/types.ts';
import { formatBytes, formatDuration } from '../patterns.ts';
import type { NodeUpgradeDriver } from '../rollout/rolling.ts';
import { cordonAndDrain, uncordonOurs, type Cordon } from '../nodes/drain.ts';
import { appendHistory } from './history.ts';
import { describeInstall, DEFAULT_SCRIPT_URL, reinstallSpec, runInstall } from './install.ts';
import type { K3sNodes, NodeProbe } from './nodes.ts';
import { copyOffNode, saveSnapshot, snapshotDir } from './snapshot.ts';
import { offNodeDir } from '../snapshots/offnode.ts';
import { keepCopy } from '../snapshots/keep.ts';
import { apiReady, nodeAt } from './wait.ts';

export const CONTROL_PLANE_TARGET_MS = 5 * 60_000;

export interface K3sDriverOptions {
  target: string;
  timeoutPerNodeMs: number;
  drainTimeoutMs: number;
  token: () => Promise<string | undefined>;
  /** the task making the change, for the history */
  by: string;
}

/** The snapshot every risky change starts with: saved on the first running server, copied off-node, pruned. */
export function snapshotStep(ctx: TaskContext, nodes: K3sNodes, probes: () => Map<string, NodeProbe>, label: string, keep?: number): Step {
  return {
    title: `save an etcd snapshot (${label}) and copy it off-node to ${offNodeDir(ctx)}${ctx.cluster.snapshots?.restic ? ' and the restic repository' : ''}`,
    run: async (rt) => {
      const servers = ctx.cluster.nodes.filter((n) => n.role === 'controlplane');
      const p = servers.map((n) => probes().get(n.name)).find((x) => x?.active === 'k3s');
      if (!p) throw new StepFailure('no server runs k3s: nothing to take a snapshot from', `npx tsx tasks k3s:install --cluster ${ctx.cluster.name}`);
      if ((ctx.cluster.k3s?.datastore ?? 'etcd') === 'sqlite') {
        rt.output('the datastore is sqlite: k3s etcd-snapshot does not apply (back up /var/lib/rancher/k3s/server/db/state.db)');
        return;
      }
      const saved = await saveSnapshot(nodes, p.node, label, snapshotDir(p.install?.args));
      if (!saved) { rt.output(`[dry-run] would copy the snapshot from ${p.node.name} to ${offNodeDir(ctx)}`); return; }
      const copy = await copyOffNode(nodes, p.node, saved.path, offNodeDir(ctx), { ...(p.version ? { version: p.version } : {}) });
      rt.output(`saved ${saved.name} on ${p.node.name}, copied to ${copy.path} (${formatBytes(copy.size)}, sha256 ${copy.sha256}${copy.revision !== undefined ? `; etcd reads it: revision ${copy.revision}, ${copy.keys} keys` : '; not read by etcd\'s tools: none installed here'})`);
      ctx.artifact('etcd snapshot', `${copy.path} (sha256 ${copy.sha256})`);
      ctx.data.etcdSnapshot = copy;
      await keepCopy(ctx, copy, rt, keep);
    },
  };
}

export class K3sDriver implements NodeUpgradeDriver {
  probes = new Map<string, NodeProbe>();
  /** what this run cordoned per node (uncordoned again if that node's upgrade does not finish) */
  private readonly cordoned = new Map<string, Cordon>();

  constructor(private readonly ctx: TaskContext, private readonly nodes: K3sNodes, private readonly o: K3sDriverOptions) {}

  /** reads each node once per run (preflight reads them; the plan reuses what preflight saw) */
  async observe(list: NodeConfig[]): Promise<Map<string, string>> {
    const unread = list.filter((n) => !this.probes.has(n.name));
    for (const p of await this.nodes.probeAll(unread)) this.probes.set(p.node.name, p);
    return new Map(list.flatMap((n) => {
      const v = this.probes.get(n.name)?.version;
      return v ? [[n.name, v] as const] : [];
    }));
  }

  beforeControlPlanes(): Step {
    return snapshotStep(this.ctx, this.nodes, () => this.probes, 'rackhand-pre-upgrade');
  }

  async upgrade(node: NodeConfig, rt: StepRuntime): Promise<void> {
    const ctx = this.ctx;
    const k = ctx.kubectl;
    const p = this.probes.get(node.name);
    if (!p?.version || !p.install) throw new StepFailure(`${node.name}: k3s is not installed (or its unit file was not found)`, `npx tsx tasks k3s:install --cluster ${ctx.cluster.name} --node ${node.name}`);
    const spec = reinstallSpec(p, this.o.target, await this.o.token());
    if (p.install.secretEnv.includes('K3S_TOKEN')) rt.output(`${node.name} was installed with K3S_TOKEN in its unit's env file: the token moves to a 0600 token file (K3S_TOKEN_FILE)`);
    // 1-2. cordon (remembered: undone if this node's upgrade does not finish), drain with a deadline
    rt.output(`draining ${node.name} (deadline ${formatDuration(this.o.drainTimeoutMs)})`);
    await cordonAndDrain(ctx, node.name, this.o.drainTimeoutMs, (c) => this.cordoned.set(node.name, c));
    // 3. the install script with what the node runs, at the target version
    const started = Date.now();
    await runInstall(this.nodes, spec, { scriptUrl: ctx.cluster.k3s?.installScript ?? DEFAULT_SCRIPT_URL, timeoutMs: this.o.timeoutPerNodeMs, output: (l) => rt.output(l) });
    if (ctx.dryRun) return;
    // 4. the control plane back (servers), then the node Ready at the target
    if (node.role === 'controlplane') {
      await apiReady(ctx, this.o.timeoutPerNodeMs);
      const took = Date.now() - started;
      const times = (ctx.data.controlPlaneBackMs ??= {}) as Record<string, number>;
      times[node.name] = took;
      rt.output(`control plane answered ${formatDuration(took)} after ${node.name}'s restart began (target ${formatDuration(CONTROL_PLANE_TARGET_MS)})${took > CONTROL_PLANE_TARGET_MS ? ': OVER TARGET' : ''}`);
    }
    await nodeAt(ctx, node.name, this.o.target, this.o.timeoutPerNodeMs);
    // 5. uncordon what this run cordoned
    await uncordonOurs(ctx, this.cordoned.get(node.name));
    await appendHistory(k, { at: new Date().toISOString(), node: node.name, from: p.version, to: this.o.target, command: spec.command, args: spec.args, env: spec.env, by: this.o.by });
    rt.output(`${node.name}: ${p.version} -> ${this.o.target} (${describeInstall(spec)})`);
  }

  async cleanup(node: NodeConfig): Promise<void> {
    await uncordonOurs(this.ctx, this.cordoned.get(node.name));
  }

  byHand(node: NodeConfig): string[] {
    return [`kubectl uncordon ${node.name}   # only if this run cordoned it`];
  }
}
