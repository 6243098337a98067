// Waits on a k3s node from the Kubernetes side, each with a deadline (lib/wait.ts): its Node Ready and its kubelet
// reporting the target version (a k3s upgrade restarts the kubelet in the same process: docs.k3s.io/upgrades/manual).
import type { TaskContext } from '../engine/types.ts';
import type { Node } from '../tools/kube-types.ts';
import { waitUntil } from '../wait.ts';

export const isReady = (n: Node | undefined): boolean => !!n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

/** Node `name` exists, is Ready and its kubelet reports `version`. */
export function nodeAt(ctx: TaskContext, name: string, version: string, timeoutMs: number): Promise<Node> {
  return waitUntil({
    what: `node ${name} to be Ready at ${version}`, timeoutMs, intervalMs: 1000, maxBackoffMs: 2000, signal: ctx.signal,
    probe: async () => {
      const n = await ctx.kubectl.get<Node>('nodes', name);
      if (!n) return { done: false, seen: 'no Node object yet' };
      const v = n.status?.nodeInfo?.kubeletVersion;
      if (isReady(n) && v === version) return { done: true, value: n };
      return { done: false, seen: `${isReady(n) ? 'Ready' : 'NotReady'}, kubelet ${v ?? 'unknown'}` };
    },
  });
}

/** The API server answers /readyz (measured after a server restarts: the control plane's time back). */
export function apiReady(ctx: TaskContext, timeoutMs: number): Promise<void> {
  return waitUntil({
    what: 'the Kubernetes API to answer /readyz', timeoutMs, intervalMs: 250, maxBackoffMs: 1000, signal: ctx.signal,
    probe: async () => {
      const out = await ctx.kubectl.read(['get', '--raw', '/readyz']);
      return out.trim() === 'ok' ? { done: true, value: undefined } : { done: false, seen: out.trim().slice(0, 80) };
    },
  });
}
