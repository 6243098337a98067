// The shape of rackhand.yaml. One cluster entry per cluster the operator runs; `talconfig` may replace `nodes` and
// `versions` for Talos clusters managed with talhelper.
import { z } from 'zod';
import { DURATION } from '../patterns.ts';
import { address, nodeName, text, versionTag } from '../validate.ts';
import { cnpgTargetSchema, dumpTargetSchema } from './databases.ts';
import { composeSchema } from './compose.ts';
import { mediaSchema } from './media.ts';
import { notifySchema } from './notify.ts';

/** An installer image repository without its tag, e.g. factory.talos.dev/installer/<schematic> */
const installerRepo = text('expected an installer repository without a tag, like factory.talos.dev/installer/<schematic>', /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+$/);

export { sshSchema } from './schema-ssh.ts';
import { sshSchema } from './schema-ssh.ts';

/** k3s install env and args for one role, as given to the install script (INSTALL_K3S_* and K3S_* variables; the
 *  args after `server`/`agent`). Secrets do not belong here: the join token is `k3s.token`. */
const k3sRoleInstall = z.strictObject({
  env: z.record(
    z.string().regex(/^(INSTALL_K3S|K3S)_[A-Z0-9_]+$/, 'expected an install script variable like INSTALL_K3S_CHANNEL or K3S_NODE_NAME'),
    z.string({ error: 'expected a string value' }),
  ).superRefine((env, c) => {
    for (const k of Object.keys(env)) {
      if (/TOKEN|PASSWORD|SECRET/.test(k)) c.addIssue({ code: 'custom', path: [k], message: 'expected no secrets here: the join token is k3s.token (an op:// reference)' });
      if (k === 'INSTALL_K3S_VERSION') c.addIssue({ code: 'custom', path: [k], message: 'expected no version here: it is versions.k3s (and --to on upgrades)' });
    }
  }).optional(),
  args: z.array(text('expected one k3s argument, e.g. --disable=traefik')).optional(),
});

/** A restic repository as environment variables (RESTIC_REPOSITORY, RESTIC_PASSWORD, AWS_*, ...), the way VolSync's
 *  repository Secrets hold them; every secret one an op:// reference. */
const resticEnv = z.record(
  z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'expected a restic environment variable name like RESTIC_PASSWORD'),
  text('expected a value or an op://vault/item/field reference'),
).superRefine((env, c) => {
  if (!env.RESTIC_REPOSITORY) c.addIssue({ code: 'custom', message: 'expected RESTIC_REPOSITORY among the credentials', path: ['RESTIC_REPOSITORY'] });
  if (!env.RESTIC_PASSWORD && !env.RESTIC_PASSWORD_FILE && !env.RESTIC_PASSWORD_COMMAND) c.addIssue({ code: 'custom', message: 'expected RESTIC_PASSWORD (an op:// reference) among the credentials', path: ['RESTIC_PASSWORD'] });
  for (const [k, v] of Object.entries(env)) {
    if (/PASSWORD|SECRET|TOKEN|KEY/.test(k) && !/KEY_ID$/.test(k) && !/_FILE$|_COMMAND$/.test(k) && !v.startsWith('op://')) {
      c.addIssue({ code: 'custom', message: 'expected an op://vault/item/field reference (secrets are not kept in rackhand.yaml)', path: [k] });
    }
  }
});

/** Where cluster-state (etcd) snapshots are kept off the nodes: a folder (an NFS mount, a synced folder; default
 *  .rackhand/snapshots) and, besides it, a restic repository; and how many are kept. */
export const snapshotsSchema = z.strictObject({
  dir: text('expected a folder path, e.g. /mnt/nfs/k3s-snapshots').optional(),
  keep: z.number({ error: 'expected how many snapshots to keep, e.g. 10' }).int().min(1).max(1000).optional(),
  restic: resticEnv.optional(),
});

