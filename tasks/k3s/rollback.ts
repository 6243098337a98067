// k3s:rollback — puts nodes back on the k3s version they ran before rackhand's last change to them (from the
// cluster's k3s history), through the same gates as an upgrade: an etcd snapshot off-node first, one node at a time,
// cordon, drain, install script with the node's own args and env, Ready at the version, uncordon. A rollback is a
// downgrade: the cluster name is typed, and agents go before servers (a kubelet is never newer than its API server).
import { drainAllowedByPdbs } from '../../lib/checks/pdbs.ts';
import { nodesReady } from '../../lib/checks/nodes.ts';
import type { NodeConfig } from '../../lib/config.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { IGNORE_PDBS, NODE } from '../../lib/engine/flag-kit.ts';
import type { Check, Step, TaskContext } from '../../lib/engine/types.ts';
import { ACCEPT_NEW_HOST_KEY, sshReachable } from '../../lib/k3s/checks.ts';
import { K3sDriver } from '../../lib/k3s/driver.ts';
import { readHistory } from '../../lib/k3s/history.ts';
import { tokenSource } from '../../lib/k3s/join.ts';
import { K3sNodes, pickNodes, requireK3s } from '../../lib/k3s/nodes.ts';
import { compareK3s, parseK3sVersion } from '../../lib/k3s/version.ts';
import { rollingSteps } from '../../lib/rollout/rolling.ts';

function rollback() {
  let targets: NodeConfig[];
  let nodes: K3sNodes;
  let driver: K3sDriver;
  const o = { target: '' };
  let running = new Map<string, string>();
  return {
    validate(ctx: TaskContext) {
      requireK3s(ctx);
      targets = pickNodes(ctx, { required: true });
    },
    confirmation: () => 'typed' as const,
    preflight: (ctx: TaskContext): Check[] => {
      nodes = new K3sNodes(ctx);
      driver = new K3sDriver(ctx, nodes, {
        get target() { return o.target; },
        timeoutPerNodeMs: ctx.flags['timeout-per-node'] as number, drainTimeoutMs: ctx.flags['drain-timeout'] as number,
        token: tokenSource(ctx, nodes), by: 'k3s:rollback',
      });
      return [
        sshReachable(() => nodes, () => ctx.cluster.nodes),
        {
          name: 'the k3s history names the version each node ran before, the same for every node',
          async run() {
            const history = await readHistory(ctx.kubectl);
            running = await driver.observe(ctx.cluster.nodes);
            const problems: string[] = [];
            const back = new Map<string, string>();
            for (const n of targets) {
              const last = history.get(n.name)?.at(-1);
              if (!last?.from) { problems.push(`${n.name}: no earlier version in the history${last ? ` (its last change was the install of ${last.to})` : ''}`); continue; }
              if (running.get(n.name) !== last.to) { problems.push(`${n.name}: runs ${running.get(n.name) ?? 'no k3s'}, but its last recorded change went to ${last.to} (changed outside rackhand)`); continue; }
              back.set(n.name, last.from);
            }
            const versions = [...new Set(back.values())];
            if (!problems.length && versions.length > 1) problems.push(`the nodes go back to different versions (${[...back].map(([n, v]) => `${n} ${v}`).join(', ')}): roll back one --node at a time`);
            if (!problems.length) {
              o.target = versions[0]!;
              // servers left out of the rollback must not end up older than agents
              const t = parseK3sVersion(o.target)!;
              const newerAgents = ctx.cluster.nodes.filter((n) => n.role === 'worker' && !targets.includes(n) && compareK3s(parseK3sVersion(running.get(n.name) ?? o.target) ?? t, t) > 0);
              if (targets.some((n) => n.role === 'controlplane') && newerAgents.length) problems.push(`agents ${newerAgents.map((n) => n.name).join(', ')} would run a newer k3s than the servers: roll them back too (--all)`);
            }
            if (problems.length) return { ok: false, message: problems.join('; '), remedy: `npx tsx tasks k3s:history --cluster ${ctx.cluster.name}` };
            return { ok: true, message: `${targets.map((n) => `${n.name} ${running.get(n.name)} -> ${o.target}`).join(', ')}` };
          },
        },
        nodesReady,
        drainAllowedByPdbs(() => targets.map((n) => n.name), { ignore: ctx.flags['ignore-pdbs'] === true, what: 'the drain would wait for the budget until --drain-timeout and then stop the rollback with the node uncordoned again' }),
      ];
    },
    changes: () => targets.map((n) => `${n.name} goes back from ${running.get(n.name) ?? '?'} to ${o.target}: cordoned, drained, re-installed with the args and env it runs now`),
    async plan(ctx: TaskContext): Promise<Step[]> {
      ctx.data.target = o.target;
      const which = ctx.flags.all ? '--all' : `--node ${String(ctx.flags.node)}`;
      return rollingSteps({
        nodes: targets, target: o.target, driver, order: 'workers-first',
        // once nodes moved, the history's last change is the rollback itself: resuming is an upgrade to the same version
        resumeCommand: `npx tsx tasks k3s:upgrade --cluster ${ctx.cluster.name} ${which} --to ${o.target} --allow-downgrade`,
      });
    },
    postflight: (): Check[] => [nodesReady],
  };
}

export default defineTask({
  summary: 'put nodes back on the k3s version they ran before rackhand\'s last change (from k3s:history), agents first; the cluster name is typed',
  example: 'npx tsx tasks k3s:rollback --cluster edge --all',
  flags: {
    node: { ...NODE, description: 'roll back this node only' },
    all: { type: 'boolean', description: 'roll back every node: agents first, then servers' },
    'timeout-per-node': { type: 'duration', description: 'deadline for one node: install, API back, Node Ready', default: 10 * 60_000 },
    'drain-timeout': { type: 'duration', description: 'kubectl drain --timeout for one node', default: 5 * 60_000 },
    'confirm-cluster': { type: 'string', description: 'with --yes: the cluster name, as the typed confirmation' },
    'ignore-pdbs': IGNORE_PDBS,
    'accept-new-host-key': ACCEPT_NEW_HOST_KEY,
  },
  destructive: 'typed',
  cluster: true,
  impl: rollback,
});
