// Loads rackhand.yaml: from --config, else RACKHAND_CONFIG, else ./rackhand.yaml. Validates it fully before anything
// runs; relative paths are resolved against the file's own folder.
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { homedir } from 'node:os';
import { configSchema, type ClusterConfig, type NodeConfig, type RawClusterConfig, type SshConfig } from './config/schema.ts';
import { readTalconfig } from './config/talconfig.ts';
import type { Decrypt } from './config/sops.ts';
import { ConfigError, parseYamlFile } from './config/yaml-errors.ts';
export { configPath } from './config/path.ts';

export { ConfigError } from './config/yaml-errors.ts';
export type { ClusterConfig, K3sConfig, NodeConfig, SshConfig } from './config/schema.ts';

export interface Config { path: string; clusters: Map<string, ClusterConfig> }


function resolvePath(base: string, p: string): string {
  if (p === '~' || p.startsWith('~/')) return join(homedir(), p.slice(1));
  return isAbsolute(p) ? p : resolve(base, p);
}

/** The cluster names of rackhand.yaml (the file checked against the schema; no cluster's own files read). */
export async function clusterNames(path: string): Promise<string[]> {
  return Object.keys((await parseYamlFile(path, configSchema)).clusters);
}

/** Loads rackhand.yaml. With `only`, the talconfig.yaml of that cluster alone is read (or of the only cluster when
 *  `only.cluster` is undefined): a task for one cluster must not fail on another cluster's files. */
export async function loadConfig(path: string, only?: { cluster: string | undefined }, env: Record<string, string | undefined> = process.env, decrypt?: Decrypt): Promise<Config> {
  const raw = await parseYamlFile(path, configSchema);
  const base = dirname(path);
  const clusters = new Map<string, ClusterConfig>();
  const names = Object.keys(raw.clusters);
  const target = only ? (only.cluster ?? (names.length === 1 ? names[0] : undefined)) : undefined;
  for (const [name, c] of Object.entries(raw.clusters)) {
    let nodes = normaliseNodes(path, name, c, base);
    let versions = { ...c.versions };
    let talosClusterName: string | undefined;
    let talosEndpoint: string | undefined;
    let talconfigVersions: { talos?: string; kubernetes?: string } | undefined;
    let talconfigUnset: string[] = [];
    if (only && name !== target) {
      // not the cluster this run targets: its own files are not read (pickCluster never returns it)
      clusters.set(name, { ...c, bootstrap: undefined, name, nodes, versions, source: path, kubeconfig: resolvePath(base, c.kubeconfig), unresolved: true });
      continue;
    }
    if (c.talconfig) {
      if (c.distribution !== 'talos') throw new ConfigError([`${path} clusters.${name}.talconfig: only talos clusters take a talconfig.yaml`]);
      const tal = await readTalconfig(resolvePath(base, c.talconfig), env, decrypt ? (file) => decrypt(file, c.sopsAgeKey) : undefined);
      nodes = c.nodes ? nodes : tal.nodes;
      versions = { ...tal.versions, ...c.versions };
      talosClusterName = tal.clusterName;
      talosEndpoint = tal.endpoint;
      talconfigVersions = tal.versions;
      talconfigUnset = tal.unset;
    }
    if (nodes.length === 0) throw new ConfigError([`${path} clusters.${name}.nodes: expected at least one node (or a talconfig)`]);
    const dup = nodes.find((n, i) => nodes.findIndex((m) => m.name === n.name) !== i);
    if (dup) throw new ConfigError([`${path} clusters.${name}.nodes: node name "${dup.name}" appears twice`]);
    clusters.set(name, {
      ...c, bootstrap: undefined, name, nodes, versions, source: path, ...(talosClusterName ? { talosClusterName } : {}), ...(talosEndpoint ? { talosEndpoint } : {}), ...(talconfigVersions ? { talconfigVersions } : {}), ...(talconfigUnset.length ? { talconfigUnset } : {}),
      kubeconfig: resolvePath(base, c.kubeconfig),
      ...(c.talconfig ? { talconfig: resolvePath(base, c.talconfig) } : {}),
      ...(c.talosconfig ? { talosconfig: resolvePath(base, c.talosconfig) } : {}),
      ...(c.machineConfig ? { machineConfig: { ...c.machineConfig, cwd: resolvePath(base, c.machineConfig.cwd ?? '.') } } : {}),
      ...(typeof c.bootstrap === 'string' ? { bootstrap: resolvePath(base, c.bootstrap) } : {}),
      ...(typeof c.bootstrap === 'object' ? { bootstrap: resolvePath(base, c.bootstrap.dir), bootstrapFiles: (({ dir: _, ...files }) => files)(c.bootstrap) } : {}),
      ...(c.backups?.drill ? { backups: { ...c.backups, drill: resolveDrillPaths(base, c.backups.drill) } } : {}),
      ...(c.snapshots?.dir ? { snapshots: { ...c.snapshots, dir: resolvePath(base, c.snapshots.dir) } } : {}),
      ...(c.health ? { health: { ...c.health, ...(c.health.tlsCa ? { tlsCa: resolvePath(base, c.health.tlsCa) } : {}), ...(c.health.metricsFile ? { metricsFile: resolvePath(base, c.health.metricsFile) } : {}) } } : {}),
    });
  }
  return { path, clusters };
}