export const k3sSchema = z.strictObject({
  /** the cluster join token, as a 1Password reference (sent to nodes on stdin, never in argv) */
  token: text('expected an op://vault/item/field reference to the join token', /^op:\/\/[^/]+\/[^/]+\/.+$/).optional(),
  datastore: z.enum(['etcd', 'sqlite'], { error: 'expected etcd (embedded, HA) or sqlite (single server)' }).optional(),
  /** the URL further servers and agents join (K3S_URL); default https://<first server address>:6443 */
  url: text('expected the join URL, e.g. https://10.0.1.10:6443 (a server or a VIP)', /^https:\/\/\S+$/).optional(),
  /** where the install script comes from (default https://get.k3s.io) */
  installScript: text('expected the install script URL, e.g. https://get.k3s.io', /^https?:\/\/\S+$/).optional(),
  server: k3sRoleInstall.optional(),
  agent: k3sRoleInstall.optional(),
});

export const nodeSchema = z.strictObject({
  name: nodeName,
  address,
  /** talos: controlplane | worker; k3s: server | agent */
  role: z.enum(['controlplane', 'worker', 'server', 'agent'], { error: 'expected controlplane or worker (talos), server or agent (k3s)' }),
  /** (k3s) how to reach this node when it differs from the cluster's `ssh` */
  ssh: sshSchema.optional(),
  /** (Talos) this node's installer repository, without the tag: a node with its own schematic (a GPU's extensions) */
  installer: installerRepo.optional(),
  /** (Talos) the official extensions the node's schematic installs (siderolabs/i915, ...), when known */
  extensions: z.array(text('expected an extension name like siderolabs/i915')).optional(),
  /** (talhelper) the hostname as talconfig writes it when the node registers under another name (an FQDN) */
  hostname: nodeName.optional(),
});

