// talos:upgrade-node — rolling Talos upgrade from the workstation. Destructive (nodes reboot). Only nodes whose
// running version differs from the target are touched: control planes first, one at a time, after an etcd
// snapshot; then workers one at a time. Each node must go down, come back Ready, report the target, have etcd
// whole again (control planes) and a ready machine status before the next one starts. A failure stops the
// rollout with the node, what was awaited and the command that resumes it; a re-run continues where it stopped.
import type { NodeConfig } from '../../lib/config.ts';
import { toolPresent } from '../../lib/checks/tools.ts';
import { drainAllowedByPdbs } from '../../lib/checks/pdbs.ts';
import { nodesReady } from '../../lib/checks/nodes.ts';
import { etcdHealthyCheck, talosctlSkew } from '../../lib/checks/talos.ts';
import { UsageError, type TaskContext, type TaskImpl } from '../../lib/engine/types.ts';
import { rollingSteps } from '../../lib/rollout/rolling.ts';
import { TalosDriver, talosctlFor, requireTalos } from '../../lib/talos/driver.ts';
import { imageVersion, installerImage } from '../../lib/talos/images.ts';
import { extensionChange, type NodeExtensions } from '../../lib/talos/extensions.ts';
import { moveProblem, targetProblem } from '../../lib/versions.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { IGNORE_PDBS, NODE, VERSION, VERSION_GUARDS } from '../../lib/engine/flag-kit.ts';

interface Inputs { nodes: NodeConfig[]; target: string; imageFor: (n: NodeConfig) => string; flagImage?: string }

function inputs(ctx: TaskContext): Inputs {
  const c = ctx.cluster;
  requireTalos(ctx);
  const node = ctx.flags.node as string | undefined;
  const all = ctx.flags.all === true;
  if (Boolean(node) === all) throw new UsageError('expected exactly one of --node NAME or --all');
  const nodes = all ? c.nodes : c.nodes.filter((n) => n.name === node);
  if (nodes.length === 0) throw new UsageError(`--node: no node "${node}" in cluster ${c.name}; expected one of ${c.nodes.map((n) => n.name).join(', ')}`);
  const flagImage = ctx.flags.image as string | undefined;
  const target = (ctx.flags.to as string | undefined) ?? (flagImage ? imageVersion(flagImage) : undefined) ?? c.versions.talos;
  if (!target) throw new UsageError(`--to: expected a version like v1.12.3 (clusters.${c.name}.versions.talos is not set)`);
  if (flagImage && imageVersion(flagImage) !== target) throw new UsageError(`--image: its tag must be the target version ${target} (got ${flagImage})`);
  const bad = targetProblem(target, ctx.flags.to ? '--to' : `clusters.${c.name}.versions.talos`, ctx.flags['allow-prerelease'] === true);
  if (bad) throw new UsageError(bad);
  // --image applies to every node it upgrades; otherwise each node keeps its own schematic (talosImageURL)
  return { nodes, target, imageFor: (n) => flagImage ?? installerImage(c, target, n), ...(flagImage ? { flagImage } : {}) };
}

