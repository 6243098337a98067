// `talosctl upgrade`, both generations.
// <= v1.12 (cmd/talosctl/cmd/talos/upgrade.go up to release-1.12): MachineService.Upgrade; --wait=false prints the
// NODE ACK STARTED table; --wait (default) runs the action tracker; the NODE cordons and drains itself.
// >= v1.13 (upgrade.go with LifecycleService): TalosVersionCheck ">1.13.0-alpha.2 <2.0.0", else "New upgrade API is
// not available, falling back to legacy"; pull + install, then talosctl itself drains (--drain, default true, forces
// --wait; --drain-timeout 5m), reboots, waits, and uncordons what it cordoned. --force/--insecure/--preserve/--stage
// are deprecated ("legacy flag for MachineService.Upgrade fallback, to be removed in Talos 1.18").
import { type Command, CliError, type Ctx, err, out, reach, targets, warning } from './command.js';
import { TRACK_FLAGS } from './flags.js';
import { atLeast, type Machine, minor, parseInstallerImage } from './machine.js';
import { formatGoDuration } from './argv.js';
import { goTimeNow, tabwrite } from './output.js';
import { SuppressedError, track, trackUntilReady } from './tracker.js';
import { RpcError } from './world.js';

const VANILLA = '376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba';
const LEGACY_DEPRECATION = 'legacy flag for MachineService.Upgrade fallback, to be removed in Talos 1.18';

export function upgradeFlags(gen13: boolean, clientVersion: string): Command['flags'] {
  const image = { name: 'image', short: 'i', type: 'string' as const, default: `ghcr.io/siderolabs/installer:${clientVersion}`, usage: 'the container image to use for performing the install' };
  const mode = { name: 'reboot-mode', short: 'm', type: 'string' as const, default: 'default', usage: 'select the reboot mode during upgrade. Mode "powercycle" bypasses kexec. Values: [default powercycle]' };
  if (!gen13) {
    return [image, mode, ...TRACK_FLAGS,
      { name: 'force', short: 'f', type: 'bool', usage: 'force the upgrade (skip checks on etcd health and members, might lead to data loss)' },
      { name: 'insecure', type: 'bool', usage: 'upgrade using the insecure (encrypted with no auth) maintenance service' },
      { name: 'preserve', short: 'p', type: 'bool', hidden: true, usage: 'preserve data' },
      { name: 'stage', short: 's', type: 'bool', usage: 'stage the upgrade to perform it after a reboot' }];
  }
  return [image, { name: 'namespace', type: 'string', default: 'system' }, mode,
    { name: 'progress', type: 'string', default: 'auto', usage: 'output mode for upgrade progress' },
    { name: 'drain', type: 'bool', default: true, usage: 'drain the Kubernetes node before rebooting (cordon + evict pods)' },
    { name: 'drain-timeout', type: 'duration', default: 5 * 60_000, usage: 'timeout for draining the Kubernetes node' },
    ...TRACK_FLAGS,
    { name: 'legacy', type: 'bool', usage: 'force use of legacy upgrade method' },
    { name: 'force', short: 'f', type: 'bool', deprecated: LEGACY_DEPRECATION },
    { name: 'insecure', type: 'bool', deprecated: LEGACY_DEPRECATION },
    { name: 'preserve', short: 'p', type: 'bool', deprecated: LEGACY_DEPRECATION },
    { name: 'stage', short: 's', type: 'bool', deprecated: LEGACY_DEPRECATION }];
}

/** the image's version is its tag; a schematic path segment is optional (ghcr.io/siderolabs/installer:vX) */
function imageParts(m: Machine, image: string) {
  const full = parseInstallerImage(image);
  if (full) return full;
  const plain = /^(.+):(v\d+\.\d+\.\d+)$/.exec(image);
  if (plain) return { installer: plain[1]!, schematic: m.schematic || VANILLA, version: plain[2]! };
  return undefined;
}

/** a user's duration as given; the 30m/5m defaults shrink with the lab's time compression */
const budget = (c: Ctx, flag: string) => (c.changed.has(flag) ? c.flags[flag] : c.world.scaled(c.flags[flag]));

