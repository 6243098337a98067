// talos:etcd-snapshot — saves a timestamped etcd snapshot from a control plane under .rackhand/snapshots/<cluster>/
// (mode 0600: it holds every Secret) and reports its size and sha256. Safe: it changes nothing in the cluster.
import { formatBytes } from '../../lib/patterns.ts';
import { toolPresent } from '../../lib/checks/tools.ts';
import { UsageError, type TaskImpl } from '../../lib/engine/types.ts';
import { talosctlFor, requireTalos } from '../../lib/talos/driver.ts';
import { takeEtcdSnapshot } from '../../lib/talos/snapshot.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { NODE } from '../../lib/engine/flag-kit.ts';

function etcdSnapshot(): TaskImpl {
  return {
    validate(ctx) {
      requireTalos(ctx);
      const node = ctx.flags.node as string | undefined;
      const n = node ? ctx.cluster.nodes.find((x) => x.name === node) : undefined;
      if (node && n?.role !== 'controlplane') {
        throw new UsageError(`--node: expected a control plane of ${ctx.cluster.name} (${ctx.cluster.nodes.filter((x) => x.role === 'controlplane').map((x) => x.name).join(', ')})`);
      }
    },
    preflight: () => [toolPresent('talosctl', ['version', '--client', '--short'])],
    async plan(ctx) {
      const cps = ctx.cluster.nodes.filter((n) => n.role === 'controlplane' && (!ctx.flags.node || n.name === ctx.flags.node));
      return [{
        title: `save an etcd snapshot of ${ctx.cluster.name} from ${cps[0]!.name}`,
        async run(rt) {
          const s = await takeEtcdSnapshot(talosctlFor(ctx), ctx.cluster, ctx.stateDir, cps);
          ctx.data.snapshot = s;
          if (!s.dryRun) ctx.out(`${s.path}\n  size:   ${s.bytes} bytes\n  sha256: ${s.sha256}\n  from:   ${s.node}`);
          rt.output(s.dryRun ? `[dry-run] would save ${s.path}` : `saved ${s.path}`);
          if (!s.dryRun) ctx.artifact('etcd snapshot', `${s.path} (${formatBytes(s.bytes)}, sha256 ${s.sha256})`);
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'save a timestamped etcd snapshot (size and sha256) under .rackhand/snapshots/<cluster>/',
  example: 'npx tsx tasks talos:etcd-snapshot --cluster lab',
  flags: { node: { ...NODE, description: 'control plane to take it from (default: the first)' } },
  destructive: false,
  cluster: true,
  impl: etcdSnapshot,
});
