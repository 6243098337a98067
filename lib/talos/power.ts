// Reboot, shutdown and reset of one Talos node, each followed by a wait with a deadline for the state it promises.
// Shared by talos:reboot-node, talos:shutdown-node and talos:reset-node.
import { condition, type Node } from '../tools/kube-types.ts';
import type { NodeConfig } from '../config.ts';
import { UsageError, type Step, type TaskContext } from '../engine/types.ts';
import { formatDuration } from '../patterns.ts';
import { allOrNothing, waitUntil } from '../wait.ts';
import { talosctlFor, requireTalos } from './driver.ts';
import { backReady, bootId, etcdHealthy, machineReady, wentDown, type GateContext } from './gates.ts';

/** The --node flag resolved against the cluster (exit 2 when unknown). */
export function targetNode(ctx: TaskContext): NodeConfig {
  requireTalos(ctx);
  const name = ctx.flags.node as string | undefined;
  const node = ctx.cluster.nodes.find((n) => n.name === name);
  if (!node) throw new UsageError(`--node: ${name ? `no node "${name}" in cluster ${ctx.cluster.name}; ` : ''}expected one of ${ctx.cluster.nodes.map((n) => n.name).join(', ')}`);
  return node;
}

function gates(ctx: TaskContext): GateContext {
  return { kubectl: ctx.kubectl, talosctl: talosctlFor(ctx), signal: ctx.signal, deadline: Date.now() + (ctx.flags.timeout as number), pollMs: 250 };
}

/** Waits until the node answers talosctl in the given way (maintenance API, authenticated API, or not at all). */
export function waitMode(ctx: TaskContext, node: NodeConfig, want: 'maintenance' | 'configured' | 'unreachable', what: string, timeoutMs = ctx.flags.timeout as number): Promise<void> {
  const talosctl = talosctlFor(ctx);
  return waitUntil({
    what, timeoutMs, intervalMs: 500, signal: ctx.signal,
    probe: async () => {
      const mode = await talosctl.mode(node.address);
      return mode === want ? { done: true, value: undefined } : { done: false, seen: mode };
    },
  });
}

const dryRunWait = (ctx: TaskContext, what: string): boolean => {
  if (ctx.dryRun) ctx.log.info(`[dry-run] would wait up to ${formatDuration(ctx.flags.timeout as number)} for ${what}`);
  return ctx.dryRun;
};

export function rebootStep(ctx: TaskContext, node: NodeConfig): Step {
  return {
    title: `reboot ${node.name} (${String(ctx.flags.mode)}) and wait until it is back`,
    async run(rt) {
      const g = gates(ctx);
      const before = await bootId(g, node.name);
      await g.talosctl.mutate(['--nodes', node.address, 'reboot', '--mode', String(ctx.flags.mode), '--wait=false']);
      if (dryRunWait(ctx, `${node.name} to reboot and be Ready`)) return;
      rt.output(`waiting for ${node.name} to go down`);
      await wentDown(g, node, before);
      rt.output(`waiting for ${node.name} to be Ready`);
      await backReady(g, node);
      const cps = ctx.cluster.nodes.filter((n) => n.role === 'controlplane');
      await allOrNothing(ctx.signal, [
        (signal) => machineReady({ ...g, signal }, node),
        ...(node.role === 'controlplane' ? [(signal: AbortSignal) => etcdHealthy({ ...g, signal }, cps, `after rebooting ${node.name}`)] : []),
      ]);
    },
  };
}

export function shutdownStep(ctx: TaskContext, node: NodeConfig, o: { force: boolean } = { force: ctx.flags.force === true }): Step {
  const talosctl = talosctlFor(ctx);
  return {
    title: `shut down ${node.name}${o.force ? ' (--force: no cordon/drain)' : ''}`,
    // "does not answer talosctl" alone is not "off" (a wrong address, a firewall): Kubernetes must agree it is gone
    isDone: async () => {
      if ((await talosctl.mode(node.address)) !== 'unreachable') return false;
      const n = await ctx.kubectl.get<Node>('nodes', node.name).catch(() => undefined);
      return n && condition(n, 'Ready')?.status === 'True' ? false : `${node.name} does not answer talosctl and is not Ready: already off`;
    },
    async run(rt) {
      await talosctl.mutate(['--nodes', node.address, 'shutdown', '--wait=false', ...(o.force ? ['--force'] : [])]);
      if (dryRunWait(ctx, `${node.name} to power off`)) return;
      rt.output(`waiting for ${node.name} to power off`);
      await waitMode(ctx, node, 'unreachable', `${node.name} to power off`);
    },
  };
}

/** Reset wipes STATE and EPHEMERAL (the machine config and the node's data) and reboots into maintenance mode
 *  (community-ops-tooling.md "reset"); with --shutdown it powers off instead. */
/** `graceful`: cordon, drain and leave etcd first (talosctl reset --graceful, the default); a whole-cluster reset goes
 *  without it, since there is nothing left to drain to and the last etcd member cannot leave. */
export function resetStep(ctx: TaskContext, node: NodeConfig, o: { graceful: boolean } = { graceful: ctx.flags['no-graceful'] !== true }): Step {
  const talosctl = talosctlFor(ctx);
  const off = ctx.flags.shutdown === true;
  return {
    title: `reset ${node.name}: wipe STATE and EPHEMERAL, then ${off ? 'power off' : 'reboot into maintenance mode'}`,
    isDone: async () => {
      const mode = await talosctl.mode(node.address);
      if (mode === 'maintenance') return `${node.name} is already in maintenance mode`;
      return off && mode === 'unreachable' ? `${node.name} does not answer: already off` : false;
    },
    async run(rt) {
      await talosctl.mutate(['--nodes', node.address, 'reset', `--graceful=${o.graceful}`, ...(off ? [] : ['--reboot']),
        '--system-labels-to-wipe', 'STATE', '--system-labels-to-wipe', 'EPHEMERAL', '--wait=false']);
      const what = off ? `${node.name} to power off` : `${node.name} to come back in maintenance mode`;
      if (dryRunWait(ctx, what)) return;
      rt.output(`waiting for ${what}`);
      await waitMode(ctx, node, off ? 'unreachable' : 'maintenance', what);
      ctx.log.info(`next: kubectl delete node ${node.name} (its Node object stays until removed), or re-apply its config with talos:apply-node`);
    },
  };
}

/** Several nodes' steps as one, run side by side (a cluster-wide reboot or shutdown "all at once"): each node's own
 *  waits and deadline; the step fails when any node fails, after every node has finished or failed. */
export function allAtOnce(title: string, steps: Step[]): Step {
  return {
    title,
    async isDone() {
      const done = await Promise.all(steps.map((s) => s.isDone?.() ?? Promise.resolve(false)));
      return done.every(Boolean) ? (done as string[]).join('; ') : false;
    },
    async run(rt) {
      const results = await Promise.allSettled(steps.map((s) => s.run(rt)));
      const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${steps[i]!.title}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`] : []));
      if (failed.length) throw new Error(failed.join('\n'));
    },
  };
}

/** A cluster-wide power operation's nodes in order: control planes then workers (reboot: the API and etcd come back
 *  first), or workers then control planes (shutdown: the API stays up while workers go). */
export function clusterOrder(ctx: TaskContext, first: 'controlplane' | 'worker'): NodeConfig[] {
  requireTalos(ctx);
  const [a, b] = first === 'controlplane' ? ['controlplane', 'worker'] : ['worker', 'controlplane'];
  return [...ctx.cluster.nodes.filter((n) => n.role === a), ...ctx.cluster.nodes.filter((n) => n.role === b)];
}
