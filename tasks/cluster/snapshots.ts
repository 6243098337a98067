// cluster:snapshots — the cluster-state snapshots there are: the copies kept off the nodes (checked against their
// recorded sha256), those in the restic repository when one is set, and, for k3s, what each server holds (`k3s etcd-snapshot ls`). Read-only; exit 1 when a kept
// copy no longer matches its checksum.
import { defineTask } from '../../lib/engine/define.ts';
import type { Check, TaskContext } from '../../lib/engine/types.ts';
import { ACCEPT_NEW_HOST_KEY } from '../../lib/k3s/checks.ts';
import { K3sNodes } from '../../lib/k3s/nodes.ts';
import { listSnapshots } from '../../lib/k3s/snapshot.ts';
import { formatBytes } from '../../lib/patterns.ts';
import { offNodeCopies, offNodeDir, sha256File } from '../../lib/snapshots/offnode.ts';
import { repoCopies, repoLabel, snapshotRepo, type RepoCopy } from '../../lib/snapshots/restic-copies.ts';
import { table } from '../../lib/table.ts';

function list() {
  const damaged: string[] = [];
  let unreadable: string | undefined;
  return {
    async plan(ctx: TaskContext) {
      return [{
        title: `list the snapshots of ${ctx.cluster.name}`,
        mutating: false,
        async run() {
          const copies = await offNodeCopies(offNodeDir(ctx));
          const rows: string[][] = [];
          for (const c of copies) {
            const ok = (await sha256File(c.path)) === c.sha256;
            if (!ok) damaged.push(c.path);
            rows.push([c.name, `off-node ${c.path}`, formatBytes(c.size), c.created.replace(/\.\d+Z$/, 'Z'), ok ? `${c.sha256.slice(0, 12)}… ok` : 'MISMATCH']);
          }
          const inRepo: RepoCopy[] = [];
          const repo = snapshotRepo(ctx);
          if (repo) {
            const got = await repo.then((r) => repoCopies(r, ctx.cluster.name)).catch((err: Error) => err);
            if (got instanceof Error) { unreadable = `${repoLabel(ctx)}: ${got.message.split('\n')[0]}`; rows.push(['-', `restic ${unreadable}`, '-', '-', '-']); }
            else for (const c of got) { inRepo.push(c); rows.push([c.name, `restic ${repoLabel(ctx)} ${c.shortId}`, formatBytes(c.size), c.created.replace(/\.\d+(Z|[+-]\d\d:\d\d)$/, '$1'), `${c.sha256.slice(0, 12)}… stored`]); }
          }
          const onNodes: object[] = [];
          if (ctx.cluster.distribution === 'k3s' && ctx.flags['off-node-only'] !== true) {
            const nodes = new K3sNodes(ctx);
            for (const n of ctx.cluster.nodes.filter((x) => x.role === 'controlplane')) {
              const got = await listSnapshots(nodes, n).catch((err: Error) => err);
              if (got instanceof Error) { rows.push(['-', `on ${n.name}: ${got.message.split('\n')[0]}`, '-', '-', '-']); continue; }
              for (const s of got) { onNodes.push(s); rows.push([s.name, `on ${s.node} ${s.location.replace(/^file:\/\//, '')}`, formatBytes(s.size), s.created, '-']); }
            }
          }
          ctx.data.copies = copies;
          ctx.data.inRepository = inRepo;
          ctx.data.onNodes = onNodes;
          ctx.data.damaged = damaged;
          ctx.out(rows.length ? `${table(['NAME', 'WHERE', 'SIZE', 'CREATED', 'SHA256'], rows)}\n` : `no snapshots of ${ctx.cluster.name} (npx tsx tasks cluster:snapshot --cluster ${ctx.cluster.name})\n`);
        },
      }];
    },
    postflight: (): Check[] => [{
      name: 'the snapshot repository could be read',
      run: async () => (unreadable ? { ok: false, message: unreadable, remedy: 'check clusters.<name>.snapshots.restic in rackhand.yaml' } : { ok: true, message: 'read (or none set)' }),
    }, {
      name: 'every kept copy matches its checksum',
      run: async () => (damaged.length ? { ok: false, message: `changed since it was taken: ${damaged.join(', ')}`, remedy: 'do not restore from it; take a new snapshot' } : { ok: true, message: 'all kept copies intact' }),
    }],
  };
}

export default defineTask({
  summary: 'list cluster-state snapshots: the copies kept off-node (sha256 checked), in the restic repository, and (k3s) on each server',
  example: 'npx tsx tasks cluster:snapshots --cluster edge',
  flags: {
    'off-node-only': { type: 'boolean', description: 'only the copies kept off the nodes (no SSH)' },
    'accept-new-host-key': ACCEPT_NEW_HOST_KEY,
  },
  destructive: false,
  cluster: true,
  impl: list,
});