const K3S_ROLES = { server: 'controlplane', agent: 'worker' } as const;

/** A k3s server is a control plane and an agent a worker; each vocabulary belongs to its distribution. A node's ssh
 *  settings are the cluster's with its own on top, key and known_hosts paths absolute. */
function normaliseNodes(path: string, cluster: string, c: RawClusterConfig, base: string): NodeConfig[] {
  const errors: string[] = [];
  const nodes = (c.nodes ?? []).map((n, i): NodeConfig => {
    const k3s = c.distribution === 'k3s';
    const ok = k3s ? n.role === 'server' || n.role === 'agent' : n.role === 'controlplane' || n.role === 'worker';
    if (!ok) errors.push(`${path} clusters.${cluster}.nodes[${i}].role: expected ${k3s ? 'server or agent (a k3s cluster)' : 'controlplane or worker (a talos cluster)'} (got "${n.role}")`);
    const role = n.role === 'server' || n.role === 'agent' ? K3S_ROLES[n.role] : n.role;
    const ssh = c.ssh || n.ssh ? resolveSsh(base, { ...c.ssh, ...n.ssh }) : undefined;
    return { ...n, role, ...(ssh ? { ssh } : {}) };
  });
  if (errors.length) throw new ConfigError(errors);
  return nodes;
}

function resolveSsh(base: string, s: SshConfig): SshConfig {
  return { ...s, ...(s.key ? { key: resolvePath(base, s.key) } : {}), ...(s.knownHosts ? { knownHosts: resolvePath(base, s.knownHosts) } : {}) };
}

function resolveDrillPaths<T extends { reportDir?: string; metricsFile?: string }>(base: string, d: T): T {
  return { ...d, ...(d.reportDir ? { reportDir: resolvePath(base, d.reportDir) } : {}), ...(d.metricsFile ? { metricsFile: resolvePath(base, d.metricsFile) } : {}) };
}

/** Picks the cluster named by --cluster, or the only one; errors name the choices. */
export function pickCluster(config: Config, name: string | undefined): ClusterConfig {
  const names = [...config.clusters.keys()];
  if (name === undefined) {
    if (names.length === 1) return config.clusters.get(names[0]!)!;
    throw new ConfigError([`--cluster: expected one of ${names.join(', ') || '(none configured)'} (${config.path} has ${names.length} clusters)`]);
  }
  const c = config.clusters.get(name);
  if (!c) throw new ConfigError([`--cluster: no cluster "${name}" in ${config.path}; expected one of ${names.join(', ') || '(none)'}`]);
  if (c.unresolved) throw new Error(`cluster ${name} was loaded without its files; load the config for it`);
  return c;
}
