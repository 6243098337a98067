// talos:upgrade-k8s — upgrades Kubernetes on a Talos cluster with `talosctl upgrade-k8s` against the first control
// plane (it walks control-plane components, then every kubelet). Destructive (components restart). Nothing to do when
// the API server and every kubelet already run the target. --dry-run is passed through to talosctl's own dry run,
// which shows its plan. Postflight: every node's kubelet reports the target.
import { toolPresent } from '../../lib/checks/tools.ts';
import { nodesReady } from '../../lib/checks/nodes.ts';
import { UsageError, type Check, type TaskContext, type TaskImpl } from '../../lib/engine/types.ts';
import { talosctlFor, requireTalos } from '../../lib/talos/driver.ts';
import type { Node } from '../../lib/tools/kube-types.ts';
import { waitUntil } from '../../lib/wait.ts';
import { kubernetesSupportProblem, moveProblem, targetProblem } from '../../lib/versions.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { VERSION, VERSION_GUARDS } from '../../lib/engine/flag-kit.ts';

async function kubelets(ctx: TaskContext): Promise<Map<string, string>> {
  return new Map((await ctx.kubectl.list<Node>('nodes')).map((n) => [n.metadata.name, n.status?.nodeInfo?.kubeletVersion ?? '']));
}

function upgradeK8s(): TaskImpl {
  let target = '';
  const kubeletsAtTarget: Check = {
    name: 'every kubelet reports the target version',
    async run(ctx) {
      if (ctx.dryRun) return { ok: true, message: 'dry run: nothing changed' };
      const behind = await waitUntil({
        what: `every kubelet to report ${target}`, timeoutMs: 5 * 60_000, intervalMs: 1_000, signal: ctx.signal,
        probe: async () => {
          const lag = [...(await kubelets(ctx))].filter(([, v]) => v !== target);
          return lag.length === 0 ? { done: true, value: [] as string[] } : { done: false, seen: lag.map(([n, v]) => `${n} ${v}`).join(', ') };
        },
      }).catch((e: Error) => [e.message]);
      return behind.length === 0 ? { ok: true, message: `every kubelet runs ${target}` } : { ok: false, message: behind.join('; '), remedy: 'kubectl get nodes -o wide' };
    },
  };
  return {
    validate(ctx) {
      requireTalos(ctx);
      target = (ctx.flags.to as string | undefined) ?? ctx.cluster.versions.kubernetes ?? '';
      if (!target) throw new UsageError(`--to: expected a version like v1.31.5 (clusters.${ctx.cluster.name}.versions.kubernetes is not set)`);
      const bad = targetProblem(target, ctx.flags.to ? '--to' : `clusters.${ctx.cluster.name}.versions.kubernetes`, ctx.flags['allow-prerelease'] === true);
      if (bad) throw new UsageError(bad);
    },
    confirmation: (ctx) => (ctx.flags['allow-downgrade'] ? 'typed' : true),
    preflight: () => [toolPresent('talosctl', ['version', '--client', '--short']), nodesReady, {
      name: 'the Kubernetes target is an upgrade talosctl supports',
      async run(ctx) {
        const [server, client] = await Promise.all([ctx.kubectl.serverVersion(), talosctlFor(ctx).clientVersion()]);
        // the API server's gitVersion may carry a suffix (v1.31.4+k3s1): compare the release part
        const running = server.replace(/[+].*$/, '');
        const problem = kubernetesSupportProblem(target, client)
          ?? moveProblem(running, target, { what: 'Kubernetes', allowDowngrade: ctx.flags['allow-downgrade'] === true, allowPrerelease: ctx.flags['allow-prerelease'] === true, maxMinorStep: 1 });
        if (problem) return { ok: false, message: problem, remedy: `npx tsx tasks talos:upgrade-k8s --cluster ${ctx.cluster.name} --to <a version at most one minor after ${running}>` };
        return { ok: true, message: `${running} -> ${target} (talosctl ${client})` };
      },
    }],
    async plan(ctx) {
      const cp = ctx.cluster.nodes.find((n) => n.role === 'controlplane')!;
      const talosctl = talosctlFor(ctx);
      ctx.data.target = target;
      return [{
        title: `upgrade Kubernetes to ${target} through ${cp.name}`,
        async isDone() {
          const [server, nodes] = await Promise.all([ctx.kubectl.serverVersion(), kubelets(ctx)]);
          const lag = [...nodes].filter(([, v]) => v !== target);
          return server === target && lag.length === 0 ? `the API server and all ${nodes.size} kubelets run ${target}` : false;
        },
        async run(rt) {
          // talosctl takes the version without the leading v (cmd/talosctl/cmd/talos/upgrade-k8s.go --to default "1.x.y")
          const args = [...talosctl.argv(['--nodes', cp.address, 'upgrade-k8s', '--to', target.replace(/^v/, '')]), ...(ctx.dryRun ? ['--dry-run'] : [])];
          const r = await ctx.exec.ok(args, { mutating: true, runInDryRun: true, timeoutMs: 60 * 60_000 });
          const lines = r.stdout.trim().split('\n');
          ctx.data.talosctlOutput = lines.slice(-40);
          if (ctx.dryRun) ctx.out(r.stdout);
          rt.output(lines.at(-1) ?? '');
        },
      }];
    },
    postflight: () => [kubeletsAtTarget],
  };
}

export default defineTask({
  summary: 'upgrade Kubernetes with talosctl upgrade-k8s; postflight: every kubelet reports the target',
  description: '--dry-run is passed to `talosctl upgrade-k8s --dry-run`, which prints its plan and changes nothing.',
  example: 'npx tsx tasks talos:upgrade-k8s --cluster lab --to v1.32.3',
  flags: { to: { ...VERSION, description: 'target Kubernetes version (default: versions.kubernetes from rackhand.yaml)' }, ...VERSION_GUARDS },
  destructive: true,
  cluster: true,
  impl: upgradeK8s,
});
