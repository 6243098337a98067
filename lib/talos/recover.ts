// Recovering a Talos cluster's etcd from a snapshot (talos.dev/v1.12/advanced/disaster-recovery): every control
// plane's etcd data is wiped (`talosctl reset --graceful=false --reboot --system-labels-to-wipe=EPHEMERAL`: the
// machine config on STATE is kept), each control plane's etcd service waits in "Preparing", then ONE of them is
// bootstrapped from the snapshot (`talosctl bootstrap --recover-from=<file>`) and the others join it.
import type { NodeConfig } from '../config.ts';
import { StepFailure, type Step, type TaskContext } from '../engine/types.ts';
import { waitUntil } from '../wait.ts';
import { talosctlFor } from './driver.ts';

export function talosRecoverySteps(ctx: TaskContext, o: { snapshotPath: string; timeoutMs: number; resumed: () => boolean; onRecovered: () => void }): Step[] {
  const talosctl = talosctlFor(ctx);
  const cps = ctx.cluster.nodes.filter((n) => n.role === 'controlplane');
  const first = cps[0]!;
  const states = async () => Promise.all(cps.map(async (n) => [n, await talosctl.etcdServiceState(n.address)] as [NodeConfig, string | undefined]));
  const waitState = (n: NodeConfig, want: string) => waitUntil({
    what: `the etcd service on ${n.name} to be ${want}`, timeoutMs: o.timeoutMs, intervalMs: 1000, maxBackoffMs: 2000, signal: ctx.signal,
    probe: async () => { const s = await talosctl.etcdServiceState(n.address); return s === want ? { done: true, value: s } : { done: false, seen: s ?? 'no answer' }; },
  });
  return [
    {
      title: `wipe etcd's data on every control plane (${cps.map((n) => n.name).join(', ')}: EPHEMERAL, machine config kept)`,
      isDone: async () => {
        if (o.resumed()) return 'the recovery was started by an earlier run of this restore';
        const s = await states();
        return s.every(([, st]) => st === 'Preparing') ? 'etcd waits in Preparing on every control plane' : false;
      },
      run: async (rt) => {
        for (const n of cps) {
          rt.output(`${n.name}: talosctl reset --graceful=false --reboot --system-labels-to-wipe EPHEMERAL`);
          await talosctl.mutate(['--nodes', n.address, 'reset', '--graceful=false', '--reboot', '--system-labels-to-wipe', 'EPHEMERAL', '--wait=false']);
        }
        if (ctx.dryRun) return;
        for (const n of cps) await waitState(n, 'Preparing');
      },
    },
    {
      title: `recover etcd on ${first.name} from ${o.snapshotPath} (talosctl bootstrap --recover-from)`,
      isDone: async () => (o.resumed() && (await talosctl.etcdServiceState(first.address)) === 'Running' ? `etcd runs on ${first.name} (recovered by an earlier run)` : false),
      run: async (rt) => {
        const r = await talosctl.mutate(['--nodes', first.address, 'bootstrap', `--recover-from=${o.snapshotPath}`]).catch((err: Error) => err);
        if (r instanceof Error) throw new StepFailure(`${first.name}: recovery from ${o.snapshotPath} failed: ${r.message.split('\n').pop()}`, `talosctl -n ${first.address} service etcd`);
        if (ctx.dryRun) return;
        o.onRecovered();
        await waitState(first, 'Running');
        rt.output(`etcd runs on ${first.name} from the snapshot; the other control planes join it`);
        for (const n of cps.slice(1)) await waitState(n, 'Running');
      },
    },
  ];
}
