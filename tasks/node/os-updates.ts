// node:os-updates — for k3s nodes on a general-purpose OS (Debian/Ubuntu): the packages with pending updates (and
// which come from a -security suite), and the reboot-required flag; with --reboot, a rolling reboot of the nodes
// that need one, one at a time, the same way an upgrade goes: cordon, drain (PDBs, deadline), reboot, the node back
// (new boot id, Ready), the flag gone, uncordon. Read-only without --reboot.
// apt(8): `apt list --upgradable` prints `name/suite version arch [upgradable from: old]` after "Listing...";
// update-notifier-common / unattended-upgrades: /var/run/reboot-required and /var/run/reboot-required.pkgs.
import type { NodeConfig } from '../../lib/config.ts';
import { drainAllowedByPdbs } from '../../lib/checks/pdbs.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { IGNORE_PDBS, NODE } from '../../lib/engine/flag-kit.ts';
import { StepFailure, type Check, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { ACCEPT_NEW_HOST_KEY, sshReachable } from '../../lib/k3s/checks.ts';
import { K3sNodes, pickNodes, requireK3s } from '../../lib/k3s/nodes.ts';
import { isReady } from '../../lib/k3s/wait.ts';
import { formatDuration } from '../../lib/patterns.ts';
import { table } from '../../lib/table.ts';
import type { Node } from '../../lib/tools/kube-types.ts';
import { waitUntil } from '../../lib/wait.ts';
import { cordonAndDrain, uncordonOurs, type Cordon } from '../../lib/nodes/drain.ts';

export const REBOOT_REQUIRED = '/var/run/reboot-required';

interface OsState { node: string; updates: string[]; security: string[]; rebootRequired: boolean }

export function parseUpgradable(out: string): { updates: string[]; security: string[] } {
  const updates: string[] = [];
  const security: string[] = [];
  for (const line of out.split('\n')) {
    const m = /^([^/\s]+)\/(\S+)\s+\S+\s+\S+\s+\[upgradable from:/.exec(line.trim());
    if (!m) continue;
    updates.push(m[1]!);
    if (/-security\b|security\./.test(m[2]!)) security.push(m[1]!);
  }
  return { updates, security };
}

function osUpdates() {
  let targets: NodeConfig[];
  let nodes: K3sNodes;
  const state = new Map<string, OsState>();
  const reboot = (ctx: TaskContext) => ctx.flags.reboot === true;
  return {
    validate(ctx: TaskContext) {
      requireK3s(ctx);
      targets = pickNodes(ctx);
    },
    preflight: (ctx: TaskContext): Check[] => {
      nodes = new K3sNodes(ctx);
      return [
        sshReachable(() => nodes, () => targets),
        ...(reboot(ctx) ? [drainAllowedByPdbs(() => targets.map((n) => n.name), { ignore: ctx.flags['ignore-pdbs'] === true, what: 'the drain would wait for the budget until --drain-timeout and stop the reboots' })] : []),
      ];
    },
    async plan(ctx: TaskContext): Promise<Step[]> {
      const steps: Step[] = [{
        title: `read pending updates and reboot-required on ${targets.map((n) => n.name).join(', ')}`,
        mutating: false,
        run: async () => {
          await Promise.all(targets.map(async (n) => {
            const apt = await nodes.run(n, ['apt', 'list', '--upgradable']);
            if (apt.exitCode !== 0) throw nodes.commandFailed(n, ['apt', 'list', '--upgradable'], apt.stderr);
            const flag = await nodes.run(n, ['test', '-e', REBOOT_REQUIRED]);
            state.set(n.name, { node: n.name, ...parseUpgradable(apt.stdout), rebootRequired: flag.exitCode === 0 });
          }));
          const rows = targets.map((n) => state.get(n.name)!);
          ctx.data.nodes = rows;
          ctx.out(`${table(['NODE', 'UPDATES', 'SECURITY', 'REBOOT REQUIRED'], rows.map((r) => [r.node, String(r.updates.length), r.security.length ? r.security.join(', ') : '-', r.rebootRequired ? 'yes' : 'no']))}\n`);
        },
      }];
      if (!reboot(ctx)) return steps;
      // the rolling reboot: the nodes are read at plan time too, so each step knows whether it has anything to do
      for (const n of [...targets.filter((x) => x.role === 'controlplane'), ...targets.filter((x) => x.role === 'worker')]) {
        let cordoned: Cordon | undefined;
        steps.push({
          title: `reboot ${n.name} if it needs it (cordon, drain, reboot, Ready, uncordon)`,
          isDone: async () => ((await nodes.run(n, ['test', '-e', REBOOT_REQUIRED])).exitCode !== 0 ? `${n.name} needs no reboot` : false),
          cleanup: async () => { await uncordonOurs(ctx, cordoned); },
          byHand: [`kubectl uncordon ${n.name}`],
          run: async (rt) => {
            const k = ctx.kubectl;
            const timeoutMs = ctx.flags.timeout as number;
            const bootId = (await k.get<Node>('nodes', n.name))?.status?.nodeInfo?.bootID;
            await cordonAndDrain(ctx, n.name, ctx.flags['drain-timeout'] as number, (c) => { cordoned = c; });
            // a timer, so this ssh session ends before the machine goes down (systemd-run(1) --on-active)
            await nodes.mutate(n, ['systemd-run', '--on-active=2', 'systemctl', 'reboot'], { sudo: true });
            if (ctx.dryRun) return;
            const started = Date.now();
            rt.output(`${n.name} reboots; waiting for it to come back Ready (deadline ${formatDuration(timeoutMs)})`);
            await waitUntil({
              what: `${n.name} to come back Ready after its reboot`, timeoutMs, intervalMs: 500, signal: ctx.signal,
              probe: async () => {
                const o = await k.get<Node>('nodes', n.name);
                const back = o?.status?.nodeInfo?.bootID && o.status.nodeInfo.bootID !== bootId;
                return back && isReady(o) ? { done: true, value: o } : { done: false, seen: back ? 'booted, not Ready yet' : 'not rebooted yet' };
              },
            });
            const still = await nodes.run(n, ['test', '-e', REBOOT_REQUIRED]).catch(() => undefined);
            if (still?.exitCode === 0) throw new StepFailure(`${n.name} came back but still says ${REBOOT_REQUIRED}`, `ssh ${n.name} cat ${REBOOT_REQUIRED}.pkgs`);
            await uncordonOurs(ctx, cordoned);
            rt.output(`${n.name} back in ${formatDuration(Date.now() - started)}`);
          },
        });
      }
      return steps;
    },
  };
}

export default defineTask({
  summary: 'pending OS updates and reboot-required on k3s nodes; --reboot reboots the nodes that need it, one at a time, drained',
  example: 'npx tsx tasks node:os-updates --cluster edge --reboot',
  flags: {
    node: { ...NODE, description: 'only this node' },
    all: { type: 'boolean', description: 'every node (the default)' },
    reboot: { type: 'boolean', description: 'reboot the nodes whose OS asks for it (/var/run/reboot-required), one at a time: cordon, drain, reboot, Ready, uncordon' },
    'drain-timeout': { type: 'duration', description: 'kubectl drain --timeout for one node', default: 5 * 60_000 },
    timeout: { type: 'duration', description: 'deadline for one node to come back Ready', default: 10 * 60_000 },
    'ignore-pdbs': IGNORE_PDBS,
    'accept-new-host-key': ACCEPT_NEW_HOST_KEY,
  },
  destructive: true,
  cluster: true,
  impl: osUpdates,
});