function validate(c: Ctx): void {
  if (!['default', 'powercycle', ...(c.gen13 ? ['force'] : [])].includes(c.flags['reboot-mode'])) {
    throw new CliError(`invalid argument ${JSON.stringify(c.flags['reboot-mode'])} for "-m, --reboot-mode" flag: unsupported value`);
  }
}

export const upgradeCmd: Command = {
  path: 'upgrade',
  args: { exact: 0 },
  flags: [], // per generation: see talosctl.ts
  async run(c) {
    validate(c);
    if (c.flags.debug) c.flags.wait = true;
    if (c.gen13 && c.flags.drain) c.flags.wait = true;
    if (c.flags.wait && c.flags.insecure) throw new CliError('cannot use --wait and --insecure together');
    const nodes = targets(c);
    if (c.gen13 && c.flags.legacy) {
      warning(c, 'Forcing use of legacy upgrade method. This flag is deprecated and will be removed in Talos 1.18.');
      return legacy(c, nodes);
    }
    if (c.gen13) {
      const machines = nodes.map((n) => reach(c, n));
      const down = machines.find((r) => r.error);
      if (down) throw new CliError(`error checking Talos version compatibility: ${down.error!.message}`);
      if (machines.some((r) => !atLeast(r.machine!.version, 1, 13))) {
        err(c, 'New upgrade API is not available, falling back to legacy\n');
        return legacy(c, nodes);
      }
      return lifecycle(c, nodes, machines.map((r) => r.machine!));
    }
    return legacy(c, nodes);
  },
};

/** helpers.ClientVersionCheck: "WARNING: <node>: server version X is older than client version Y" */
function versionCheck(c: Ctx, node: string, m: Machine): void {
  const [a, b] = minor(m.version);
  const [x, y] = minor(c.world.clientVersion);
  if (a < x || (a === x && b < y)) warning(c, `${node}: server version ${m.version} is older than client version ${c.world.clientVersion}`);
}

function start(c: Ctx, node: string) {
  const r = reach(c, node, c.flags.insecure);
  if (r.error) throw r.error;
  const m = r.machine!;
  versionCheck(c, node, m);
  const parts = imageParts(m, c.flags.image);
  if (!parts) throw new RpcError('InvalidArgument', `error validating installer image ${JSON.stringify(c.flags.image)}: failed to resolve the Talos version from the image tag`);
  const bootBefore = m.bootId;
  const started = c.world.upgradeLegacy(m, parts, c.flags.image);
  return { m, bootBefore, ...started };
}

