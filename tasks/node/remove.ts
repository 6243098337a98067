// node:remove — takes a node out of the cluster for good, any distribution. Refused before anything changes: the
// last server/control plane, a server whose removal leaves etcd without quorum among the healthy rest, and a node
// holding data that dies with it (local-path/local volumes pinned to it, hostPath volumes) unless
// --accept-data-loss. Then: cordon, drain (PodDisruptionBudgets respected, a deadline), stop the node's Kubernetes
// for good (k3s: its uninstall script over SSH; Talos: reset to maintenance mode, leaving etcd gracefully), delete
// the Node object, and report where each of its pods went. The cluster name is typed.
import { drainAllowedByPdbs } from '../../lib/checks/pdbs.ts';
import type { NodeConfig } from '../../lib/config.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { IGNORE_PDBS, NODE } from '../../lib/engine/flag-kit.ts';
import { UsageError, type Check, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { ACCEPT_NEW_HOST_KEY } from '../../lib/k3s/checks.ts';
import { K3sNodes, unitOf } from '../../lib/k3s/nodes.ts';
import { isReady } from '../../lib/k3s/wait.ts';
import { localData, type LocalData } from '../../lib/nodes/local-data.ts';
import { formatDuration } from '../../lib/patterns.ts';
import { table } from '../../lib/table.ts';
import { resetStep } from '../../lib/talos/power.ts';
import type { Node, Pod } from '../../lib/tools/kube-types.ts';
import { waitUntil } from '../../lib/wait.ts';
import { cordonAndDrain, uncordonOurs, type Cordon } from '../../lib/nodes/drain.ts';

function remove() {
  let node: NodeConfig;
  let data: LocalData = { volumes: [], hostPaths: [], emptyDirs: [] };
  let sshOk = true;
  const before: { ns: string; name: string; owner: string }[] = [];
  return {
    validate(ctx: TaskContext) {
      const name = ctx.flags.node as string;
      const n = ctx.cluster.nodes.find((x) => x.name === name);
      if (!n) throw new UsageError(`--node: no node "${name}" in cluster ${ctx.cluster.name}; expected one of ${ctx.cluster.nodes.map((x) => x.name).join(', ')}`);
      node = n;
    },
    confirmation: () => 'typed' as const,
    preflight: (ctx: TaskContext): Check[] => [
      {
        name: 'the control plane keeps a server and etcd quorum without this node',
        async run() {
          if (node.role !== 'controlplane') return { ok: true, message: `${node.name} is a ${ctx.cluster.distribution === 'k3s' ? 'agent' : 'worker'}` };
          const servers = ctx.cluster.nodes.filter((n) => n.role === 'controlplane');
          const word = ctx.cluster.distribution === 'k3s' ? 'server' : 'control plane';
          if (servers.length === 1) return { ok: false, message: `${node.name} is the last ${word}: removing it removes the cluster`, remedy: `add another ${word} first` };
          const nodes = await ctx.kubectl.list<Node>('nodes');
          const healthy = servers.filter((s) => s !== node && isReady(nodes.find((o) => o.metadata.name === s.name)));
          const remaining = servers.length - 1;
          const quorum = Math.floor(remaining / 2) + 1;
          // etcd needs a majority of its members (etcd.io/docs/v3.5/faq: "What is failure tolerance?")
          if (healthy.length < quorum) return { ok: false, message: `without ${node.name}, ${healthy.length} of ${remaining} remaining ${word}s are Ready; etcd needs ${quorum}`, remedy: `bring the other ${word}s back first (kubectl get nodes)` };
          return { ok: true, message: `${healthy.length} of ${remaining} remaining ${word}s Ready (quorum ${quorum})` };
        },
      },
      {
        name: 'no data lives only on this node',
        async run() {
          data = await localData(ctx.kubectl, node.name);
          const lost = [...data.volumes, ...data.hostPaths];
          ctx.data.localData = data;
          const note = data.emptyDirs.length ? `; emptyDir contents of ${data.emptyDirs.join(', ')} go with the drain` : '';
          if (!lost.length) return { ok: true, message: `no local volumes on ${node.name}${note}` };
          if (ctx.flags['accept-data-loss'] === true) return { ok: true, warning: true, message: `data loss accepted: ${lost.join('; ')}${note}` };
          return { ok: false, message: `data on ${node.name} would be lost: ${lost.join('; ')}`, remedy: 'move it first (a backup and restore to another node, e.g. volsync:restore), or re-run with --accept-data-loss' };
        },
      },
      ...(ctx.cluster.distribution === 'k3s' ? [{
        name: `${node.name} answers over SSH (to uninstall k3s)`,
        async run() {
          const r = await new K3sNodes(ctx).reachable(node);
          sshOk = r.ok;
          return r.ok ? { ok: true, message: `${node.name} answers` } : { ok: true, warning: true, message: `${r.message}: k3s stays installed on it; uninstall it by hand (${unitOf(node) === 'k3s' ? 'k3s-uninstall.sh' : 'k3s-agent-uninstall.sh'})` };
        },
      } satisfies Check] : []),
      drainAllowedByPdbs(() => [node.name], { ignore: ctx.flags['ignore-pdbs'] === true, what: 'the drain would wait for the budget until --drain-timeout and stop' }),
    ],
    changes: (ctx: TaskContext) => [
      `${node.name} (${node.role === 'controlplane' ? (ctx.cluster.distribution === 'k3s' ? 'server' : 'control plane') : ctx.cluster.distribution === 'k3s' ? 'agent' : 'worker'}) leaves cluster ${ctx.cluster.name} for good: drained, ${ctx.cluster.distribution === 'k3s' ? 'k3s uninstalled' : 'reset to maintenance mode'}, its Node deleted`,
      ...[...data.volumes, ...data.hostPaths].map((d) => `LOST: ${d}`),
    ],
    async plan(ctx: TaskContext): Promise<Step[]> {
      const k = ctx.kubectl;
      const timeoutMs = ctx.flags.timeout as number;
      let cordoned: Cordon | undefined;
      const exists = async () => !!(await k.get<Node>('nodes', node.name));
      const steps: Step[] = [
        {
          title: `cordon and drain ${node.name} (PodDisruptionBudgets respected, deadline ${formatDuration(ctx.flags['drain-timeout'] as number)})`,
          isDone: async () => ((await exists()) ? false : `${node.name} is not in the cluster any more`),
          cleanup: async () => { await uncordonOurs(ctx, cordoned); },
          byHand: [`kubectl uncordon ${node.name}`],
          run: async (rt) => {
            for (const p of await k.list<Pod>('pods', { allNamespaces: true, fields: `spec.nodeName=${node.name}` })) {
              const owner = (p.metadata.ownerReferences ?? []).find((r) => r.controller) ?? p.metadata.ownerReferences?.[0];
              if (owner?.kind !== 'DaemonSet') before.push({ ns: p.metadata.namespace!, name: p.metadata.name, owner: owner ? `${owner.kind}/${owner.name}` : '' });
            }
            await cordonAndDrain(ctx, node.name, ctx.flags['drain-timeout'] as number, (c) => { cordoned = c; });
            rt.output(`${before.length} pod(s) evicted from ${node.name}`);
            cordoned = undefined; // from here on, the node is meant to stay out
          },
        },
      ];
      if (ctx.cluster.distribution === 'k3s') {
        const nodes = new K3sNodes(ctx);
        const script = unitOf(node) === 'k3s' ? '/usr/local/bin/k3s-uninstall.sh' : '/usr/local/bin/k3s-agent-uninstall.sh';
        steps.push({
          title: `uninstall k3s on ${node.name} (${script})`,
          isDone: async () => (!sshOk ? `${node.name} does not answer over SSH: uninstall by hand` : (await nodes.run(node, ['k3s', '--version'])).exitCode === 127 ? `k3s is not installed on ${node.name}` : false),
          run: async () => { await nodes.mutate(node, [script], { sudo: true, timeoutMs }); },
        });
      } else {
        steps.push(resetStep(ctx, node));
      }
      steps.push(
        {
          title: `delete the Node object ${node.name}`,
          isDone: async () => ((await exists()) ? false : `${node.name} is not in the cluster`),
          run: async () => { await k.mutate(['delete', 'node', node.name, `--timeout=${Math.ceil(timeoutMs / 1000)}s`]); },
        },
        {
          title: `report where ${node.name}'s pods went`,
          mutating: false,
          isDone: async () => ((await exists()) ? false : `${node.name} was removed by an earlier run`),
          run: async () => {
            if (ctx.dryRun) return;
            // replacements come up on other nodes: wait for them, within the deadline, then say where they are
            const report = await waitUntil({
              what: `the pods that ran on ${node.name} to be placed elsewhere`, timeoutMs: Math.min(timeoutMs, 60_000), intervalMs: 1000, signal: ctx.signal,
              probe: async () => {
                const pods = await k.list<Pod & { metadata: { ownerReferences?: { kind: string; name: string; controller?: boolean }[] } }>('pods', { allNamespaces: true });
                const rows = before.map((b) => {
                  const same = pods.filter((p) => p.metadata.namespace === b.ns && b.owner && (p.metadata.ownerReferences ?? []).some((r) => `${r.kind}/${r.name}` === b.owner));
                  const where = same.map((p) => (p.spec?.nodeName ? `${p.metadata.name} on ${p.spec.nodeName}` : `${p.metadata.name} Pending (no node fits it)`)).join(', ');
                  return { pod: `${b.ns}/${b.name}`, owner: b.owner || '(none: gone)', now: where || (b.owner ? '(no replacement yet)' : '(deleted with the node)'), pending: same.some((p) => !p.spec?.nodeName) };
                });
                return rows.some((r) => r.now === '(no replacement yet)') ? { done: false, seen: 'replacements not created yet' } : { done: true, value: rows };
              },
            }).catch(() => [] as { pod: string; owner: string; now: string; pending: boolean }[]);
            ctx.data.moved = report;
            ctx.out(report.length ? `${table(['POD', 'OWNER', 'NOW'], report.map((r) => [r.pod, r.owner, r.now]))}\n` : `no pods were running on ${node.name}\n`);
          },
        },
      );
      return steps;
    },
  };
}

export default defineTask({
  summary: 'remove a node for good: refuses the last server, lost quorum and node-local data; drain, uninstall/reset, delete; reports where pods went',
  description: [
    'Refused (exit 3) before anything changes: the last server/control plane, a server whose removal leaves fewer',
    'Ready servers than etcd\'s quorum, and a node holding data that dies with it (local-path or local volumes',
    'pinned to it, hostPath volumes) unless --accept-data-loss. k3s: the uninstall script runs over SSH before the',
    'Node is deleted (so it cannot register again); Talos: the node is reset gracefully (it leaves etcd) into',
    'maintenance mode. The cluster name is typed.',
  ].join('\n'),
  example: 'npx tsx tasks node:remove --cluster edge --node a2',
  flags: {
    node: { ...NODE, required: true, description: 'the node to remove' },
    'accept-data-loss': { type: 'boolean', description: 'remove it even though volumes pinned to it (local-path, local, hostPath) lose their data' },
    'drain-timeout': { type: 'duration', description: 'kubectl drain --timeout', default: 5 * 60_000 },
    timeout: { type: 'duration', description: 'deadline for the uninstall/reset, the Node deletion and the report', default: 10 * 60_000 },
    'confirm-cluster': { type: 'string', description: 'with --yes: the cluster name, as the typed confirmation' },
    'ignore-pdbs': IGNORE_PDBS,
    'accept-new-host-key': ACCEPT_NEW_HOST_KEY,
    // resetStep reads these (Talos)
    'no-graceful': { type: 'boolean', description: '(Talos) reset without leaving etcd gracefully (a broken node)' },
    shutdown: { type: 'boolean', description: '(Talos) power off after the reset instead of rebooting into maintenance mode' },
  },
  destructive: 'typed',
  cluster: true,
  impl: remove,
});
