// What rackhand understands of one cluster of the repository, from the files alone where it can (rackhand.yaml,
// talconfig, machine configs or their render command, bootstrap helmfiles through `helmfile build`, secret
// templates) and from the cluster when it answers (VolSync sources). Nothing here changes anything.
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { readInputs } from '../bootstrap/inputs.ts';
import { buildReleases } from '../bootstrap/helmfiles.ts';
import { loadConfig, pickCluster, type ClusterConfig } from '../config.ts';
import { sopsDecryptor } from '../config/sops.ts';
import { ConfigError } from '../config/yaml-errors.ts';
import { UsageError, type TaskContext } from '../engine/types.ts';
import { installerImage } from '../talos/images.ts';
import { describeSource, loadMachineConfig, machineConfigSource } from '../talos/machine-source.ts';
import { Helmfile } from '../tools/helmfile.ts';
import { Kubectl } from '../tools/kubectl.ts';
import { moverOf, RS, type ReplicationSource } from '../volsync/types.ts';
import type { ClusterReport, Finding } from './findings.ts';

/** The task context bound to one cluster (library functions read ctx.cluster and ctx.kubectl). */
function forCluster(ctx: TaskContext, c: ClusterConfig): TaskContext {
  return Object.create(ctx, { cluster: { value: c }, kubectl: { value: new Kubectl(ctx.exec, { kubeconfig: c.kubeconfig, context: c.context }, 8_000) } }) as TaskContext;
}

const origin = (u: string) => { try { const x = new URL(u); return `${x.hostname}:${x.port || '443'}`; } catch { return u; } };

export async function examineCluster(ctx: TaskContext, configPath: string, name: string): Promise<ClusterReport> {
  const report: ClusterReport = { name, nodes: [], releases: [], crdHelmfiles: [], secretReferences: [], volsync: [], findings: [] };
  const add = (level: Finding['level'], where: string, message: string) => report.findings.push({ level, where, message });
  let c: ClusterConfig;
  try {
    c = pickCluster(await loadConfig(configPath, { cluster: name }, ctx.env, sopsDecryptor(ctx.exec, ctx.env)), name);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    add('broken', 'config', err.message);
    return report;
  }
  Object.assign(report, { distribution: c.distribution, apiServer: c.apiServer, context: c.context, ...(c.talconfig ? { talconfig: c.talconfig } : {}) });
  const cctx = forCluster(ctx, c);
  talosFindings(c, add);
  for (const n of c.nodes) {
    let installer = '-';
    if (c.distribution === 'talos') {
      try {
        installer = installerImage(c, c.versions.talos ?? '<versions.talos>', n);
        if (!n.installer && !c.installer) add('guess', `node ${n.name}`, 'no talosImageURL, schematic or installer: the vanilla Image Factory schematic (no extensions) is assumed');
      } catch (err) {
        add('broken', `node ${n.name}`, (err as Error).message);
      }
    }
    let machineConfig = '-';
    if (c.distribution === 'talos' && (c.talconfig || c.machineConfig)) {
      const s = machineConfigSource(c, n);
      machineConfig = describeSource(s);
      if (s.kind === 'file' && !existsSync(s.path)) add('mismatch', `node ${n.name}`, `no machine config at ${s.path} (run talhelper genconfig, or check clusterName and hostname in talconfig)`);
      else {
        try {
          await loadMachineConfig(cctx, n, s, s.kind === 'file' ? 'machine config' : `clusters.${c.name}.machineConfig.render`);
        } catch (err) {
          if (!(err instanceof UsageError)) throw err;
          add('broken', `node ${n.name}`, err.message);
        }
      }
    }
    if (n.hostname) add('guess', `node ${n.name}`, `talconfig hostname ${n.hostname} registers as ${n.name} (Talos uses the short name unless machine.kubelet.registerWithFQDN is set)`);
    report.nodes.push({ name: n.name, address: n.address, role: c.distribution === 'k3s' ? (n.role === 'controlplane' ? 'server' : 'agent') : n.role, ...(n.hostname ? { hostname: n.hostname } : {}), installer, ...(n.extensions ? { extensions: n.extensions } : {}), machineConfig, ...(c.distribution === 'k3s' ? k3sRow(c, n) : {}) });
  }
  if (c.distribution === 'k3s') k3sFindings(c, add);
  if (c.bootstrap) await bootstrapFindings(cctx, c, report, add);
  await volsyncFindings(cctx, report, add);
  return report;
}

/** (k3s) how a node is reached and what k3s:install gives it, from rackhand.yaml alone */
function k3sRow(c: ClusterConfig, n: ClusterConfig['nodes'][number]): { ssh: string; install: string } {
  const s = n.ssh ?? {};
  const role = n.role === 'controlplane' ? 'server' : 'agent';
  const conf = c.k3s?.[role];
  const first = c.nodes.find((x) => x.role === 'controlplane') === n;
  const args = [...(first && (c.k3s?.datastore ?? 'etcd') === 'etcd' ? ['--cluster-init'] : []), ...(conf?.args ?? [])];
  return {
    ssh: `${s.user ?? '(ssh default user)'}@${n.address}${s.port ? `:${s.port}` : ''}${s.key ? ` key ${s.key}` : ''}${s.user && s.user !== 'root' ? ' (sudo -n)' : ''}`,
    install: `${role} ${args.join(' ')}${Object.keys(conf?.env ?? {}).length ? ` env ${Object.keys(conf!.env!).join(', ')}` : ''}`.trim(),
  };
}