async function legacy(c: Ctx, nodes: string[]): Promise<void> {
  if (!c.flags.wait) {
    let table = 'NODE\tACK\tSTARTED\n';
    const errors: string[] = [];
    for (const node of nodes) {
      try {
        start(c, node);
        table += `${node}\tUpgrade request received\t${goTimeNow()}\t\n`;
      } catch (e) {
        errors.push(c.gen13 ? `error from node ${node}: error performing upgrade: ${(e as Error).message}` : `error performing upgrade: ${(e as Error).message}`);
      }
    }
    if (errors.length && !c.gen13) throw new CliError(errors[0]!);
    out(c, tabwrite(table));
    if (errors.length) throw new CliError(errors.join('\n'));
    return;
  }
  const deadline = Date.now() + budget(c, 'timeout');
  const results = await Promise.allSettled(nodes.map(async (node) => {
    track(c, node, 'waiting for actor ID');
    let s;
    try {
      s = start(c, node);
    } catch (e) {
      track(c, node, (e as Error).message);
      throw new SuppressedError((e as Error).message);
    }
    track(c, node, `actor ID: ${s.actorId}`);
    for (const t of ['sequence: upgrade action: START', 'phase: drain action: START', 'task: cordonAndDrainNode action: START']) track(c, node, t);
    await s.m.untilStage(['rebooting'], deadline);
    for (const t of ['task: cordonAndDrainNode action: STOP', 'phase: drain action: STOP', 'phase: upgrade action: START', 'task: upgrade action: START', 'task: upgrade action: STOP', 'phase: upgrade action: STOP', 'phase: stopEverything action: START', 'task: stopAllServices action: START']) track(c, node, t);
    await trackUntilReady(c, node, s.m, s.bootBefore, deadline);
    await s.done;
  }));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/** the >= v1.13 LifecycleService path: install, drain (client side), reboot + wait, uncordon */
async function lifecycle(c: Ctx, nodes: string[], machines: Machine[]): Promise<void> {
  const { kube, record } = c.world.deps;
  const image = c.flags.image as string;
  for (const [i, m] of machines.entries()) {
    const node = nodes[i]!;
    err(c, `${node}: pulling ${image}\n`);
    const fail = c.world.faults.upgradeFails.get(m.name);
    const parts = imageParts(m, image);
    if (fail !== undefined || !parts) {
      const e = new RpcError('Internal', fail ?? `error validating installer image ${JSON.stringify(image)}: failed to resolve the Talos version from the image tag`);
      throw new CliError(`error during upgrade: error from node ${node}: ${e.message}`);
    }
    c.world.lock(m, 'upgrade');
    record('talos-upgrade-start', m.name, image);
    m.pending = parts;
    err(c, `${node}: upgrade completed\n`);
  }
  const cordoned: Machine[] = [];
  let drained = false; // upstream registers the uncordon defer only after a successful drain
  try {
    if (c.flags.drain) {
      const drainTimeout = budget(c, 'drain-timeout');
      for (const m of machines) {
        // cmd/talosctl/pkg/talos/nodedrain: kubectl's drain helper (Force, IgnoreAllDaemonSets, DeleteEmptyDirData)
        err(c, `${m.name}: cordoning node\n`);
        if (kube.cordon(m.name, false)) cordoned.push(m);
        err(c, `${m.name}: node cordoned\n${m.name}: draining node\n`);
        const failed = await kube.drain(m.name, c.world.scaled(5_000), Date.now() + drainTimeout, (pod, e) => {
          err(c, e ? `${m.name}: failed to evict pod ${pod.metadata.namespace}/${pod.metadata.name}: ${e}\n` : `${m.name}: evicting pod ${pod.metadata.namespace}/${pod.metadata.name}\n${m.name}: evicted pod ${pod.metadata.namespace}/${pod.metadata.name}\n`);
        });
        if (failed.length) {
          const f = failed[0]!;
          throw new CliError(`error draining node ${JSON.stringify(m.name)}: error when evicting pods/${JSON.stringify(f.pod.metadata.name)} -n ${JSON.stringify(f.pod.metadata.namespace)}: global timeout reached: ${formatGoDuration(c.changed.has('drain-timeout') ? c.flags['drain-timeout'] : 300_000)}`);
        }
        record('node-drained', m.name, 'all pods evicted');
        err(c, `${m.name}: node drained\n`);
      }
    }
    drained = true;
    const deadline = Date.now() + budget(c, 'timeout');
    await Promise.all(machines.map(async (m, i) => {
      const node = nodes[i]!;
      const boot = m.bootId;
      const rebooted = c.world.reboot(m, 'upgrade');
      if (!c.flags.wait) {
        void rebooted.then(() => c.world.waitReady(m, Number.POSITIVE_INFINITY)).then((ok) => { if (ok) record('talos-upgrade-done', m.name, m.version); });
        return;
      }
      track(c, node, 'waiting for actor ID');
      track(c, node, 'task: stopAllServices action: START');
      await trackUntilReady(c, node, m, boot, deadline);
      record('talos-upgrade-done', m.name, m.version);
    }));
  } finally {
    for (const m of machines) m.busy = undefined;
    for (const m of cordoned) {
      if (!drained || !c.flags.wait) break;
      err(c, `${m.name}: uncordoning node\n`);
      kube.uncordon(m.name);
      err(c, `${m.name}: node uncordoned\n`);
    }
  }
}
