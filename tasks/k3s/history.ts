// k3s:history — every k3s version change rackhand made on the cluster's nodes (install, upgrade, rollback), from the
// cluster itself (ConfigMap kube-system/rackhand-k3s-history): any workstation sees the same history. Read-only.
import { defineTask } from '../../lib/engine/define.ts';
import { NODE } from '../../lib/engine/flag-kit.ts';
import { UsageError, type TaskContext } from '../../lib/engine/types.ts';
import { HISTORY, readHistory, type HistoryEntry } from '../../lib/k3s/history.ts';
import { requireK3s } from '../../lib/k3s/nodes.ts';
import { table } from '../../lib/table.ts';

export default defineTask({
  summary: 'the k3s version changes rackhand made per node (kept in the cluster): when, from, to, by which task, with which args',
  example: 'npx tsx tasks k3s:history --cluster edge --node a1',
  flags: { node: { ...NODE, description: 'only this node' } },
  destructive: false,
  cluster: true,
  impl: () => ({
    validate(ctx: TaskContext) {
      requireK3s(ctx);
      const node = ctx.flags.node as string | undefined;
      if (node && !ctx.cluster.nodes.some((n) => n.name === node)) throw new UsageError(`--node: no node "${node}" in cluster ${ctx.cluster.name}; expected one of ${ctx.cluster.nodes.map((n) => n.name).join(', ')}`);
    },
    async plan(ctx: TaskContext) {
      return [{
        title: `read ${HISTORY.namespace}/${HISTORY.name}`,
        mutating: false,
        async run() {
          const node = ctx.flags.node as string | undefined;
          const all = await readHistory(ctx.kubectl);
          const entries: HistoryEntry[] = [...all.values()].flat().filter((e) => !node || e.node === node).sort((a, b) => a.at.localeCompare(b.at));
          ctx.data.history = entries;
          ctx.out(entries.length === 0 ? `no k3s version changes recorded for ${node ?? `cluster ${ctx.cluster.name}`}\n`
            : `${table(['WHEN', 'NODE', 'FROM', 'TO', 'BY', 'ARGS'], entries.map((e) => [e.at.replace(/\.\d+Z$/, 'Z'), e.node, e.from ?? '-', e.to, e.by, [e.command, ...e.args].join(' ')]))}\n`);
        },
      }];
    },
  }),
});
