// cluster:restore — puts a k3s cluster's state back from an etcd snapshot (a name from cluster:snapshots). The most
// destructive task rackhand has: everything written since the snapshot is lost, so the cluster name is typed. Works
// while the API is down (no cluster lock; the target comes from rackhand.yaml). Steps: the snapshot on the first
// server (sent from the off-node copy when it is missing or differs), k3s stopped on every server, cluster-reset from
// it on the first, k3s started there and the API back, every other server's old db/ moved aside and the server
// rejoined, stale Node objects deleted, every node and Deployment back. The time it took is recorded against the
// 30-minute target. Talos: the control planes' etcd data is wiped and the first is bootstrapped with --recover-from.
import { nodesReady } from '../../lib/checks/nodes.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { UsageError, type Check, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { ACCEPT_NEW_HOST_KEY, sshReachable } from '../../lib/k3s/checks.ts';
import { firstServer } from '../../lib/k3s/join.ts';
import { K3sNodes, type NodeProbe } from '../../lib/k3s/nodes.ts';
import { toolPresent } from '../../lib/checks/tools.ts';
import { talosRecoverySteps } from '../../lib/talos/recover.ts';
import { clusterReset, DB, readRestoreProgress, remoteSha256, RESET_FLAG, saveRestoreProgress } from '../../lib/k3s/restore.ts';
import { snapshotDir } from '../../lib/k3s/snapshot.ts';
import { apiReady, isReady } from '../../lib/k3s/wait.ts';
import { formatDuration } from '../../lib/patterns.ts';
import { findCopy } from '../../lib/snapshots/keep.ts';
import { offNodeDir, type OffNodeCopy } from '../../lib/snapshots/offnode.ts';
import type { KubeObject, Node } from '../../lib/tools/kube-types.ts';
import { waitUntil } from '../../lib/wait.ts';

export const RESTORE_TARGET_MS = 30 * 60_000;

