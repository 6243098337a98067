// Preflight checks for tasks that reach k3s nodes over SSH.
import type { NodeConfig } from '../config.ts';
import type { Check } from '../engine/types.ts';
import type { K3sNodes } from './nodes.ts';

export const ACCEPT_NEW_HOST_KEY = {
  type: 'boolean',
  description: 'learn the SSH host key of a node not yet in .rackhand/known_hosts (ssh StrictHostKeyChecking=accept-new); a changed key is still refused',
} as const;

/** Every node answers over SSH with a known host key, and sudo works without a password. */
export function sshReachable(nodes: () => K3sNodes, which: () => NodeConfig[]): Check {
  return {
    name: 'every node answers over SSH (known host key, sudo without a password)',
    async run() {
      const list = which();
      const results = await Promise.all(list.map((n) => nodes().reachable(n)));
      const bad = results.flatMap((r) => (r.ok ? [] : [r]));
      if (bad.length) return { ok: false, message: bad.map((b) => b.message).join('; '), remedy: bad[0]!.remedy };
      return { ok: true, message: `${list.map((n) => n.name).join(', ')} answer over SSH` };
    },
  };
}
