// The lab's topology: a YAML file validated with zod, expanded into the objects the store is seeded with.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { SeedFileSchema, VolsyncAppSchema } from './volsync/app.js';

export const DEFAULT_TOPOLOGY = fileURLToPath(new URL('./topologies/default.yaml', import.meta.url));

const name = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a lowercase DNS label');
const version = z.string().regex(/^v\d+\.\d+\.\d+$/, 'a version like v1.31.4');

const Node = z.object({
  name,
  address: z.ipv4(),
  role: z.enum(['controlplane', 'worker']),
  labels: z.record(z.string(), z.string()).optional(),
  /** the Talos side of the node (defaults: versions.talos, the installer section, configured and running) */
  talos: z.object({
    version: version.optional(),
    installer: z.string().optional(),
    schematic: z.string().regex(/^[0-9a-f]{64}$/).optional(),
    /** a machine booted from the ISO that has no configuration yet: no Kubernetes node until apply-config --insecure */
    maintenance: z.boolean().optional(),
  }).optional(),
  /** the k3s side of the node (distribution: k3s): installed at versions.k3s with the role's args unless said otherwise */
  k3s: z.object({
    installed: z.boolean().optional(),
    version: z.string().regex(/^v\d+\.\d+\.\d+\+k3s\d+$/).optional(),
    /** install args this node runs (default: the role's k3s.args) */
    args: z.array(z.string()).optional(),
    /** OS packages with pending updates; a reboot-required flag */
    upgradable: z.array(z.string()).optional(),
    rebootRequired: z.boolean().optional(),
  }).optional(),
});

const Workload = z.object({
  kind: z.enum(['Deployment', 'StatefulSet', 'DaemonSet']),
  name,
  namespace: name,
  replicas: z.number().int().min(0).optional(),
  image: z.string().min(1),
  labels: z.record(z.string(), z.string()).optional(),
  emptyDir: z.boolean().optional(),
  volumeClaim: z.string().optional(),
  tolerateAll: z.boolean().optional(),
  hostNetwork: z.boolean().optional(),
  nodeSelector: z.record(z.string(), z.string()).optional(),
});

const IntOrPercent = z.union([z.number().int().min(0), z.string().regex(/^\d+%$/)]);

const k3sVersion = z.string().regex(/^v\d+\.\d+\.\d+\+k3s\d+$/, 'a k3s version like v1.31.4+k3s1');

export const TopologySchema = z.object({
  cluster: name.default('lab'),
  /** talos (default): machines behind the fake talosctl; k3s: hosts behind real sshd on 127.0.0.1 (lab/k3s/) */
  distribution: z.enum(['talos', 'k3s']).default('talos'),
  k3s: z.object({
    version: k3sVersion.default('v1.31.4+k3s1'),
    /** what the stable channel resolves to (an install without INSTALL_K3S_VERSION) */
    stable: k3sVersion.optional(),
    datastore: z.enum(['etcd', 'sqlite']).default('etcd'),
    /** the install args of the topology's installed nodes, per role (the first server also gets --cluster-init for etcd) */
    args: z.object({ server: z.array(z.string()).default([]), agent: z.array(z.string()).default([]) }).prefault({}),
    /** the env given at install time (besides K3S_URL/K3S_TOKEN_FILE) */
    env: z.object({ server: z.record(z.string(), z.string()).default({}), agent: z.record(z.string(), z.string()).default({}) }).prefault({}),
    /** rackhand.yaml gets snapshots.restic: a restic repository (a local folder, password in the lab's 1Password) */
    snapshotRepository: z.boolean().default(false),
  }).prefault({}),
  /** the cluster's control plane endpoint as its machine configs name it (cluster.controlPlane.endpoint); informational:
   *  kubeconfigs the lab hands out point at the lab's own API server */
  endpoint: z.url().optional(),
  versions: z.object({ kubernetes: version.default('v1.31.4'), talos: version.default('v1.12.1') }).prefault({}),
  /** the talosctl the lab's fake reports (`talosctl version --client`); its generation picks the behaviour */
  talosctl: z.object({ version: version.optional() }).prefault({}),
  installer: z.object({
    image: z.string().default('factory.talos.dev/installer'),
    schematic: z.string().regex(/^[0-9a-f]{64}$/).default('376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba'),
  }).prefault({}),
  /** what each Image Factory schematic installs: schematic id => its official extensions (siderolabs/i915, ...) */
  schematics: z.record(z.string().regex(/^[0-9a-f]{64}$/), z.array(z.string())).default({}),
  node: z.object({
    kernelVersion: z.string().default('6.18.2-talos'),
    containerRuntimeVersion: z.string().default('containerd://2.1.5'),
    allowSchedulingOnControlPlanes: z.boolean().default(false),
  }).prefault({}),
  nodes: z.array(Node).min(1),
  namespaces: z.array(name).default([]),
  workloads: z.array(Workload).default([]),
  disruptionBudgets: z.array(z.object({
    name, namespace: name, selector: z.record(z.string(), z.string()),
    minAvailable: IntOrPercent.optional(), maxUnavailable: IntOrPercent.optional(),
  }).refine((p) => (p.minAvailable === undefined) !== (p.maxUnavailable === undefined), 'exactly one of minAvailable and maxUnavailable')).default([]),
  /** PersistentVolumeClaims (Bound, backed by DIR/volumes/<ns>/<name>/) with optional seed files: text or {bytes, seed} */
  persistentVolumeClaims: z.array(z.object({
    name, namespace: name, capacity: z.string().default('1Gi'),
    accessModes: z.array(z.enum(['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'])).default(['ReadWriteOnce']),
    storageClassName: z.string().optional(), files: z.record(z.string(), SeedFileSchema).default({}),
  })).default([]),
  /** VolSync-backed apps (lab/volsync/app.ts): Deployment, PVC, repository Secret, ReplicationSource, Flux Kustomization + HelmRelease */
  volsyncApps: z.array(VolsyncAppSchema).default([]),
  /** the media stack's fake services (lab/media): each backs the Service of its name in this namespace */
  media: z.object({ namespace: name.default('media') }).optional(),
  /** any other manifests, applied as they are (custom resources included) */
  objects: z.array(z.object({ apiVersion: z.string(), kind: z.string(), metadata: z.object({ name: z.string() }).loose() }).loose()).default([]),
}).superRefine((t, ctx) => {
  const seen = new Set<string>();
  for (const [i, n] of t.nodes.entries()) {
    if (seen.has(n.name)) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'name'], message: `duplicate node name ${n.name}` });
    seen.add(n.name);
  }
});

export type Topology = z.infer<typeof TopologySchema>;
export type TopologyWorkload = z.infer<typeof Workload>;

/** Reads and validates a topology; errors name the file and the path in it. */
export async function loadTopology(path: string = DEFAULT_TOPOLOGY): Promise<Topology> {
  const raw = parse(await readFile(path, 'utf8'));
  const r = TopologySchema.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid lab topology ${path}:\n${lines.join('\n')}`);
  }
  return r.data;
}