function k3sFindings(c: ClusterConfig, add: (l: Finding['level'], w: string, m: string) => void): void {
  if (!c.versions.k3s) add('guess', 'versions.k3s', 'not set: k3s:install and k3s:upgrade need --version / --to');
  if (!c.k3s?.token) add('guess', 'k3s.token', 'not set: joining nodes get the first server\'s server/token, and a restore onto new servers has no token to give');
  if (!c.snapshots?.dir && !c.snapshots?.restic) add('guess', 'snapshots', 'not set: snapshots are copied to .rackhand/snapshots/<cluster> on this workstation only (set snapshots.dir to an NFS path or snapshots.restic to a repository)');
  if (!c.nodes.some((n) => n.ssh?.knownHosts)) add('unchecked', 'ssh', 'host keys are checked against .rackhand/known_hosts: learn them once with --accept-new-host-key');
}

function talosFindings(c: ClusterConfig, add: (l: Finding['level'], w: string, m: string) => void): void {
  if (c.talconfigUnset?.length) add('mismatch', 'talconfig', `variable(s) ${c.talconfigUnset.map((v) => `\${${v}}`).join(', ')} set nowhere (talenv.yaml, talenv.sops.yaml, the environment): they read as empty`);
  if (c.talosEndpoint && origin(c.talosEndpoint) !== origin(c.apiServer)) {
    add('mismatch', 'apiServer', `rackhand.yaml says ${c.apiServer}, talconfig's endpoint is ${c.talosEndpoint} (a VIP or DNS name can be right: check they reach the same API server)`);
  }
  for (const k of ['talos', 'kubernetes'] as const) {
    const tal = c.talconfigVersions?.[k];
    if (tal && c.versions[k] && tal !== c.versions[k]) add('mismatch', `versions.${k}`, `rackhand.yaml says ${c.versions[k]}, talconfig says ${tal}: rackhand uses ${c.versions[k]}`);
  }
  if (c.distribution === 'talos' && !c.versions.talos) add('guess', 'versions.talos', 'not set in rackhand.yaml or talconfig: upgrades need --to');
  if (!existsSync(c.kubeconfig)) add('unchecked', 'kubeconfig', `${c.kubeconfig} does not exist yet (bootstrap writes it)`);
}

async function bootstrapFindings(ctx: TaskContext, c: ClusterConfig, report: ClusterReport, add: (l: Finding['level'], w: string, m: string) => void): Promise<void> {
  let inputs;
  try {
    inputs = readInputs(c.bootstrap!, `${c.source} clusters.${c.name}`, c.bootstrapFiles);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    add('broken', 'bootstrap', err.message);
    return;
  }
  for (const g of inputs.helmfiles.guesses) add('guess', 'bootstrap', g);
  report.crdHelmfiles = inputs.helmfiles.crds.map((f) => relative(c.bootstrap!, f));
  report.secretReferences = inputs.references;
  const helmfilePresent = (await ctx.exec.run(['helmfile', '--version'], { mutating: false, timeoutMs: 15_000 })).exitCode === 0;
  for (const file of inputs.helmfiles.apps) {
    const shown = relative(c.bootstrap!, file);
    if (!helmfilePresent) { add('unchecked', 'bootstrap', `releases of ${shown}: helmfile is not installed`); continue; }
    try {
      const releases = await buildReleases(new Helmfile(ctx.exec, file, { kubeconfig: c.kubeconfig, context: c.context }), file);
      report.releases.push({ file: shown, releases: releases.map((r) => `${r.namespace}/${r.name}`) });
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      add('broken', 'bootstrap', err.message);
    }
  }
}

async function volsyncFindings(ctx: TaskContext, report: ClusterReport, add: (l: Finding['level'], w: string, m: string) => void): Promise<void> {
  if (!existsSync(ctx.cluster.kubeconfig)) return; // said above: no kubeconfig yet
  let sources: ReplicationSource[];
  try {
    sources = await ctx.kubectl.list<ReplicationSource>(RS, { allNamespaces: true });
  } catch (err) {
    const why = (err as Error).message.split('\n')[0] ?? '';
    add('unchecked', 'VolSync', /the server doesn't have a resource type|could not find the requested resource/.test(why) ? 'VolSync is not installed in the cluster' : `the cluster did not answer (${why})`);
    return;
  }
  for (const s of sources) {
    const ns = s.metadata.namespace!;
    const mover = moverOf(s);
    if (!mover) add('guess', `VolSync ${ns}/${s.metadata.name}`, 'neither a restic nor a kopia mover: rackhand leaves it alone');
    const others = sources.filter((o) => o !== s && o.metadata.namespace === ns && o.spec?.sourcePVC === s.spec?.sourcePVC).map((o) => o.metadata.name);
    report.volsync.push({ app: `${ns}/${s.metadata.name}`, mover: mover ?? 'unknown', pvc: s.spec?.sourcePVC ?? '-', alsoBackedUpBy: others });
  }
}
