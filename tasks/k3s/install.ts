// k3s:install — installs k3s on a cluster's nodes over SSH: the first server (with --cluster-init for embedded etcd),
// then further servers, then agents; one node or all. Each node is probed first (`k3s --version`, the active unit,
// its Node object), so a re-run does only what is left. The first server's kubeconfig is fetched, pointed at the
// cluster's apiServer and written (0600). Every install is recorded in the cluster's k3s history.
import { nodesReady } from '../../lib/checks/nodes.ts';
import type { NodeConfig } from '../../lib/config.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { NODE } from '../../lib/engine/flag-kit.ts';
import { StepFailure, UsageError, type Check, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { appendHistory } from '../../lib/k3s/history.ts';
import { DEFAULT_SCRIPT_URL, runInstall, TOKEN_FILE, type InstallSpec } from '../../lib/k3s/install.ts';
import { firstServer, joinUrl, tokenSource } from '../../lib/k3s/join.ts';
import { K3S_KUBECONFIG, kubeconfigInPlace, rewriteKubeconfig, writeClusterKubeconfig } from '../../lib/k3s/kubeconfig.ts';
import { K3sNodes, pickNodes, requireK3s, roleName, unitOf, type NodeProbe } from '../../lib/k3s/nodes.ts';
import { nodeAt } from '../../lib/k3s/wait.ts';
import { K3S_VERSION } from '../../lib/k3s/version.ts';
import { ACCEPT_NEW_HOST_KEY, sshReachable } from '../../lib/k3s/checks.ts';

function install() {
  let targets: NodeConfig[];
  let version: string;
  let nodes: K3sNodes;
  const probes = new Map<string, NodeProbe>();
  return {
    validate(ctx: TaskContext) {
      requireK3s(ctx);
      targets = pickNodes(ctx);
      version = (ctx.flags.version as string | undefined) ?? ctx.cluster.versions.k3s ?? '';
      if (!K3S_VERSION.test(version)) throw new UsageError(`--version: expected a k3s version like v1.31.4+k3s1 (clusters.${ctx.cluster.name}.versions.k3s is not set)`);
      // servers first (the first server before any other), then agents
      const first = firstServer(ctx.cluster);
      targets = [...targets.filter((n) => n === first), ...targets.filter((n) => n !== first && n.role === 'controlplane'), ...targets.filter((n) => n.role === 'worker')];
    },
    preflight: (ctx: TaskContext): Check[] => {
      nodes = new K3sNodes(ctx);
      const first = firstServer(ctx.cluster);
      // joining nodes need the first server too (its token, its state)
      return [sshReachable(() => nodes, () => [...new Set([first, ...targets])])];
    },
    changes: () => targets.map((n) => {
      const p = probes.get(n.name);
      return p?.version ? `${n.name}: already runs k3s ${p.version}${p.active ? '' : ' (its unit is not active: it is started)'}` : `${n.name}: k3s ${version} is installed as ${roleName(n)} and started`;
    }),
    async plan(ctx: TaskContext): Promise<Step[]> {
      const c = ctx.cluster;
      const first = firstServer(c);
      for (const p of await nodes.probeAll([...new Set([first, ...targets])])) probes.set(p.node.name, p);
      const token = tokenSource(ctx, nodes);
      const scriptUrl = c.k3s?.installScript ?? DEFAULT_SCRIPT_URL;
      const timeoutMs = ctx.flags.timeout as number;
      ctx.data.version = version;
      const steps: Step[] = [];
      const spec = async (n: NodeConfig): Promise<InstallSpec> => {
        const role = roleName(n);
        const conf = c.k3s?.[role];
        const isFirst = n === first;
        const clusterInit = isFirst && (c.k3s?.datastore ?? 'etcd') === 'etcd' && !(conf?.args ?? []).includes('--cluster-init');
        const args = [...(clusterInit ? ['--cluster-init'] : []), ...(conf?.args ?? [])];
        const t = isFirst && !c.k3s?.token ? undefined : await token();
        if (!isFirst && !t) throw new StepFailure(`${n.name}: no join token (k3s.token is not set and ${first.name} has no ${'/var/lib/rancher/k3s/server/token'})`, `install ${first.name} first, or set clusters.${c.name}.k3s.token to an op:// reference`);
        return {
          node: n, version, command: role, args,
          env: { ...(conf?.env ?? {}), ...(isFirst ? {} : { K3S_URL: joinUrl(c) }), ...(t ? { K3S_TOKEN_FILE: TOKEN_FILE } : {}) },
          ...(t ? { token: t } : {}),
        };
      };
      for (const n of targets) {
        const p = probes.get(n.name)!;
        steps.push({
          title: `install k3s ${version} on ${roleName(n)} ${n.name}${n === first ? ` (first server${(c.k3s?.datastore ?? 'etcd') === 'etcd' ? ', embedded etcd' : ', sqlite'})` : ''}`,
          isDone: async () => (p.version && p.active === unitOf(n) ? `${n.name} runs k3s ${p.version} (${p.active} active)` : false),
          byHand: [`ssh ${n.name} sudo journalctl -u ${unitOf(n)} -n 50 --no-pager`],
          async run(rt) {
            if (p.version && !p.active) {
              rt.output(`${n.name}: k3s ${p.version} is installed but ${unitOf(n)} is not active: starting it`);
              await nodes.mutate(n, ['systemctl', 'start', unitOf(n)], { sudo: true, timeoutMs });
              return;
            }
            const s = await spec(n);
            await runInstall(nodes, s, { scriptUrl, timeoutMs, output: (l) => rt.output(l) });
            if (ctx.dryRun) return;
            if (n === first) await fetchKubeconfig(ctx, nodes, first, rt.output);
            rt.output(`waiting for node ${n.name} to be Ready at ${version}`);
            await nodeAt(ctx, n.name, version, timeoutMs);
            await appendHistory(ctx.kubectl, { at: new Date().toISOString(), node: n.name, to: version, command: s.command, args: s.args, env: s.env, by: 'k3s:install' });
          },
        });
        if (n === first) {
          steps.push({
            title: `write the kubeconfig ${c.kubeconfig} (context ${c.context}, server ${c.apiServer})`,
            isDone: async () => ((await kubeconfigInPlace(c.kubeconfig, c)) ? `${c.kubeconfig} already points ${c.context} at ${c.apiServer}` : false),
            run: async (rt) => { if (!ctx.dryRun) await fetchKubeconfig(ctx, nodes, first, rt.output); },
          });
        }
      }
      return steps;
    },
    postflight: (ctx: TaskContext): Check[] => (targets.length === ctx.cluster.nodes.length ? [nodesReady] : []),
  };
}

async function fetchKubeconfig(ctx: TaskContext, nodes: K3sNodes, server: NodeConfig, output: (l: string) => void): Promise<void> {
  const c = ctx.cluster;
  if (await kubeconfigInPlace(c.kubeconfig, c)) return;
  const text = await nodes.readFile(server, K3S_KUBECONFIG);
  if (!text) throw new StepFailure(`${server.name}: ${K3S_KUBECONFIG} does not exist`, `ssh ${server.name} sudo journalctl -u k3s -n 50 --no-pager`);
  // its client key is a credential: nothing prints it
  for (const m of text.matchAll(/(?:client-key-data|token|password):\s*(\S+)/g)) ctx.exec.registerSecret(m[1]!);
  await writeClusterKubeconfig(c.kubeconfig, rewriteKubeconfig(text, c));
  output(`wrote ${c.kubeconfig} (0600): context ${c.context} -> ${c.apiServer}`);
  ctx.artifact('kubeconfig', c.kubeconfig);
}

export default defineTask({
  summary: 'install k3s over SSH: the first server (embedded etcd), further servers, then agents; re-runs do only what is left',
  description: [
    'Each node is probed first (k3s --version, its unit, its Node): installed and running nodes are skipped. The',
    'install script is downloaded to a file on the node before it runs (a failed download is a failure, not an empty',
    'script), with INSTALL_K3S_VERSION, the role\'s env and args from rackhand.yaml, K3S_URL for joining nodes and',
    'the join token in a 0600 file sent over stdin (K3S_TOKEN_FILE; never argv, never output). The first server\'s',
    'kubeconfig is written to the cluster\'s kubeconfig, pointed at apiServer. Host keys are checked against',
    '.rackhand/known_hosts: --accept-new-host-key learns the key of a node seen for the first time.',
  ].join('\n'),
  example: 'npx tsx tasks k3s:install --cluster edge --all --accept-new-host-key',
  flags: {
    node: { ...NODE, description: 'install this node only (its first server must be installed or in the same run)' },
    all: { type: 'boolean', description: 'install every node of the cluster (the default)' },
    version: { type: 'string', pattern: K3S_VERSION, hint: 'a k3s version like v1.31.4+k3s1', description: 'the k3s version (default: versions.k3s from rackhand.yaml)' },
    timeout: { type: 'duration', description: 'deadline for each node: install script, start, Node Ready', default: 10 * 60_000 },
    'accept-new-host-key': ACCEPT_NEW_HOST_KEY,
  },
  destructive: true,
  cluster: true,
  // nothing answers before the first server runs: no cluster lock, the target comes from rackhand.yaml
  lock: false,
  identityFrom: 'config',
  impl: install,
});
