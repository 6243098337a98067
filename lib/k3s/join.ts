// How nodes join a k3s cluster: the URL (K3S_URL) and the token. The token comes from 1Password when rackhand.yaml
// names one (k3s.token), else from the first server's /var/lib/rancher/k3s/server/token (docs.k3s.io/cli/token:
// the full K10... token, accepted as K3S_TOKEN / K3S_TOKEN_FILE). Either way it is registered with the redactor
// before anything could print it.
import type { ClusterConfig, NodeConfig } from '../config.ts';
import type { TaskContext } from '../engine/types.ts';
import { secretSource } from '../secrets/onepassword.ts';
import type { K3sNodes } from './nodes.ts';

export const SERVER_TOKEN = '/var/lib/rancher/k3s/server/token';

export function firstServer(c: ClusterConfig): NodeConfig {
  const s = c.nodes.find((n) => n.role === 'controlplane');
  if (!s) throw new Error(`cluster ${c.name} has no server node`);
  return s;
}

export function joinUrl(c: ClusterConfig): string {
  return c.k3s?.url ?? `https://${firstServer(c).address}:6443`;
}

export function tokenSource(ctx: TaskContext, nodes: K3sNodes): () => Promise<string | undefined> {
  let cached: Promise<string | undefined> | undefined;
  return () => (cached ??= (async () => {
    const ref = ctx.cluster.k3s?.token;
    if (ref) return (await secretSource(ctx.exec, ctx.env).resolve([ref])).get(ref);
    const text = await nodes.readFile(firstServer(ctx.cluster), SERVER_TOKEN);
    const token = text?.trim();
    if (token) ctx.exec.registerSecret(token);
    return token || undefined;
  })());
}
