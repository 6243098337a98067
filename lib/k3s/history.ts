// Every k3s version change rackhand makes, kept in the cluster (ConfigMap kube-system/rackhand-k3s-history, one key
// per node holding a JSON list) so any workstation sees it: k3s:history prints it, k3s:rollback reinstalls the
// version before the last change with the args and env recorded with it.
import type { Kubectl } from '../tools/kubectl.ts';

export const HISTORY = { namespace: 'kube-system', name: 'rackhand-k3s-history' } as const;

export interface HistoryEntry {
  at: string;
  node: string;
  /** the version before (absent for a first install) */
  from?: string;
  to: string;
  command: 'server' | 'agent';
  args: string[];
  /** K3S_* and INSTALL_K3S_* variables, never secrets */
  env: Record<string, string>;
  /** the task that made the change (k3s:install, k3s:upgrade, k3s:rollback) */
  by: string;
}

interface ConfigMap { metadata: { name: string; namespace?: string }; data?: Record<string, string> }

export async function readHistory(k: Kubectl): Promise<Map<string, HistoryEntry[]>> {
  const cm = await k.get<ConfigMap & { kind?: string }>('configmaps', HISTORY.name, HISTORY.namespace);
  const out = new Map<string, HistoryEntry[]>();
  for (const [node, text] of Object.entries(cm?.data ?? {})) {
    try {
      const list = JSON.parse(text) as HistoryEntry[];
      if (Array.isArray(list)) out.set(node, list);
    } catch { /* a key someone edited by hand: skipped */ }
  }
  return out;
}

/** Appends an entry for its node (read, merge, server-side apply of the whole ConfigMap, under the run's lock). */
export async function appendHistory(k: Kubectl, e: HistoryEntry): Promise<void> {
  const all = await readHistory(k);
  const list = [...(all.get(e.node) ?? []), e].slice(-50);
  all.set(e.node, list);
  await k.apply({
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: HISTORY.name, namespace: HISTORY.namespace, labels: { 'app.kubernetes.io/managed-by': 'rackhand' } },
    data: Object.fromEntries([...all].map(([node, l]) => [node, JSON.stringify(l)])),
  });
}
