// k3s:upgrade — rolling k3s upgrade over SSH: an etcd snapshot copied off-node first, then servers one at a time,
// then agents one at a time; each node cordoned, drained (PDBs respected, with a deadline), re-installed with the
// env and args it runs now plus INSTALL_K3S_VERSION, back Ready at the target, uncordoned. Nodes at the target are
// skipped; the first failure stops the rollout with the resume command. --plan-only renders system-upgrade-controller
// Plans instead, for operators who upgrade with it.
import { snapshotRepoCheck } from '../../lib/snapshots/keep.ts';
import { stringify } from 'yaml';
import { drainAllowedByPdbs } from '../../lib/checks/pdbs.ts';
import { nodesReady } from '../../lib/checks/nodes.ts';
import type { NodeConfig } from '../../lib/config.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { IGNORE_PDBS, NODE } from '../../lib/engine/flag-kit.ts';
import { UsageError, type Check, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { ACCEPT_NEW_HOST_KEY, sshReachable } from '../../lib/k3s/checks.ts';
import { K3sDriver } from '../../lib/k3s/driver.ts';
import { tokenSource } from '../../lib/k3s/join.ts';
import { K3sNodes, pickNodes, requireK3s } from '../../lib/k3s/nodes.ts';
import { upgradePlans } from '../../lib/k3s/plans.ts';
import { compareK3s, K3S_VERSION, k3sMoveProblem, parseK3sVersion } from '../../lib/k3s/version.ts';
import { rollingSteps } from '../../lib/rollout/rolling.ts';

function upgrade() {
  let targets: NodeConfig[];
  let target: string;
  let nodes: K3sNodes;
  let driver: K3sDriver;
  let running = new Map<string, string>();
  return {
    validate(ctx: TaskContext) {
      requireK3s(ctx);
      targets = pickNodes(ctx, { required: true });
      target = (ctx.flags.to as string | undefined) ?? ctx.cluster.versions.k3s ?? '';
      if (!K3S_VERSION.test(target)) throw new UsageError(`--to: expected a k3s version like v1.31.4+k3s1 (clusters.${ctx.cluster.name}.versions.k3s is not set)`);
    },
    confirmation: (ctx: TaskContext) => (ctx.flags['allow-downgrade'] ? 'typed' as const : true),
    preflight: (ctx: TaskContext): Check[] => {
      nodes = new K3sNodes(ctx);
      driver = new K3sDriver(ctx, nodes, {
        target, timeoutPerNodeMs: ctx.flags['timeout-per-node'] as number, drainTimeoutMs: ctx.flags['drain-timeout'] as number,
        token: tokenSource(ctx, nodes), by: 'k3s:upgrade',
      });
      if (ctx.flags['plan-only']) return [];
      return [
        sshReachable(() => nodes, () => ctx.cluster.nodes),
        ...snapshotRepoCheck(ctx),
        {
          name: 'each node moves to the target by at most one minor, servers before agents, no downgrade unless asked',
          async run() {
            running = await driver.observe(ctx.cluster.nodes);
            const problems: string[] = [];
            for (const n of targets) {
              const v = running.get(n.name);
              if (!v) { problems.push(`${n.name}: k3s is not installed (npx tsx tasks k3s:install --node ${n.name})`); continue; }
              const p = k3sMoveProblem(v, target, ctx.flags['allow-downgrade'] === true);
              if (p) problems.push(`${n.name}: ${p}`);
            }
            // docs.k3s.io/upgrades/manual: servers first; an agent may never run a newer k3s than the servers
            const t = parseK3sVersion(target)!;
            const serversAfter = ctx.cluster.nodes.filter((n) => n.role === 'controlplane').map((n) => (targets.includes(n) ? target : running.get(n.name))).flatMap((v) => (v ? [parseK3sVersion(v)!] : []));
            const oldestServer = serversAfter.sort(compareK3s)[0];
            if (oldestServer && targets.some((n) => n.role === 'worker') && compareK3s(t, oldestServer) > 0) {
              problems.push(`agents would run ${target}, newer than server k3s ${oldestServer.text}: upgrade the servers first (--all upgrades them first)`);
            }
            if (problems.length) return { ok: false, message: problems.join('; '), remedy: 'pick a target at most one minor ahead of every node; upgrade servers before agents (docs.k3s.io/upgrades)' };
            return { ok: true, message: `${targets.map((n) => `${n.name} ${running.get(n.name)}`).join(', ')} can move to ${target}` };
          },
        },
        nodesReady,
        drainAllowedByPdbs(() => targets.map((n) => n.name), { ignore: ctx.flags['ignore-pdbs'] === true, what: 'the drain would wait for the budget until --drain-timeout and then stop the rollout with the node uncordoned again' }),
      ];
    },
    changes: () => targets.map((n) => `${n.name} (${n.role === 'controlplane' ? 'server' : 'agent'}) is cordoned, drained and re-installed at ${target} with the args and env it runs now, unless it already runs ${target}${running.get(n.name) ? `; it runs ${running.get(n.name)} now` : ''}`),
    async plan(ctx: TaskContext): Promise<Step[]> {
      ctx.data.target = target;
      if (ctx.flags['plan-only']) {
        const plans = upgradePlans(target, { drain: true });
        ctx.out(plans.map((p) => stringify(p)).join('---\n'));
        ctx.data.plans = plans;
        return [];
      }
      const which = ctx.flags.all ? '--all' : `--node ${String(ctx.flags.node)}`;
      // a downgrade goes agents first: a kubelet is never newer than its API server (version-skew-policy)
      const t = parseK3sVersion(target)!;
      const downgrade = targets.some((n) => { const v = parseK3sVersion(running.get(n.name) ?? ''); return v && compareK3s(v, t) > 0; });
      return rollingSteps({
        nodes: targets, target, driver, ...(downgrade ? { order: 'workers-first' as const } : {}),
        resumeCommand: `npx tsx tasks k3s:upgrade --cluster ${ctx.cluster.name} ${which} --to ${target}`,
      });
    },
    postflight: (ctx: TaskContext): Check[] => (ctx.flags['plan-only'] ? [] : [nodesReady]),
  };
}

export default defineTask({
  summary: 'rolling k3s upgrade over SSH: etcd snapshot off-node, servers one at a time, then agents; args and env kept; resumable',
  description: [
    'Each node is re-installed with the args and env its unit runs now (read from the node, not from a file that may',
    'be out of date), plus INSTALL_K3S_VERSION: an upgrade never drops an install flag. Per node: cordon, drain with',
    'PodDisruptionBudgets respected and a deadline, install script, Node Ready at the target, uncordon; a server\'s',
    'restart is timed until the API answers again (target 5 minutes). Refused before anything runs: a downgrade',
    '(unless --allow-downgrade, then the cluster name is typed), a skipped minor, agents newer than servers.',
    'Every change is kept in the cluster\'s k3s history (k3s:history; k3s:rollback goes back).',
    '--plan-only prints system-upgrade-controller Plans (upgrade.cattle.io/v1) for the target instead.',
  ].join('\n'),
  example: 'npx tsx tasks k3s:upgrade --cluster edge --all --to v1.31.4+k3s1',
  flags: {
    node: { ...NODE, description: 'upgrade this node only' },
    all: { type: 'boolean', description: 'upgrade every node: servers first, then agents' },
    to: { type: 'string', pattern: K3S_VERSION, hint: 'a k3s version like v1.31.4+k3s1', description: 'target k3s version (default: versions.k3s from rackhand.yaml)' },
    'timeout-per-node': { type: 'duration', description: 'deadline for one node: install, API back, Node Ready at the target', default: 10 * 60_000 },
    'drain-timeout': { type: 'duration', description: 'kubectl drain --timeout for one node', default: 5 * 60_000 },
    'plan-only': { type: 'boolean', description: 'print system-upgrade-controller Plans for the target; change nothing' },
    'allow-downgrade': { type: 'boolean', description: 'allow a target older than what runs (then the cluster name must be typed, or --confirm-cluster NAME with --yes)' },
    'confirm-cluster': { type: 'string', description: 'with --yes --allow-downgrade: the cluster name, as a typed confirmation' },
    'ignore-pdbs': IGNORE_PDBS,
    'accept-new-host-key': ACCEPT_NEW_HOST_KEY,
  },
  destructive: true,
  cluster: true,
  impl: upgrade,
});
