// The client configs op:push and op:pull move between this machine and 1Password: the cluster's kubeconfig and, for
// Talos, its talosconfig (lib/talos/driver.ts talosconfigPath), each as a Document in clusters.<name>.onepassword.vault.
import { talosconfigPath } from '../talos/driver.ts';
import { parse } from 'yaml';
import type { ClusterConfig } from '../config.ts';
import { UsageError } from '../engine/types.ts';

export interface ClientConfig { kind: 'kubeconfig' | 'talosconfig'; path: string; vault: string; title: string }

export function clientConfigs(c: ClusterConfig, env: Record<string, string | undefined>, which: string, vaultFlag?: string): ClientConfig[] {
  const vault = vaultFlag ?? c.onepassword?.vault;
  if (!vault) throw new UsageError(`--vault: expected a 1Password vault (or ${c.source} clusters.${c.name}.onepassword.vault)`);
  const kinds = which === 'both' ? (c.distribution === 'talos' ? ['kubeconfig', 'talosconfig'] as const : ['kubeconfig'] as const) : [which as 'kubeconfig' | 'talosconfig'];
  return kinds.map((kind) => {
    if (kind === 'talosconfig' && c.distribution !== 'talos') throw new UsageError(`--what talosconfig: cluster ${c.name} is ${c.distribution}, it has no talosconfig`);
    const path = kind === 'kubeconfig' ? c.kubeconfig : talosconfigPath(c, env);
    const title = (kind === 'kubeconfig' ? c.onepassword?.kubeconfig : c.onepassword?.talosconfig) ?? `${c.name}-${kind}`;
    return { kind, path, vault, title };
  });
}

/** What a client config points at, for the operator to see before it is replaced: contexts and their servers or
 *  endpoints (no credentials). */
export function describeClientConfig(kind: ClientConfig['kind'], text: string): string {
  try {
    const y = parse(text) as Record<string, any> | null;
    if (kind === 'kubeconfig') {
      const servers = new Map<string, string>((y?.clusters ?? []).map((c: any) => [c.name, c.cluster?.server ?? '?']));
      const ctxs = (y?.contexts ?? []).map((c: any) => `${c.name} -> ${servers.get(c.context?.cluster) ?? '?'}`);
      return ctxs.length ? `contexts ${ctxs.join(', ')}` : 'no contexts';
    }
    const ctxs = Object.entries(y?.contexts ?? {}).map(([name, c]: [string, any]) => `${name} -> ${(c?.endpoints ?? []).join(' ') || '?'}`);
    return ctxs.length ? `contexts ${ctxs.join(', ')}` : 'no contexts';
  } catch {
    return 'not YAML';
  }
}
