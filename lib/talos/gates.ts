// The gates a Talos node passes after `talosctl upgrade` before the rollout moves on. Each is a wait with a deadline
// that names what it waited for and what it last saw.
import type { NodeConfig } from '../config.ts';
import { condition, type Node } from '../tools/kube-types.ts';
import type { Kubectl } from '../tools/kubectl.ts';
import type { Talosctl } from '../tools/talosctl.ts';
import { isTransient, waitUntil } from '../wait.ts';

export interface GateContext {
  kubectl: Kubectl;
  talosctl: Talosctl;
  signal?: AbortSignal;
  /** Absolute time (ms) by which the whole node must be done. */
  deadline: number;
  pollMs: number;
}

const left = (g: GateContext): number => Math.max(1_000, g.deadline - Date.now());

async function readNode(g: GateContext, name: string): Promise<Node | undefined> {
  return g.kubectl.get<Node>('nodes', name).catch(() => undefined);
}

export async function bootId(g: GateContext, name: string): Promise<string | undefined> {
  return (await readNode(g, name))?.status?.nodeInfo?.bootID;
}

/** Machine stages of a node on its way down or back (talosctl get machinestatus, cli-facts.md "machinestatus"). */
const GOING_DOWN = new Set(['rebooting', 'shutting down', 'upgrading', 'booting', 'installing', 'resetting']);

/** The node went down, read from its status, never from an error: the Node's boot id changed or it stopped being
 *  Ready, or Talos reports a rebooting/upgrading stage. While neither API answers (a single control plane rebooting
 *  takes the API server with it) the wait goes on: once the node is back, its new boot id proves the reboot. */
export function wentDown(g: GateContext, node: NodeConfig, bootBefore: string | undefined): Promise<void> {
  return waitUntil({
    what: `${node.name} to go down for its reboot`, timeoutMs: left(g), intervalMs: g.pollMs, signal: g.signal,
    probe: async () => {
      let kube = '';
      try {
        const n = await g.kubectl.get<Node>('nodes', node.name);
        if (n) {
          const ready = condition(n, 'Ready')?.status;
          if (ready !== 'True' || (bootBefore && n.status?.nodeInfo?.bootID !== bootBefore)) return { done: true, value: undefined };
          kube = `Ready=${ready}, same boot`;
        } else kube = 'no Node object';
      } catch (err) {
        if (!isTransient(err)) throw err;
        kube = 'API server not answering';
      }
      const stage = await g.talosctl.machineStatus(node.address, 10_000).then((m) => m.stage, () => undefined);
      if (stage && GOING_DOWN.has(stage)) return { done: true, value: undefined };
      return { done: false, seen: `${kube}; machine stage ${stage ?? 'unknown (no answer)'}` };
    },
  });
}

/** Ready again, through `kubectl wait` (a watch: it returns the moment the condition flips, no polling delay). The
 *  API server may itself be coming back (a single control plane): a failed wait is tried again until the deadline. */
export function backReady(g: GateContext, node: NodeConfig): Promise<void> {
  return waitUntil({
    what: `${node.name} to be Ready again`, timeoutMs: left(g), intervalMs: 1_000, signal: g.signal,
    probe: async () => {
      try {
        await g.kubectl.wait(`node/${node.name}`, 'condition=Ready', left(g));
        return { done: true, value: undefined };
      } catch (err) {
        const n = await readNode(g, node.name);
        return { done: false, seen: n ? `Ready=${condition(n, 'Ready')?.status}` : (err as Error).message.split('\n')[0] };
      }
    },
  });
}

export function reportsVersion(g: GateContext, node: NodeConfig, target: string): Promise<void> {
  return waitUntil({
    what: `${node.name} to report Talos ${target}`, timeoutMs: left(g), intervalMs: g.pollMs, signal: g.signal,
    probe: async () => {
      const v = (await g.talosctl.serverVersions([node.address], 15_000)).get(node.address);
      return v === target ? { done: true, value: undefined } : { done: false, seen: v ?? 'no answer' };
    },
  });
}

/** Every control plane answers `etcd status` with no error, so etcd has all its members back. */
export function etcdHealthy(g: GateContext, controlPlanes: NodeConfig[], awaited: string): Promise<void> {
  const addresses = controlPlanes.map((n) => n.address);
  return waitUntil({
    what: `etcd to be healthy with all ${addresses.length} members (${awaited})`, timeoutMs: left(g), intervalMs: g.pollMs, signal: g.signal,
    probe: async () => {
      const { rows, stderr } = await g.talosctl.etcdStatus(addresses);
      const answered = new Set(rows.filter((r) => !r.errors).map((r) => r.node));
      const missing = addresses.filter((a) => !answered.has(a));
      if (missing.length === 0) return { done: true, value: undefined };
      const errs = rows.filter((r) => r.errors).map((r) => `${r.node}: ${r.errors}`);
      return { done: false, seen: `no healthy member on ${missing.join(', ')}${errs.length ? ` (${errs.join('; ')})` : ''}${stderr.trim() ? ` ${stderr.trim().split('\n').pop()}` : ''}` };
    },
  });
}

export function machineReady(g: GateContext, node: NodeConfig): Promise<void> {
  return waitUntil({
    what: `${node.name} machine status to be ready with no unmet conditions`, timeoutMs: left(g), intervalMs: g.pollMs, signal: g.signal,
    probe: async () => {
      const s = await g.talosctl.machineStatus(node.address).catch((e: Error) => ({ stage: 'unreachable', ready: false, unmet: [{ name: 'api', reason: e.message }] }));
      if (s.ready && s.unmet.length === 0) return { done: true, value: undefined };
      return { done: false, seen: `stage ${s.stage}${s.unmet.length ? `, unmet: ${s.unmet.map((u) => `${u.name} (${u.reason})`).join(', ')}` : ''}` };
    },
  });
}
