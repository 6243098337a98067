// volsync:restore — restores an app's PVC from its VolSync restic repository, in place. Destructive (the PVC's
// current contents are replaced). Refuses unless the ReplicationSource exists, the repository opens and a snapshot
// matches (an empty selection would "succeed" restoring nothing). Every step is idempotent; on failure or Ctrl-C,
// Flux is resumed and the replicas restored. Re-runnable after a partial failure.
import { ownerOf } from '../../lib/gitops/owner.ts';
import { ownerPause } from '../../lib/gitops/pause.ts';
import { toolPresent } from '../../lib/checks/tools.ts';
import { DNS_LABEL, DNS_SUBDOMAIN, formatDuration, isRfc3339 } from '../../lib/patterns.ts';
import { UsageError, type TaskContext, type TaskImpl } from '../../lib/engine/types.ts';
import { HR, KS } from '../../lib/flux/objects.ts';
import { findWorkload, kopiaRefusal } from '../../lib/volsync/app.ts';
import { appProbe, repositoryReachable, resticNeeded, snapshotMatches } from '../../lib/volsync/checks.ts';
import { repositoryUnlocked } from '../../lib/volsync/locks.ts';
import { restoreSteps } from '../../lib/volsync/restore.ts';
import { selectSnapshot } from '../../lib/tools/restic.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { APP, NAMESPACE } from '../../lib/engine/flag-kit.ts';

function restore(): TaskImpl {
  let probe: ReturnType<typeof appProbe>;
  const selection = (ctx: TaskContext) => ({ previous: ctx.flags.previous as number | undefined, asOf: ctx.flags['as-of'] as string | undefined });
  return {
    validate(ctx) {
      const asOf = ctx.flags['as-of'] as string | undefined;
      if (asOf && !isRfc3339(asOf)) throw new UsageError(`--as-of: expected an RFC 3339 time like 2026-11-20T03:00:00Z or 2026-11-20T04:00:00+01:00 (got "${asOf}")`);
      probe = appProbe(ctx, String(ctx.flags.app), ctx.flags.namespace as string | undefined);
    },
    // restic apps: the repository opens, is not locked, and a snapshot matches; kopia apps: VolSync's record of the
    // last backup (rackhand does not open kopia repositories; the mover picks the snapshot)
    preflight: (ctx) => [resticNeeded(probe, toolPresent('restic', ['version'])), repositoryReachable(probe),
      repositoryUnlocked(async () => [(await probe()).app], async (app) => (await probe()).restic ?? Promise.reject(kopiaRefusal(app)), 'exclusive'), snapshotMatches(probe, selection(ctx))],
    changes(ctx) {
      const snap = ctx.data.snapshot as { id: string; time: string } | null;
      const app = ctx.data.app as string;
      const age = snap ? formatDuration(Math.max(0, Date.now() - Date.parse(snap.time))) : '';
      const kopia = ctx.data.mover === 'kopia';
      const sel = `${ctx.flags['as-of'] ? `as of ${String(ctx.flags['as-of'])}` : 'the latest'}${ctx.flags.previous ? `, ${String(ctx.flags.previous)} before that` : ''}`;
      return [
        `PVC ${app.split('/')[0]}/${ctx.data.pvc as string} is OVERWRITTEN in place (files not in the snapshot are deleted)`,
        kopia ? `with the kopia snapshot VolSync's mover picks (${sel}; last backup ${String(ctx.data.lastBackup ?? 'unknown')})`
          : snap ? `with snapshot ${snap.id.slice(0, 8)} from ${snap.time} (${age} old)` : 'with no snapshot (refused in preflight)',
        `the app is down meanwhile: ${(ctx.data.workload as string | undefined) ?? 'no workload found'} scaled to 0, ${String(ctx.data.gitopsOwner ?? '').startsWith('Argo CD') ? `Argo CD auto-sync off (${String(ctx.data.gitopsOwner)})` : 'Flux suspended'}, and every backup of the PVC paused (${((ctx.data.sources as string[] | undefined) ?? []).join(', ')})`,
      ];
    },
    async plan(ctx) {
      const { app, snapshots } = await probe();
      const pick = selectSnapshot(snapshots, selection(ctx));
      ctx.data.pvc = app.pvc;
      ctx.data.mover = app.mover;
      if (app.mover === 'kopia') ctx.data.lastBackup = app.source.status?.lastSyncTime ?? null;
      ctx.data.app = `${app.namespace}/${app.name}`;
      ctx.data.snapshot = pick ? { id: pick.id, time: pick.time } : null;
      const workload = await findWorkload(ctx, app);
      if (workload) ctx.data.workload = `${workload.kind}/${workload.name} (${workload.replicas} replica(s))`;
      if (!workload) ctx.log.warning(`no Deployment or StatefulSet in ${app.namespace} mounts PVC ${app.pvc}: nothing to scale down`);
      const wobj = workload ? await ctx.kubectl.get(`${workload.kind}s.apps`, workload.name, app.namespace) : undefined;
      const owner = wobj ? await ownerOf(ctx, wobj) : { by: 'none' as const };
      // the owner found from the workload is paused the shared way (lib/gitops/pause.ts: Flux HelmRelease and the
      // Kustomization applying it, or Argo CD); --kustomization/--helmrelease name Flux objects instead, and are the
      // fallback (default: the app's name) when the workload carries no owner markers
      const named = ctx.flags.kustomization !== undefined || ctx.flags.helmrelease !== undefined;
      const gitops = wobj && owner.by !== 'none' && !(owner.by === 'flux' && named) ? await ownerPause(ctx, owner, wobj, new Date().toISOString()) : undefined;
      ctx.data.gitopsOwner = gitops?.describe ?? owner.by;
      const sources = app.pvcSources ?? [{ name: app.name, paused: app.source.spec?.paused === true }];
      ctx.data.sources = sources.map((x) => x.name);
      return restoreSteps(ctx, {
        app, workload, sources, ...selection(ctx), timeoutMs: ctx.flags.timeout as number, ...(gitops ? { gitops: { pause: gitops.pause, resume: gitops.resume } } : {}),
        kustomization: { resource: KS, kind: 'Kustomization', name: String(ctx.flags.kustomization ?? app.name), namespace: String(ctx.flags['flux-namespace']) },
        helmrelease: { resource: HR, kind: 'HelmRelease', name: String(ctx.flags.helmrelease ?? app.name), namespace: app.namespace },
      });
    },
  };
}