function restore() {
  let nodes: K3sNodes;
  let copy: OffNodeCopy | undefined;
  const probes = new Map<string, NodeProbe>();
  return {
    validate(ctx: TaskContext) {
      if (ctx.cluster.distribution === 'k3s' && (ctx.cluster.k3s?.datastore ?? 'etcd') !== 'etcd') throw new UsageError(`--cluster ${ctx.cluster.name}: the datastore is sqlite; cluster:restore restores embedded etcd (for sqlite, restore /var/lib/rancher/k3s/server/db/state.db with k3s stopped)`);
    },
    preflight: (ctx: TaskContext): Check[] => {
      const servers = ctx.cluster.nodes.filter((n) => n.role === 'controlplane');
      if (ctx.cluster.distribution === 'k3s') nodes = new K3sNodes(ctx);
      return [
        ctx.cluster.distribution === 'k3s' ? sshReachable(() => nodes, () => servers) : toolPresent('talosctl', ['version', '--client', '--short']),
        {
          name: 'the snapshot exists and matches its checksum',
          async run() {
            const name = ctx.flags.snapshot as string;
            const found = await findCopy(ctx, name);
            copy = found.copy;
            if (!copy) return { ok: false, message: `no snapshot "${name}" in ${offNodeDir(ctx)}${ctx.cluster.snapshots?.restic ? ' or the restic repository' : ''}${found.known.length ? ` (newest: ${found.known.slice(-3).join(', ')})` : ''}`, remedy: `npx tsx tasks cluster:snapshots --cluster ${ctx.cluster.name}` };
            const { sha256File } = await import('../../lib/snapshots/offnode.ts');
            if ((await sha256File(copy.path)) !== copy.sha256) return { ok: false, message: `${copy.path} changed since it was taken (sha256 differs)`, remedy: 'restore another snapshot' };
            return { ok: true, message: `${copy.name}: taken on ${copy.node} at ${copy.created}${copy.version ? ` (k3s ${copy.version})` : ''}, sha256 ok` };
          },
        },
      ];
    },
    changes: (ctx: TaskContext) => [
      `the state of cluster ${ctx.cluster.name} goes back to snapshot ${String(ctx.flags.snapshot)}${copy ? ` (${copy.created})` : ''}: everything written since is lost`,
      ctx.cluster.distribution === 'k3s'
        ? `k3s stops on ${ctx.cluster.nodes.filter((n) => n.role === 'controlplane').map((n) => n.name).join(', ')}; the API is down until the first server is back`
        : `etcd's data is wiped on ${ctx.cluster.nodes.filter((n) => n.role === 'controlplane').map((n) => n.name).join(', ')} (EPHEMERAL; machine configs kept) and recovered from the snapshot; the API is down meanwhile`,
    ],
    async plan(ctx: TaskContext): Promise<Step[]> {
      const c = ctx.cluster;
      if (c.distribution === 'talos') {
        const progress = readRestoreProgress(ctx.stateDir, c.name);
        const same = progress?.snapshot === copy!.name && progress.sha256 === copy!.sha256 && progress.resetOn !== undefined;
        const started = Date.now();
        ctx.data.restore = { snapshot: copy!.name, sha256: copy!.sha256, targetMs: RESTORE_TARGET_MS, ...(same ? { resumed: true } : {}) };
        const timeoutMs = ctx.flags.timeout as number;
        return [
          ...talosRecoverySteps(ctx, {
            snapshotPath: copy!.path, timeoutMs, resumed: () => same,
            onRecovered: () => saveRestoreProgress(ctx.stateDir, c.name, { snapshot: copy!.name, sha256: copy!.sha256, resetOn: 'talos', resetAt: new Date().toISOString() }),
          }),
          { title: 'wait for the API', run: async () => { if (!ctx.dryRun) await apiReady(ctx, timeoutMs); } },
          deleteStaleNodes(ctx),
          waitEverythingBack(ctx, started, copy!.name, timeoutMs),
        ];
      }
      const first = firstServer(c);
      const others = c.nodes.filter((n) => n.role === 'controlplane' && n !== first);
      for (const p of await nodes.probeAll([first, ...others])) probes.set(p.node.name, p);
      const remote = `${snapshotDir(probes.get(first.name)?.install?.args)}/${copy!.name}`;
      const timeoutMs = ctx.flags.timeout as number;
      const progress = readRestoreProgress(ctx.stateDir, c.name);
      const started = Date.now();
      const sameRestore = progress?.snapshot === copy!.name && progress.sha256 === copy!.sha256;
      ctx.data.restore = { snapshot: copy!.name, sha256: copy!.sha256, targetMs: RESTORE_TARGET_MS, ...(sameRestore ? { resumed: true } : {}) };
      const steps: Step[] = [
        {
          title: `put snapshot ${copy!.name} on ${first.name} (${remote})`,
          isDone: async () => ((await remoteSha256(nodes, first, remote)) === copy!.sha256 ? `${first.name} has it (sha256 matches)` : false),
          run: async () => { await nodes.mutate(first, ['install', '-D', '-m', '600', '/dev/stdin', remote], { sudo: true, inputFile: copy!.path, timeoutMs }); },
        },
        {
          title: `stop k3s on every server (${[first, ...others].map((n) => n.name).join(', ')})`,
          isDone: async () => (sameRestore && progress?.resetOn ? `the reset was done by an earlier run of this restore (${progress.resetAt})` : false),
          run: async (rt) => {
            for (const n of [first, ...others]) {
              rt.output(`${n.name}: systemctl stop k3s`);
              await nodes.mutate(n, ['systemctl', 'stop', 'k3s'], { sudo: true, timeoutMs });
            }
          },
        },
        {
          title: `reset the cluster on ${first.name} from ${copy!.name} (k3s server --cluster-reset)`,
          isDone: async () => {
            if (!sameRestore || progress?.resetOn !== first.name) return false;
            if (progress.firstUpAt) return `done at ${progress.resetAt} by an earlier run; ${first.name} came back at ${progress.firstUpAt}`;
            return (await nodes.run(first, ['test', '-e', RESET_FLAG], { sudo: true })).exitCode === 0 ? `done at ${progress.resetAt} by an earlier run (${RESET_FLAG} is there)` : false;
          },
          run: async (rt) => {
            await clusterReset(nodes, first, remote, timeoutMs);
            if (ctx.dryRun) return;
            saveRestoreProgress(ctx.stateDir, c.name, { snapshot: copy!.name, sha256: copy!.sha256, resetOn: first.name, resetAt: new Date().toISOString() });
            rt.output(`${first.name}: etcd membership reset from ${copy!.name}`);
          },
        },
        {
          title: `start k3s on ${first.name} and wait for the API`,
          isDone: async () => (sameRestore && progress?.firstUpAt && probes.get(first.name)?.active === 'k3s' ? `${first.name} runs the restored cluster since ${progress.firstUpAt}` : false),
          run: async (rt) => {
            await nodes.mutate(first, ['systemctl', 'start', 'k3s'], { sudo: true, timeoutMs });
            if (ctx.dryRun) return;
            await apiReady(ctx, timeoutMs);
            const p = readRestoreProgress(ctx.stateDir, c.name);
            if (p) saveRestoreProgress(ctx.stateDir, c.name, { ...p, firstUpAt: new Date().toISOString() });
            rt.output(`the API answers (${formatDuration(Date.now() - started)} into the restore)`);
          },
        },
        ...others.map((n): Step => ({
          title: `rejoin server ${n.name}: move its old ${DB} aside, start k3s, wait Ready`,
          // a server that already runs the restored cluster (an earlier run rejoined it) is never touched again
          isDone: async () => (sameRestore && progress?.firstUpAt && probes.get(n.name)?.active === 'k3s' && isReady(await ctx.kubectl.get<Node>('nodes', n.name).catch(() => undefined)) ? `${n.name} runs and is Ready` : false),
          run: async (rt) => {
            // only a stopped server's db/ is moved: a running one is already part of the restored cluster
            const running = (await nodes.run(n, ['systemctl', 'is-active', 'k3s'])).exitCode === 0;
            if (!running) {
              const aside = `${DB}-before-restore-${Math.floor(Date.now() / 1000)}`;
              if ((await nodes.run(n, ['test', '-d', DB], { sudo: true })).exitCode === 0) {
                rt.output(`${n.name}: mv ${DB} ${aside}`);
                await nodes.mutate(n, ['mv', DB, aside], { sudo: true });
              }
              await nodes.mutate(n, ['systemctl', 'start', 'k3s'], { sudo: true, timeoutMs });
            } else rt.output(`${n.name}: k3s already runs (rejoined by an earlier run): waiting for it`);
            if (ctx.dryRun) return;
            await waitUntil({
              what: `server ${n.name} to be Ready`, timeoutMs, signal: ctx.signal,
              probe: async () => { const o = await ctx.kubectl.get<Node>('nodes', n.name); return isReady(o) ? { done: true, value: o } : { done: false, seen: o ? 'NotReady' : 'no Node yet' }; },
            });
          },
        })),
        deleteStaleNodes(ctx),
        waitEverythingBack(ctx, started, copy!.name, timeoutMs),
      ];
      return steps;
    },
    postflight: (): Check[] => [nodesReady],
  };
}

