// The task registry: an alphabetical table from `namespace:name` to summary, flags and a lazy import. `tasks list`
// and `--help` read only this file; a task's module at tasks/<namespace>/<name>.ts loads when the task runs.
import type { TaskEntry } from '../lib/engine/types.ts';
import { DNS_SUBDOMAIN, SEMVER_TAG } from '../lib/patterns.ts';

const NODE = { type: 'string', pattern: DNS_SUBDOMAIN, hint: 'a node name from rackhand.yaml, e.g. cp1' } as const;
const VERSION = { type: 'string', pattern: SEMVER_TAG, hint: 'a version like v1.12.3' } as const;

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
  'talos:apply-node': {
    summary: 'apply a node\'s machine config (maintenance mode or configured), showing the dry-run result first',
    description: 'Default --file with a talconfig: clusterconfig/<cluster>-<node>.yaml next to talconfig.yaml (talhelper genconfig).',
    example: 'npx tsx tasks talos:apply-node --cluster lab --node w3 --file clusterconfig/lab-w3.yaml',
    flags: {
      node: { ...NODE, description: 'the node to configure', required: true },
      file: { type: 'string', description: 'the node\'s machine config' },
      mode: { type: 'string', description: 'talosctl apply-config --mode', choices: ['auto', 'no-reboot', 'reboot', 'staged', 'try'], default: 'auto' },
      timeout: { type: 'duration', description: 'deadline for the node to be configured and Ready', default: 15 * 60_000 },
    },
    destructive: true,
    cluster: true,
    load: () => import('./talos/apply-node.ts'),
  },
  'talos:etcd-snapshot': {
    summary: 'save a timestamped etcd snapshot (size and sha256) under .rackhand/snapshots/<cluster>/',
    example: 'npx tsx tasks talos:etcd-snapshot --cluster lab',
    flags: { node: { ...NODE, description: 'control plane to take it from (default: the first)' } },
    destructive: false,
    cluster: true,
    load: () => import('./talos/etcd-snapshot.ts'),
  },
  'talos:image': {
    summary: 'schematic id, installer image and ISO URL for the configured schematic and version',
    example: 'npx tsx tasks talos:image --cluster lab --version v1.12.2',
    flags: {
      version: { ...VERSION, description: 'Talos version (default: versions.talos from rackhand.yaml)' },
      arch: { type: 'string', description: 'ISO architecture', choices: ['amd64', 'arm64'], default: 'amd64' },
    },
    destructive: false,
    cluster: true,
    load: () => import('./talos/image.ts'),
  },
  'talos:upgrade-node': {
    summary: 'rolling Talos upgrade: control planes one at a time (after an etcd snapshot), then workers; resumable',
    description: [
      'Only nodes whose running Talos differs from the target are upgraded. Each node must go down, come back Ready,',
      'report the target version, have etcd whole again (control planes) and a ready machine status before the next',
      'one starts; every wait has a deadline. A failure stops the rollout and names the node and the resume command.',
      'rackhand never cordons a Talos node itself: up to v1.12 the node drains itself, from v1.13 talosctl does.',
    ].join('\n'),
    example: 'npx tsx tasks talos:upgrade-node --cluster lab --all --to v1.12.2',
    flags: {
      node: { ...NODE, description: 'upgrade this node only' },
      all: { type: 'boolean', description: 'upgrade every node of the cluster' },
      to: { ...VERSION, description: 'target Talos version (default: versions.talos from rackhand.yaml)' },
      image: { type: 'string', pattern: /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+:v\d+\.\d+\.\d+$/, hint: 'an installer image like factory.talos.dev/installer/<schematic>:v1.12.3', description: 'installer image (default: installer.image/<schematic>:<target> from rackhand.yaml)' },
      'reboot-mode': { type: 'string', description: 'talosctl --reboot-mode', choices: ['default', 'powercycle'], default: 'default' },
      'timeout-per-node': { type: 'duration', description: 'deadline for one node: drain, reboot, Ready, version, etcd, machine status', default: 15 * 60_000 },
      'drain-timeout': { type: 'duration', description: 'talosctl >= v1.13 --drain-timeout', default: 5 * 60_000 },
    },
    destructive: true,
    cluster: true,
    load: () => import('./talos/upgrade-node.ts'),
  },
  'talos:upgrade-k8s': {
    summary: 'upgrade Kubernetes with talosctl upgrade-k8s; postflight: every kubelet reports the target',
    description: '--dry-run is passed to `talosctl upgrade-k8s --dry-run`, which prints its plan and changes nothing.',
    example: 'npx tsx tasks talos:upgrade-k8s --cluster lab --to v1.32.3',
    flags: { to: { ...VERSION, description: 'target Kubernetes version (default: versions.kubernetes from rackhand.yaml)' } },
    destructive: true,
    cluster: true,
    load: () => import('./talos/upgrade-k8s.ts'),
  },
  'talos:reboot-node': {
    summary: 'reboot one node and wait until it is Ready, its machine status ready and etcd whole again',
    example: 'npx tsx tasks talos:reboot-node --cluster lab --node w1',
    flags: {
      node: { ...NODE, description: 'the node to reboot', required: true },
      mode: { type: 'string', description: 'talosctl reboot --mode', choices: ['default', 'powercycle'], default: 'default' },
      timeout: { type: 'duration', description: 'deadline for the node to be back', default: 10 * 60_000 },
    },
    destructive: true,
    cluster: true,
    load: () => import('./talos/reboot-node.ts'),
  },
  'talos:reset-node': {
    summary: 'wipe a node (STATE, EPHEMERAL) back to maintenance mode; type the cluster name to confirm',
    description: 'Automation: --yes --confirm-cluster NAME. The Kubernetes Node object stays until you delete it.',
    example: 'npx tsx tasks talos:reset-node --cluster lab --node w2 --yes --confirm-cluster lab',
    flags: {
      node: { ...NODE, description: 'the node to reset', required: true },
      'confirm-cluster': { type: 'string', description: 'with --yes: the cluster name, as a typed confirmation' },
      'no-graceful': { type: 'boolean', description: 'skip the cordon/drain and etcd leave (talosctl reset --graceful=false; a broken node)' },
      shutdown: { type: 'boolean', description: 'power off after the wipe instead of rebooting into maintenance mode' },
      timeout: { type: 'duration', description: 'deadline for the node to reach maintenance mode (or power off)', default: 10 * 60_000 },
    },
    destructive: 'typed',
    cluster: true,
    load: () => import('./talos/reset-node.ts'),
  },
  'talos:shutdown-node': {
    summary: 'power one node off (Talos cordons and drains it unless --force) and wait until it is off',
    example: 'npx tsx tasks talos:shutdown-node --cluster lab --node w2',
    flags: {
      node: { ...NODE, description: 'the node to shut down', required: true },
      force: { type: 'boolean', description: 'no cordon/drain (talosctl shutdown --force)' },
      timeout: { type: 'duration', description: 'deadline for the node to power off', default: 10 * 60_000 },
    },
    destructive: true,
    cluster: true,
    load: () => import('./talos/shutdown-node.ts'),
  },
};
