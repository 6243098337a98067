// Bootstrap stages on the Talos side: machine configs to maintenance-mode nodes only (configured nodes are skipped),
// etcd bootstrapped on ONE control plane (AlreadyExists means done), the admin kubeconfig fetched (mode 0600) and its
// identity checked against rackhand.yaml. Every wait has the run's --timeout as deadline.
import { existsSync } from 'node:fs';
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { clientCertExpiry } from '../talos/kubeconfig-cert.ts';
import { identityMatchesConfig } from '../checks/identity.ts';
import type { NodeConfig } from '../config/schema.ts';
import { StepFailure, type Step, type TaskContext } from '../engine/types.ts';
import { talosctlFor } from '../talos/driver.ts';
import { waitMode } from '../talos/power.ts';
import { waitUntil } from '../wait.ts';
import { quiet } from './kube-stages.ts';
import { applyInput, loadMachineConfig, machineConfigSource, type MachineConfigSource } from '../talos/machine-source.ts';

/** Where each node's machine config comes from (talhelper's clusterconfig/ or the render command). */
export function machineConfigSources(ctx: TaskContext): Map<string, MachineConfigSource> {
  return new Map(ctx.cluster.nodes.map((n) => [n.name, machineConfigSource(ctx.cluster, n)]));
}

/** Every node's config loaded and checked before the first one is applied (a broken render refuses the run). */
export async function loadMachineConfigs(ctx: TaskContext, sources: Map<string, MachineConfigSource>): Promise<Map<string, { file: string; input?: string }>> {
  const out = new Map<string, { file: string; input?: string }>();
  for (const n of ctx.cluster.nodes) {
    const s = sources.get(n.name)!;
    const field = s.kind === 'file' ? `clusters.${ctx.cluster.name}.talconfig` : `clusters.${ctx.cluster.name}.machineConfig.render`;
    out.set(n.name, applyInput(s, await loadMachineConfig(ctx, n, s, field)));
  }
  return out;
}

export function firstControlPlane(ctx: TaskContext): NodeConfig {
  const cp = ctx.cluster.nodes.find((n) => n.role === 'controlplane');
  if (!cp) throw new StepFailure(`clusters.${ctx.cluster.name}.nodes: no control plane`);
  return cp;
}

export function machineConfigSteps(ctx: TaskContext, configs: Map<string, { file: string; input?: string }>): Step[] {
  const talosctl = talosctlFor(ctx);
  // control planes first, as the community scripts do: etcd and the API come from them
  const nodes = [...ctx.cluster.nodes].sort((a, b) => Number(b.role === 'controlplane') - Number(a.role === 'controlplane'));
  const modes = new Map<string, Promise<string>>();
  const mode = (n: NodeConfig) => { if (!modes.has(n.name)) modes.set(n.name, talosctl.mode(n.address)); return modes.get(n.name)!; };
  const steps: Step[] = nodes.map((n) => ({
    title: `apply machine config to ${n.name} (${n.address}, maintenance mode)`,
    async isDone() {
      const m = await mode(n);
      return m === 'configured' ? `${n.name} is already configured` : false;
    },
    async run() {
      const m = await talosctl.mode(n.address);
      if (m === 'configured') return;
      if (m === 'unreachable') throw new StepFailure(`${n.name} (${n.address}) answers neither the maintenance API nor the authenticated one`, `talosctl -n ${n.address} version --insecure`);
      const { file, input } = configs.get(n.name)!;
      await talosctl.mutate(['--nodes', n.address, 'apply-config', '--insecure', '--file', file], input !== undefined ? { input } : {});
    },
  }));
  steps.push({
    title: `wait until every node has left maintenance mode (${nodes.map((n) => n.name).join(', ')})`,
    mutating: false,
    async isDone() {
      const all = await Promise.all(nodes.map(mode));
      return all.every((m) => m === 'configured') ? 'every node is configured' : false;
    },
    async run(rt) {
      if (ctx.dryRun) return;
      rt.output('nodes install their config and reboot');
      await Promise.all(nodes.map((n) => waitMode(ctx, n, 'configured', `${n.name} to install its config and reboot`)));
    },
  });
  return steps;
}

export function etcdStep(ctx: TaskContext): Step {
  const talosctl = talosctlFor(ctx);
  const cp = firstControlPlane(ctx);
  return {
    title: `bootstrap etcd on ${cp.name} (${cp.address})`,
    async isDone() {
      const members = await quiet(talosctl.etcdMembers(cp.address, 10_000));
      return members?.length ? `etcd runs (${members.length} member(s))` : false;
    },
    async run(rt) {
      const r = await talosctl.bootstrap(cp.address);
      rt.output(ctx.dryRun ? 'would bootstrap etcd' : r === 'already' ? 'etcd was already bootstrapped (AlreadyExists)' : 'etcd bootstrapped');
    },
  };
}

/** `force`: fetch even when the file matches; `renewWithinMs`: fetch when its client certificate expires that soon. */
export function kubeconfigStep(ctx: TaskContext, o: { force?: boolean; renewWithinMs?: number } = {}): Step {
  const talosctl = talosctlFor(ctx);
  const cp = firstControlPlane(ctx);
  const path = ctx.cluster.kubeconfig;
  const matches = async () => {
    const r = await quiet(identityMatchesConfig.run(ctx));
    return r?.ok ? r : undefined;
  };
  return {
    title: `fetch the kubeconfig into ${path} (context ${ctx.cluster.context}, mode 0600) and check its identity`,
    async isDone() {
      const st = await quiet(stat(path));
      if (!st || (st.mode & 0o077) !== 0 || o.force) return false;
      if (o.renewWithinMs !== undefined) {
        const expires = await clientCertExpiry(path, ctx.cluster.context);
        if (expires && expires.getTime() - Date.now() < o.renewWithinMs) return false;
      }
      await ctx.kubectl.configView(true).catch(() => undefined);
      return (await matches()) ? `${path} exists and points at ${ctx.cluster.apiServer}` : false;
    },
    async run() {
      // talosctl merges into an existing file and applies --force-context-name only when merging; a new file would
      // keep admin@<cluster> (cmd/talosctl/cmd/talos/kubeconfig.go). So a new file starts as an empty kubeconfig, mode
      // 0600, and the fetched context always gets the configured name.
      if (!existsSync(path) && !ctx.dryRun) {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\npreferences: {}\n', { mode: 0o600, flag: 'wx' });
      }
      await waitUntil({
        what: `talosctl kubeconfig from ${cp.name}`, timeoutMs: ctx.flags.timeout as number, intervalMs: 1_000, signal: ctx.signal,
        probe: async () => {
          try {
            await talosctl.kubeconfig(cp.address, path, ctx.cluster.context);
            return { done: true, value: undefined };
          } catch (err) {
            return { done: false, seen: (err as Error).message.split('\n')[0] };
          }
        },
      });
      if (ctx.dryRun) return;
      await chmod(path, 0o600);
      await ctx.kubectl.configView(true);
      const r = await identityMatchesConfig.run(ctx);
      if (!r.ok) throw new StepFailure(`the fetched kubeconfig does not match rackhand.yaml: ${r.message}`, r.remedy);
    },
  };
}