function deleteStaleNodes(ctx: TaskContext): Step {
  return {
    title: 'delete Node objects of machines rackhand.yaml no longer lists (NotReady ones only)',
    run: async (rt) => {
      if (ctx.dryRun) return;
      const stale = (await ctx.kubectl.list<Node>('nodes')).filter((o) => !ctx.cluster.nodes.some((n) => n.name === o.metadata.name) && !isReady(o));
      for (const o of stale) {
        rt.output(`kubectl delete node ${o.metadata.name}`);
        await ctx.kubectl.mutate(['delete', 'node', o.metadata.name, '--wait=false']);
      }
      ctx.data.staleNodesDeleted = stale.map((o) => o.metadata.name);
    },
  };
}

function waitEverythingBack(ctx: TaskContext, started: number, snapshot: string, timeoutMs: number): Step {
  return {
    title: 'wait for every node Ready and every Deployment available',
    run: async (rt) => {
      if (ctx.dryRun) return;
      await waitUntil({
        what: 'every node Ready and every Deployment available', timeoutMs, signal: ctx.signal, intervalMs: 1000,
        probe: async () => {
          const notReady = (await ctx.kubectl.list<Node>('nodes')).filter((o) => !isReady(o)).map((o) => o.metadata.name);
          const deps = await ctx.kubectl.list<KubeObject<{ replicas?: number }, { availableReplicas?: number }>>('deployments.apps', { allNamespaces: true });
          const short = deps.filter((d) => (d.status?.availableReplicas ?? 0) < (d.spec?.replicas ?? 1)).map((d) => `${d.metadata.namespace}/${d.metadata.name}`);
          return !notReady.length && !short.length ? { done: true, value: undefined } : { done: false, seen: [notReady.length ? `nodes not Ready: ${notReady.join(', ')}` : '', short.length ? `Deployments not available: ${short.slice(0, 5).join(', ')}` : ''].filter(Boolean).join('; ') };
        },
      });
      const took = Date.now() - started;
      Object.assign(ctx.data.restore as object, { tookMs: took, withinTarget: took <= RESTORE_TARGET_MS });
      saveRestoreProgress(ctx.stateDir, ctx.cluster.name, undefined);
      rt.output(`cluster state restored from ${snapshot} in ${formatDuration(took)} (target ${formatDuration(RESTORE_TARGET_MS)})${took > RESTORE_TARGET_MS ? ': OVER TARGET' : ''}`);
    },
  };
}

export default defineTask({
  summary: 'restore a cluster\'s state from an etcd snapshot: k3s cluster-reset and rejoin, Talos bootstrap --recover-from; cluster name typed',
  description: [
    'Everything written to the cluster since the snapshot is lost. The snapshot is a name from cluster:snapshots; its',
    'off-node copy is checked (sha256) and sent to the first server when the server does not have it. The other',
    'servers\' old server/db is moved aside (not deleted) before they rejoin: a server that kept it cannot join the',
    'reset cluster (k3s-io/k3s issues 2337, 13085). An interrupted restore resumes without resetting twice. The run',
    'record holds the time it took against the 30-minute target. No cluster lock: the API is down for part of it.',
    'Talos: every control plane\'s etcd data is wiped (reset of EPHEMERAL; machine configs stay), the first control',
    'plane is bootstrapped from the snapshot (talosctl bootstrap --recover-from) and the others join it.',
  ].join('\n'),
  example: 'npx tsx tasks cluster:restore --cluster edge --snapshot rackhand-s1-1733222222',
  flags: {
    snapshot: { type: 'string', required: true, pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/, hint: 'a snapshot name from cluster:snapshots', description: 'the snapshot to restore (a name from cluster:snapshots)' },
    timeout: { type: 'duration', description: 'deadline for each step (reset, API back, each server, every node and Deployment)', default: 15 * 60_000 },
    'confirm-cluster': { type: 'string', description: 'with --yes: the cluster name, as the typed confirmation' },
    'accept-new-host-key': ACCEPT_NEW_HOST_KEY,
  },
  destructive: 'typed',
  cluster: true,
  lock: false,
  identityFrom: 'config',
  impl: restore,
});

