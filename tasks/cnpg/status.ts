// cnpg:status — per CloudNativePG Cluster: the primary and ready instances, continuous archiving (the
// ContinuousArchiving condition, and the primary's pg_stat_archiver: last archived WAL and its age, a failed one),
// the last base backup and its age, ScheduledBackups (schedule, last, next), and the first point it can be recovered
// to. Reads both the in-tree barman object store and the barman-cloud plugin. Exit 1 when archiving fails, no base
// backup completed, or the last one is older than backups.rpo (default 26h).
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, UsageError, type TaskContext } from '../../lib/engine/types.ts';
import { archiver, backupMethod, BACKUPS, clustersOf, SCHEDULED, type Backup, type ScheduledBackup } from '../../lib/cnpg/objects.ts';
import { formatDuration, parseDuration } from '../../lib/patterns.ts';
import { table } from '../../lib/table.ts';

const ago = (iso: string | undefined, now: number) => (iso ? `${formatDuration(Math.max(0, now - Date.parse(iso)))} ago` : '-');

function status() {
  return {
    async plan(ctx: TaskContext) {
      return [{
        title: 'read CloudNativePG clusters, backups and WAL archiving',
        mutating: false,
        async run() {
          const clusters = await clustersOf(ctx, { ...(ctx.flags.namespace ? { namespace: ctx.flags.namespace as string } : {}), ...(ctx.flags['cluster-name'] ? { name: ctx.flags['cluster-name'] as string } : {}) });
          if (!clusters) throw new UsageError('CloudNativePG is not installed (the cluster serves no clusters.postgresql.cnpg.io)');
          if (!clusters.length) throw new UsageError(`no CloudNativePG Cluster${ctx.flags['cluster-name'] ? ` named ${String(ctx.flags['cluster-name'])}` : ''}`);
          const [backups, scheduled] = await Promise.all([ctx.kubectl.list<Backup>(BACKUPS, { allNamespaces: true }), ctx.kubectl.list<ScheduledBackup>(SCHEDULED, { allNamespaces: true })]);
          const rpoMs = parseDuration(ctx.cluster.backups?.rpo ?? '26h');
          const now = Date.now();
          const problems: string[] = [];
          const rows = await Promise.all(clusters.map(async (c) => {
            const id = `${c.metadata.namespace}/${c.metadata.name}`;
            const mine = (b: { metadata: { namespace?: string }; spec?: { cluster?: { name: string } } }) => b.metadata.namespace === c.metadata.namespace && b.spec?.cluster?.name === c.metadata.name;
            const done = backups.filter((b) => mine(b) && b.status?.phase === 'completed').sort((a, b) => Date.parse(b.status!.stoppedAt!) - Date.parse(a.status!.stoppedAt!));
            const lastFailed = backups.filter((b) => mine(b) && b.status?.phase === 'failed').sort((a, b) => Date.parse(b.status?.stoppedAt ?? '') - Date.parse(a.status?.stoppedAt ?? ''))[0];
            const method = backupMethod(c);
            const cond = (c.status?.conditions ?? []).find((x) => x.type === 'ContinuousArchiving');
            const wal = method ? await archiver(ctx, c) : undefined;
            const lastBackup = done[0]?.status?.stoppedAt ?? c.status?.lastSuccessfulBackup;
            const sched = scheduled.filter(mine).map((s) => `${s.spec?.schedule}${s.spec?.suspend ? ' (suspended)' : ''}, last ${s.status?.lastScheduleTime ?? 'never'}, next ${s.status?.nextScheduleTime ?? '?'}`);
            if (method && cond?.status === 'False') problems.push(`${id}: WAL archiving failing (${cond.reason}: ${cond.message ?? ''})`);
            if (method && !lastBackup) problems.push(`${id}: no completed base backup${lastFailed?.status?.error ? ` (last one failed: ${lastFailed.status.error})` : ''}`);
            else if (method && now - Date.parse(lastBackup!) > rpoMs) problems.push(`${id}: last base backup ${ago(lastBackup, now)}, older than ${formatDuration(rpoMs)}`);
            const entry = {
              cluster: id, primary: c.status?.currentPrimary, instances: c.status?.instances, readyInstances: c.status?.readyInstances, backup: method ?? 'none',
              archiving: cond ? { status: cond.status, reason: cond.reason, message: cond.message } : undefined, wal,
              lastBackup: done[0] ? { name: done[0].metadata.name, stoppedAt: done[0].status?.stoppedAt, backupId: done[0].status?.backupId } : lastBackup ? { stoppedAt: lastBackup } : undefined,
              lastFailedBackup: lastFailed ? { name: lastFailed.metadata.name, error: lastFailed.status?.error } : undefined,
              scheduled: sched, firstRecoverabilityPoint: c.status?.firstRecoverabilityPoint,
            };
            return entry;
          }));
          ctx.data.clusters = rows;
          ctx.out(table(['CLUSTER', 'PRIMARY', 'READY', 'BACKUP', 'ARCHIVING', 'LAST ARCHIVED WAL', 'LAST BASE BACKUP', 'FIRST RECOVERABILITY', 'SCHEDULED'], rows.map((r) => [
            r.cluster, r.primary ?? '-', `${r.readyInstances ?? 0}/${r.instances ?? '?'}`, r.backup,
            r.archiving ? (r.archiving.status === 'True' ? 'working' : `FAILING: ${r.archiving.reason}`) : '-',
            r.wal?.lastArchivedWal ? `${r.wal.lastArchivedWal} (${ago(r.wal.lastArchivedTime, now)})${r.wal.lastFailedWal ? `; failed ${r.wal.lastFailedWal} ${ago(r.wal.lastFailedTime, now)}` : ''}` : r.wal?.error ? `? (${r.wal.error})` : '-',
            r.lastBackup?.stoppedAt ? `${r.lastBackup.stoppedAt} (${ago(r.lastBackup.stoppedAt, now)})` : '-',
            r.firstRecoverabilityPoint ?? '-', r.scheduled.join('; ') || '-',
          ])));
          if (problems.length) throw new StepFailure(problems.join('; '), `kubectl describe cluster.postgresql.cnpg.io -n <namespace> <name>; npx tsx tasks cnpg:backup --cluster-name <name>`);
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'CloudNativePG clusters: primary, WAL archiving (last archived WAL and its age), last base backup, schedules, first recoverability point',
  example: 'npx tsx tasks cnpg:status --cluster home',
  flags: {
    namespace: { type: 'string', pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, hint: 'a namespace', description: 'only Clusters in this namespace' },
    'cluster-name': { type: 'string', pattern: /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, hint: 'a Cluster name', description: 'only this CloudNativePG Cluster' },
  },
  destructive: false,
  cluster: true,
  impl: status,
});
