// The task registry: an alphabetical table from `namespace:name` to summary, flags and a lazy import. `tasks list`
// and `--help` read only this file; a task's module at tasks/<namespace>/<name>.ts loads when the task runs.
import type { TaskEntry } from '../lib/engine/types.ts';

export const registry: Record<string, TaskEntry> = {
  'cluster:status': {
    summary: 'per-node role, readiness and versions; unhealthy pods; PDBs that allow no disruption',
    description: 'Read-only. Exit 0 when every node is Ready and every pod Running or Succeeded, 1 otherwise.',
    example: 'npx tsx tasks cluster:status --cluster lab',
    flags: {},
    destructive: false,
    cluster: true,
    load: () => import('./cluster/status.ts'),
  },
  'lab:down': {
    summary: 'stop the background lab started by lab:up and remove its files',
    example: 'npx tsx tasks lab:down',
    flags: {},
    destructive: false,
    cluster: false,
    load: () => import('./lab/down.ts'),
  },
  'lab:status': {
    summary: 'show whether a background lab is running, where, and its environment',
    example: 'npx tsx tasks lab:status',
    flags: {},
    destructive: false,
    cluster: false,
    load: () => import('./lab/status.ts'),
  },
  'lab:up': {
    summary: 'start the simulated homelab in the background; prints export lines for eval',
    description: 'Prints only shell export lines on stdout (KUBECONFIG, PATH, RACKHAND_CONFIG, KUBECACHEDIR), so\n`eval "$(npx tsx tasks lab:up)"` points kubectl and rackhand at the lab. Progress goes to stderr.',
    example: 'eval "$(npx tsx tasks lab:up)"',
    flags: {
      topology: { type: 'string', description: 'topology YAML (default: lab/topologies/default.yaml)' },
      'reboot-time': { type: 'duration', description: 'how long a simulated node reboot takes', default: 2_000 },
    },
    destructive: false,
    cluster: false,
    load: () => import('./lab/up.ts'),
  },
};