function upgradeNode(): TaskImpl {
  let input: Inputs;
  let client: Promise<string> | undefined;
  const clientVersion = (ctx: TaskContext): Promise<string> => (client ??= talosctlFor(ctx).clientVersion());
  // what each node runs besides Talos, read once (preflight), and how an upgrade would change it
  let extensions: Promise<Map<string, NodeExtensions>> | undefined;
  const changeOf = new Map<string, string>();
  let runningVersion = new Map<string, string>();
  let runningExtensions = new Map<string, NodeExtensions>();
  const extensionsNow = (ctx: TaskContext) => (extensions ??= talosctlFor(ctx).extensions(input.nodes.map((n) => n.address)));
  return {
    validate(ctx) { input = inputs(ctx); },
    // each node's target image next to what it runs now (version, schematic) as preflight read it
    changes: () => input.nodes.map((n) => {
      const v = runningVersion.get(n.address);
      const e = runningExtensions.get(n.address);
      const now = v || e ? `; it runs ${v ?? 'an unknown version'}${e?.schematic ? `, schematic ${e.schematic.slice(0, 12)}…` : ''}${e ? `, ${e.names.length ? e.names.join(', ') : 'no extensions'}` : ''} now` : '';
      return `node ${n.name} (${n.address}, ${n.role}) is upgraded to ${input.imageFor(n)} and reboots, unless it already runs ${input.target}${now}${changeOf.has(n.name) ? `; its ${changeOf.get(n.name)}` : ''}`;
    }),
    confirmation: (ctx) => (ctx.flags['allow-downgrade'] ? 'typed' : true),
    preflight: (ctx) => [
      {
        name: 'each node moves to the target by an upgrade of at most one minor',
        async run() {
          const running = await talosctlFor(ctx).serverVersions(input.nodes.map((n) => n.address));
          runningVersion = running;
          const policy = { what: 'Talos', allowDowngrade: ctx.flags['allow-downgrade'] === true, allowPrerelease: ctx.flags['allow-prerelease'] === true, maxMinorStep: 1 };
          const problems = input.nodes.flatMap((n) => {
            const v = running.get(n.address);
            const p = v ? moveProblem(v, input.target, policy) : undefined;
            return p ? [`${n.name}: ${p}`] : [];
          });
          if (problems.length) return { ok: false, message: problems.join('; '), remedy: 'pick a target at most one minor ahead of every node (talos.dev: upgrade through each minor release)' };
          return { ok: true, message: `every node can move to ${input.target}` };
        },
      },
      toolPresent('talosctl', ['version', '--client', '--short']),
      toolPresent('kubectl', ['version', '--client', '--output=json']),
      {
        name: 'each node keeps its system extensions (schematic)',
        async run() {
          const now = await extensionsNow(ctx);
          runningExtensions = now;
          for (const n of input.nodes) {
            const have = now.get(n.address);
            const change = have && extensionChange(have, input.imageFor(n), input.flagImage ? undefined : n.extensions);
            if (change) changeOf.set(n.name, change);
          }
          const lines = [...changeOf].map(([name, c]) => `${name}: ${c}`);
          const unread = input.nodes.filter((n) => !now.has(n.address)).map((n) => n.name);
          const note = unread.length ? `; extensions of ${unread.join(', ')} not read` : '';
          if (!lines.length) return { ok: true, message: `the installers keep every node's extensions${note}` };
          if (ctx.flags['accept-extension-change'] === true) return { ok: true, message: `extension change accepted: ${lines.join('; ')}${note}` };
          return { ok: false, message: `the upgrade would change system extensions: ${lines.join('; ')}`, remedy: 'check the installer per node (npx tsx tasks talos:image; talosImageURL or schematic in talconfig.yaml), or re-run with --accept-extension-change if the change is wanted' };
        },
      },
      talosctlSkew(() => input.target, () => clientVersion(ctx)),
      nodesReady,
      etcdHealthyCheck,
      drainAllowedByPdbs(() => input.nodes.map((n) => n.name), { ignore: ctx.flags['ignore-pdbs'] === true, what: 'Talos <= 1.12 would reboot the node anyway after its 5 minute drain cap; talosctl >= 1.13 would stop with the node cordoned' }),
    ],
    async plan(ctx) {
      const driver = new TalosDriver(ctx, {
        pendingChange: (n) => changeOf.get(n.name),
        imageFor: input.imageFor, target: input.target,
        rebootMode: ctx.flags['reboot-mode'] as 'default' | 'powercycle',
        timeoutPerNodeMs: ctx.flags['timeout-per-node'] as number,
        drainTimeoutMs: ctx.flags['drain-timeout'] as number,
        clientVersion: await clientVersion(ctx),
      });
      ctx.data.target = input.target;
      const images = Object.fromEntries(input.nodes.map((n) => [n.name, input.imageFor(n)]));
      ctx.data.images = images;
      // one image for all nodes (the usual case) is also recorded as `image`
      if (new Set(Object.values(images)).size === 1) ctx.data.image = Object.values(images)[0];
      ctx.data.generation = driver.generation;
      const which = ctx.flags.all ? '--all' : `--node ${String(ctx.flags.node)}`;
      return rollingSteps({
        nodes: input.nodes, target: input.target, driver,
        resumeCommand: `npx tsx tasks talos:upgrade-node --cluster ${ctx.cluster.name} ${which} --to ${input.target}`,
      });
    },
    postflight: () => [nodesReady],
  };
}

export default defineTask({
  summary: 'rolling Talos upgrade: control planes one at a time (after an etcd snapshot), then workers; resumable',
  description: [
    'Only nodes whose running Talos differs from the target are upgraded. Each node must go down, come back Ready,',
    'report the target version, have etcd whole again (control planes) and a ready machine status before the next',
    'one starts; every wait has a deadline. A failure stops the rollout and names the node and the resume command.',
    'rackhand never cordons a Talos node itself: up to v1.12 the node drains itself, from v1.13 talosctl does.',
    'Each node upgrades with its own installer (talosImageURL or schematic); one that would change the node\'s system',
    'extensions is refused unless --accept-extension-change.',
  ].join('\n'),
  example: 'npx tsx tasks talos:upgrade-node --cluster lab --all --to v1.12.2',
  flags: {
    node: { ...NODE, description: 'upgrade this node only' },
    all: { type: 'boolean', description: 'upgrade every node of the cluster' },
    to: { ...VERSION, description: 'target Talos version (default: versions.talos from rackhand.yaml)' },
    image: { type: 'string', pattern: /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+:v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, hint: 'an installer image like factory.talos.dev/installer/<schematic>:v1.12.3', description: 'installer image (default: installer.image/<schematic>:<target> from rackhand.yaml)' },
    'reboot-mode': { type: 'string', description: 'talosctl --reboot-mode', choices: ['default', 'powercycle'], default: 'default' },
    'timeout-per-node': { type: 'duration', description: 'deadline for one node: drain, reboot, Ready, version, etcd, machine status', default: 15 * 60_000 },
    'drain-timeout': { type: 'duration', description: 'talosctl >= v1.13 --drain-timeout', default: 5 * 60_000 },
    ...VERSION_GUARDS,
    'ignore-pdbs': IGNORE_PDBS,
    'accept-extension-change': { type: 'boolean', description: 'upgrade even when the installer changes a node\'s schematic or system extensions (else a refusal, exit 3); a node at the target version with another schematic is then upgraded too' },
  },
  destructive: true,
  cluster: true,
  impl: upgradeNode,
});
