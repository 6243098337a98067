// cluster:snapshot — a cluster-state snapshot for either distribution, kept off the nodes: k3s `etcd-snapshot save`
// on a running server, copied over SSH byte for byte and checked against the node's sha256sum; Talos `talosctl etcd
// snapshot` straight to the workstation (revision and key count from talosctl's snapshot info). Each copy gets a
// sidecar (node, size, sha256, version); the newest --keep are kept. Changes nothing in the cluster's state.
import { formatBytes } from '../../lib/patterns.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, UsageError, type Check, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { readSnapshot } from '../../lib/snapshots/etcd-check.ts';
import { ACCEPT_NEW_HOST_KEY, sshReachable } from '../../lib/k3s/checks.ts';
import { snapshotStep } from '../../lib/k3s/driver.ts';
import { K3sNodes, type NodeProbe } from '../../lib/k3s/nodes.ts';
import { keepCopy, snapshotRepoCheck } from '../../lib/snapshots/keep.ts';
import { offNodeDir, writeSidecar } from '../../lib/snapshots/offnode.ts';
import { talosctlFor } from '../../lib/talos/driver.ts';
import { takeEtcdSnapshot } from '../../lib/talos/snapshot.ts';

const NAME = /^[a-z0-9][a-z0-9-]{0,40}$/;

function snapshot() {
  let nodes: K3sNodes;
  const probes = new Map<string, NodeProbe>();
  return {
    validate(ctx: TaskContext) {
      if (!NAME.test(ctx.flags.name as string)) throw new UsageError('--name: expected a short name of lowercase letters, digits and "-", e.g. before-upgrade');
    },
    preflight: (ctx: TaskContext): Check[] => {
      if (ctx.cluster.distribution !== 'k3s') return snapshotRepoCheck(ctx);
      nodes = new K3sNodes(ctx);
      return [sshReachable(() => nodes, () => ctx.cluster.nodes.filter((n) => n.role === 'controlplane')), ...snapshotRepoCheck(ctx)];
    },
    async plan(ctx: TaskContext): Promise<Step[]> {
      const keep = (ctx.flags.keep as number | undefined) ?? ctx.cluster.snapshots?.keep;
      const name = ctx.flags.name as string;
      if (ctx.cluster.distribution === 'k3s') {
        for (const p of await nodes.probeAll(ctx.cluster.nodes.filter((n) => n.role === 'controlplane'))) probes.set(p.node.name, p);
        const step = snapshotStep(ctx, nodes, () => probes, name, keep);
        return [{ ...step, run: async (rt) => { await step.run(rt); if (ctx.data.etcdSnapshot) ctx.out(`${(ctx.data.etcdSnapshot as { path: string }).path}\n`); if (!ctx.cluster.k3s?.token) rt.output('note: k3s.token is not set in rackhand.yaml: a restore onto new servers needs the server token too (keep it in 1Password)'); } }];
      }
      return [{
        title: `save an etcd snapshot of ${ctx.cluster.name} to ${offNodeDir(ctx)}${ctx.cluster.snapshots?.restic ? ' and the restic repository' : ''}`,
        async run(rt) {
          const s = await takeEtcdSnapshot(talosctlFor(ctx), ctx.cluster, ctx.stateDir);
          if (s.dryRun) { rt.output(`[dry-run] would save ${s.path}`); return; }
          const copy = { name: s.path.split('/').pop()!, path: s.path, node: s.node, size: s.bytes, sha256: s.sha256, created: new Date().toISOString(), distribution: 'talos' as const, ...(ctx.cluster.versions.talos ? { version: ctx.cluster.versions.talos } : {}), ...(s.revision !== undefined ? { revision: s.revision, keys: s.keys } : {}) };
          if (!copy.size) throw new Error(`${s.path} is empty`);
          const read = await readSnapshot(ctx.exec, s.path);
          if ('unreadable' in read) throw new StepFailure(`${s.path} is not a readable etcd snapshot (${read.unreadable})`, `take another: npx tsx tasks cluster:snapshot --cluster ${ctx.cluster.name}`);
          await writeSidecar(copy);
          ctx.data.etcdSnapshot = copy;
          ctx.artifact('etcd snapshot', `${s.path} (${formatBytes(s.bytes)}, sha256 ${s.sha256})`);
          rt.output(`saved ${s.path} from ${s.node} (${formatBytes(s.bytes)}${s.revision !== undefined ? `, revision ${s.revision}, ${s.keys} keys` : ''})`);
          ctx.out(`${s.path}\n`);
          await keepCopy(ctx, copy, rt, keep);
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'save a cluster-state (etcd) snapshot off the nodes: k3s over SSH or Talos via talosctl; checked, with retention',
  example: 'npx tsx tasks cluster:snapshot --cluster edge --name before-upgrade',
  flags: {
    name: { type: 'string', default: 'rackhand', description: 'the snapshot name prefix (k3s names it <name>-<node>-<unix time>)' },
    keep: { type: 'number', description: 'keep this many copies off-node (default: snapshots.keep; none removed when unset)' },
    'accept-new-host-key': ACCEPT_NEW_HOST_KEY,
  },
  destructive: false,
  cluster: true,
  impl: snapshot,
});