export const clusterSchema = z.strictObject({
  distribution: z.enum(['talos', 'k3s'], { error: 'expected talos or k3s' }),
  kubeconfig: text('expected a path to a kubeconfig file'),
  context: text('expected the kube context name, e.g. admin@home'),
  apiServer: z.url({ error: 'expected the API server URL, e.g. https://10.0.0.10:6443' }),
  talconfig: text('expected a path to a talhelper talconfig.yaml').optional(),
  /** the age key that decrypts talenv.sops.yaml, as a 1Password reference (kept only in 1Password) */
  sopsAgeKey: text('expected an op://vault/item/field reference to the age key', /^op:\/\/[^/]+\/[^/]+\/.+$/).optional(),
  /** where op:push and op:pull keep this cluster's kubeconfig and talosconfig: 1Password Documents in this vault
   *  (titles default to <cluster>-kubeconfig and <cluster>-talosconfig) */
  onepassword: z.strictObject({
    vault: text('expected a 1Password vault name or id'),
    kubeconfig: text('expected the title of the Document item holding the kubeconfig').optional(),
    talosconfig: text('expected the title of the Document item holding the talosconfig').optional(),
  }).optional(),
  /** Talos client config; default: talosctl's own ($TALOSCONFIG, then ~/.talos/config). */
  talosconfig: text('expected a path to a talosconfig file').optional(),
  /** the bootstrap folder (files found in it), or the folder and its files named (paths relative to the folder) */
  bootstrap: z.union([
    text('expected the path of the cluster\'s bootstrap folder, e.g. ./bootstrap/home'),
    z.strictObject({
      dir: text('expected the path of the cluster\'s bootstrap folder, e.g. ./bootstrap'),
      crds: z.array(text('expected a helmfile path relative to bootstrap.dir, e.g. helmfile.d/00-crds.yaml')).optional(),
      apps: z.array(text('expected a helmfile path relative to bootstrap.dir, e.g. helmfile.d/01-apps.yaml')).optional(),
      secrets: z.array(text('expected a secret template path relative to bootstrap.dir, e.g. secrets.yaml.tpl')).optional(),
      namespaces: text('expected a namespaces file relative to bootstrap.dir, e.g. namespaces.yaml').optional(),
    }),
  ], { error: 'expected the bootstrap folder path, or {dir, crds, apps, secrets, namespaces}' }).optional(),
  /** (Talos without talhelper) the command, or pipeline of commands, that renders a node's machine config on stdout;
   *  {node}, {hostname}, {role}, {address} and {cluster} in any argument are replaced (also RACKHAND_NODE, ...
   *  in its environment). Run from `cwd` (default: rackhand.yaml's folder); the output stays in memory. */
  machineConfig: z.strictObject({
    render: z.union([
      z.array(text('expected a command argument')).min(1),
      z.array(z.array(text('expected a command argument')).min(1)).min(1),
    ], { error: 'expected a command as an argv list, e.g. [talhelper, genconfig, ...], or a pipeline: a list of argv lists' }),
    cwd: text('expected a folder path').optional(),
  }).optional(),
  versions: z.strictObject({
    talos: versionTag.optional(),
    kubernetes: versionTag.optional(),
    k3s: text('expected a k3s version like v1.31.4+k3s1', /^v\d+\.\d+\.\d+\+k3s\d+$/).optional(),
  }).optional(),
  installer: z.strictObject({
    image: text('expected an image repository, e.g. factory.talos.dev/installer', /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+$/),
    schematic: text('expected a 64-character hex schematic id', /^[0-9a-f]{64}$/),
  }).optional(),
  nodes: z.array(nodeSchema).optional(),
  /** (k3s) how nodes are reached: each node's `ssh` overrides these */
  ssh: sshSchema.optional(),
  /** (k3s) install, token and datastore */
  k3s: k3sSchema.optional(),
  /** where cluster-state snapshots are kept off the nodes (both distributions) */
  snapshots: snapshotsSchema.optional(),
  /** what health:cluster holds the cluster to (its flags override these) */
  health: z.strictObject({
    /** warn when a certificate (cert-manager or a TLS endpoint) expires sooner than this (default 30d) */
    certificateWarn: text('expected a duration like 30d', DURATION).optional(),
    /** a renewalTime that passed longer ago than this is a stuck renewal (default 1h) */
    renewalGrace: text('expected a duration like 1h', DURATION).optional(),
    /** a backup (VolSync, CloudNativePG) older than this fails (default 26h) */
    backupMaxAge: text('expected a duration like 26h', DURATION).optional(),
    /** the operator's own CA (PEM) that TLS endpoints are checked against besides the system roots */
    tlsCa: text('expected a path to a PEM CA certificate, e.g. ./ca.pem').optional(),
    /** probe each NFS-backed StorageClass with a short Pod that writes, reads and deletes a file (default false) */
    nfsProbe: z.boolean({ error: 'expected true or false' }).optional(),
    /** the namespace the NFS probe runs in (default default) */
    probeNamespace: text('expected a namespace name', /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).optional(),
    metricsFile: text('expected a file path like /var/lib/node_exporter/textfile/health.prom').optional(),
    pushgateway: text('expected a URL like http://pushgateway.monitoring:9091', /^https?:\/\/\S+$/).optional(),
  }).optional(),
  /** the media stack media:check and media:vpn-check look at (lib/config/media.ts) */
  media: mediaSchema.optional(),
  /** What dr:verify-backups and dr:drill hold backups to. */
  backups: z.strictObject({
    rpo: text('expected a duration like 25h', DURATION).optional(),
    /** how long a drill may take from start to verified data (default 30m) */
    rto: text('expected a duration like 30m', DURATION).optional(),
    /** the cluster-state (etcd snapshot) drill's own targets */
    clusterState: z.strictObject({ rto: text('expected a duration like 30m', DURATION).optional(), rpo: text('expected a duration like 25h', DURATION).optional() }).optional(),
    subsets: z.number({ error: 'expected a whole number of check subsets, e.g. 10' }).int().min(1).max(1000).optional(),
    apps: z.record(z.string(), z.strictObject({
      rpo: text('expected a duration like 25h', DURATION).optional(),
      rto: text('expected a duration like 30m', DURATION).optional(),
      /** restic env vars for out-of-cluster access instead of the app's repository Secret; secrets as op:// references */
      credentials: resticEnv.optional(),
      sentinel: z.strictObject({
        path: text('expected a path inside the volume, e.g. .rackhand-sentinel'),
        sha256: text('expected a 64-character hex sha256', /^[0-9a-f]{64}$/),
      }).optional(),
    })).optional(),
    /** CloudNativePG clusters drilled with dr:drill --cnpg, by Cluster name */
    cnpg: z.record(z.string(), cnpgTargetSchema).optional(),
    /** pg_dump backups checked by db:verify-dumps and drilled with dr:drill --dump, by a name of the operator's */
    dumps: z.record(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a dump name like immich (lowercase, dashes)'), dumpTargetSchema).optional(),
    /** backup:export-config: each namespace's objects into a restic repository, Secrets encrypted with age */
    configExport: z.strictObject({
      repository: resticEnv,
      /** age recipients (public keys, age1...) the Secrets are encrypted to */
      recipients: z.array(text('expected an age recipient like age1...', /^age1[0-9a-z]{58}$/)).min(1, { error: 'expected at least one age recipient' }),
      /** the age identity (AGE-SECRET-KEY-1...) that backup:restore-config decrypts with, as a 1Password reference */
      identity: text('expected an op://vault/item/field reference to the age identity', /^op:\/\/[^/]+\/[^/]+\/.+$/).optional(),
      /** retention, as restic's --keep-<policy> (default daily 7, weekly 4) */
      keep: z.strictObject(Object.fromEntries(['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'].map((k) => [k, z.number({ error: 'expected how many to keep, e.g. 7' }).int().min(1).optional()])) as Record<'last' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly', z.ZodOptional<z.ZodNumber>>).optional(),
    }).optional(),
    drill: z.strictObject({
      image: text('expected an image reference like docker.io/library/busybox:1.37.0', /^[a-z0-9][\w./:@-]*$/).optional(),
      reportDir: text('expected a directory path').optional(),
      metricsFile: text('expected a file path like /var/lib/node_exporter/textfile/dr.prom').optional(),
      pushgateway: text('expected a URL like http://pushgateway.monitoring:9091', /^https?:\/\/\S+$/).optional(),
    }).optional(),
  }).optional(),
});

export const configSchema = z.strictObject({
  /** the operator's own task folders (tasks/<namespace>/<name>.ts|.mjs), relative to rackhand.yaml */
  tasks: z.array(text('expected a folder path like ./ops/tasks')).optional(),
  /** where runs report with --notify-on (lib/config/notify.ts) */
  notify: notifySchema.optional(),
  /** Docker Compose hosts and the Git checkouts their compose files come from (compose:drift, lib/config/compose.ts) */
  compose: composeSchema.optional(),
  /** the runbook folder, relative to rackhand.yaml (default ./runbooks) */
  runbooks: text('expected a folder path like ./runbooks').optional(),
  clusters: z.record(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a cluster name (lowercase letters, digits, "-")'), clusterSchema),
});

export type SshConfig = z.infer<typeof sshSchema>;
export type K3sConfig = z.infer<typeof k3sSchema>;

/** After loading, every node's role is controlplane or worker (a k3s server is a control plane, an agent a worker);
 *  its ssh settings are the cluster's merged with its own, paths absolute. */
export type NodeConfig = Omit<z.infer<typeof nodeSchema>, 'role'> & {
  role: 'controlplane' | 'worker';
  /** (talhelper) the node names a schematic whose id rackhand cannot compute offline: no installer is guessed */
  installerUnknown?: string;
};
export type RawClusterConfig = z.infer<typeof clusterSchema>;

/** A cluster after loading: paths absolute, nodes and versions resolved (from talconfig where referenced). */
export type BootstrapLayout = Omit<Extract<NonNullable<RawClusterConfig['bootstrap']>, object>, 'dir'>;

export interface ClusterConfig extends Omit<RawClusterConfig, 'nodes' | 'versions' | 'bootstrap'> {
  name: string;
  nodes: NodeConfig[];
  versions: NonNullable<RawClusterConfig['versions']>;
  /** The file the cluster came from, for messages. */
  source: string;
  /** talconfig's clusterName, when it differs from the rackhand name (it names talhelper's machine config files) */
  talosClusterName?: string;
  /** talconfig's endpoint (the control plane endpoint its machine configs carry) */
  talosEndpoint?: string;
  /** the versions talconfig.yaml itself names (rackhand.yaml's `versions` win over them) */
  talconfigVersions?: { talos?: string; kubernetes?: string };
  /** talhelper variables the talconfig uses that nothing set (talenv.yaml, talenv.sops.yaml, the environment) */
  talconfigUnset?: string[];
  /** the bootstrap folder, absolute */
  bootstrap?: string;
  /** bootstrap files named in rackhand.yaml (relative to `bootstrap`); what is not named is found in the folder */
  bootstrapFiles?: BootstrapLayout;
  /** loaded for another cluster's run: its talconfig was not read */
  unresolved?: true;
}
