// `talosctl reboot`, `shutdown`, `reset` (cmd/talosctl/cmd/talos/reboot.go, shutdown.go, reset.go): without --wait
// they print nothing; with --wait (the default) the action tracker follows the node.
import { type Command, CliError, type Ctx, reach, targets } from './command.js';
import { INSECURE, TRACK_FLAGS } from './flags.js';
import type { Machine } from './machine.js';
import { SuppressedError, track, trackUntilReady } from './tracker.js';

const budget = (c: Ctx) => (c.changed.has('timeout') ? c.flags.timeout : c.world.scaled(c.flags.timeout));

/** connects to every target first (a down node fails the command before anything happens), as WithClient does */
function machinesOf(c: Ctx, prefix: string, insecure = false): { node: string; m: Machine }[] {
  return targets(c).map((node) => {
    const r = reach(c, node, insecure);
    if (r.error) throw new CliError(`${prefix}: ${r.error.message}`);
    return { node, m: r.machine! };
  });
}

async function tracked(c: Ctx, list: { node: string; m: Machine }[], act: (m: Machine) => Promise<void>, untilReady: boolean): Promise<void> {
  const deadline = Date.now() + budget(c);
  const results = await Promise.allSettled(list.map(async ({ node, m }) => {
    const boot = m.bootId;
    const done = act(m);
    done.catch(() => undefined);
    if (!c.flags.wait) return;
    track(c, node, 'waiting for actor ID');
    track(c, node, `actor ID: ${crypto.randomUUID()}`);
    track(c, node, 'task: stopAllServices action: START');
    if (untilReady) return trackUntilReady(c, node, m, boot, deadline);
    await done;
    track(c, node, 'events check condition met');
  }));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) {
    const reason = (failed as PromiseRejectedResult).reason;
    throw reason instanceof SuppressedError ? reason : new CliError(String(reason?.message ?? reason));
  }
}

export const rebootCmd: Command = {
  path: 'reboot',
  args: { exact: 0 },
  flags: [{ name: 'mode', short: 'm', type: 'string', default: 'default', usage: 'select the reboot mode: "default", "powercycle" (skips kexec)' }, ...TRACK_FLAGS],
  async run(c) {
    if (!['default', 'powercycle', 'force'].includes(c.flags.mode)) throw new CliError(`invalid reboot mode: ${c.flags.mode}`);
    if (c.flags.debug) c.flags.wait = true;
    const list = machinesOf(c, 'error executing reboot');
    await tracked(c, list, async (m) => {
      c.world.lock(m, 'reboot');
      try {
        await c.world.reboot(m, `reboot ${c.flags.mode}`);
      } finally {
        m.busy = undefined;
      }
    }, true);
  },
};

export const shutdownCmd: Command = {
  path: 'shutdown',
  args: { exact: 0 },
  flags: [{ name: 'force', type: 'bool', usage: 'if true, force a node to shutdown without a cordon/drain' }, ...TRACK_FLAGS],
  async run(c) {
    if (c.flags.debug) c.flags.wait = true;
    const list = machinesOf(c, 'error executing shutdown');
    if (!c.flags.force) for (const { m } of list) c.world.deps.kube.cordon(m.name, true);
    await tracked(c, list, (m) => c.world.shutdown(m), false);
  },
};

export const resetCmd: Command = {
  path: 'reset',
  args: { exact: 0 },
  flags: [
    { name: 'graceful', type: 'bool', default: true, usage: 'if true, attempt to cordon/drain node and leave etcd (if applicable)' },
    { name: 'reboot', type: 'bool', usage: 'if true, reboot the node after resetting instead of shutting down' },
    { name: 'system-labels-to-wipe', type: 'strings', usage: 'if set, just wipe selected system disk partitions by label but keep other partitions intact' },
    { name: 'user-disks-to-wipe', type: 'strings', usage: 'if set, wipes defined devices in the list' },
    { name: 'wipe-mode', type: 'string', default: 'all', usage: 'disk reset mode' },
    INSECURE,
    ...TRACK_FLAGS,
  ],
  async run(c) {
    if (c.flags.debug) c.flags.wait = true;
    if (!['all', 'system-disk', 'user-disks'].includes(c.flags['wipe-mode'])) throw new CliError(`invalid argument ${JSON.stringify(c.flags['wipe-mode'])} for "--wipe-mode" flag: unsupported value`);
    const list = machinesOf(c, 'error executing reset', c.flags.insecure);
    if (c.flags.graceful) for (const { m } of list) c.world.deps.kube.cordon(m.name, true);
    const opts = { graceful: c.flags.graceful, reboot: c.flags.reboot, labels: c.flags['system-labels-to-wipe'] as string[] };
    await tracked(c, list, (m) => c.world.reset(m, opts), false);
  },
};