export default defineTask({
  summary: 'restore an app\'s PVC in place; its GitOps owner (Flux or Argo CD) paused and replicas scaled down meanwhile, always put back',
  description: [
    'Refuses unless the ReplicationSource exists, its repository opens and a snapshot matches (--previous N skips N',
    'newer ones, --as-of picks the newest at or before a time). Fails, never "succeeds", when the mover restored nothing.',
  ].join('\n'),
  example: 'npx tsx tasks volsync:restore --cluster lab --app paperless --previous 1',
  flags: {
    'confirm-cluster': { type: 'string', description: 'with --yes: the cluster name, as a typed confirmation (the volume is overwritten in place)' },
    app: { ...APP, required: true },
    namespace: NAMESPACE,
    previous: { type: 'number', description: 'skip this many newer snapshots' },
    'as-of': { type: 'string', description: 'restore the newest snapshot at or before this RFC 3339 time' },
    timeout: { type: 'duration', description: 'deadline for each wait (pods gone, mover, app Ready)', default: 30 * 60_000 },
    kustomization: { type: 'string', pattern: DNS_SUBDOMAIN, hint: 'a Kustomization name', description: 'Flux Kustomization to suspend instead of the one found from the workload (fallback: the app name)' },
    'flux-namespace': { type: 'string', pattern: DNS_LABEL, hint: 'a namespace', description: 'namespace of that Kustomization', default: 'flux-system' },
    helmrelease: { type: 'string', pattern: DNS_SUBDOMAIN, hint: 'a HelmRelease name', description: 'HelmRelease to suspend, in the app namespace, instead of the one found from the workload (fallback: the app name)' },
  },
  destructive: 'typed',
  cluster: true,
  impl: restore,
});
