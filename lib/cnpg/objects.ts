// Reading CloudNativePG (postgresql.cnpg.io/v1): Clusters, their Backups and ScheduledBackups, and what the primary's
// PostgreSQL says about WAL archiving (pg_stat_archiver: last_archived_wal, last_archived_time, last_failed_wal,
// last_failed_time; postgresql.org/docs/current/monitoring-stats.html), asked with psql in the primary's postgres
// container as `kubectl cnpg status` does. A backup is configured by spec.backup.barmanObjectStore (in-tree) or by the
// barman-cloud plugin in spec.plugins (barman-cloud.cloudnative-pg.io).
import type { TaskContext } from '../engine/types.ts';
import type { Condition, KubeObject } from '../tools/kube-types.ts';

export const CLUSTERS = 'clusters.postgresql.cnpg.io';
export const BACKUPS = 'backups.postgresql.cnpg.io';
export const SCHEDULED = 'scheduledbackups.postgresql.cnpg.io';
export const BARMAN_PLUGIN = 'barman-cloud.cloudnative-pg.io';

export type Cluster = KubeObject<{ instances?: number; backup?: { barmanObjectStore?: { destinationPath?: string; serverName?: string; [k: string]: unknown } }; plugins?: { name: string; isWALArchiver?: boolean; parameters?: Record<string, string> }[]; [k: string]: any }, {
  instances?: number; readyInstances?: number; currentPrimary?: string; phase?: string; firstRecoverabilityPoint?: string; lastSuccessfulBackup?: string; conditions?: Condition[];
}>;
export type Backup = KubeObject<{ cluster?: { name: string }; method?: string }, { phase?: string; startedAt?: string; stoppedAt?: string; beginWal?: string; endWal?: string; backupId?: string; error?: string }>;
export type ScheduledBackup = KubeObject<{ cluster?: { name: string }; schedule?: string; suspend?: boolean }, { lastScheduleTime?: string; nextScheduleTime?: string }>;

export const backupMethod = (c: Cluster): 'plugin' | 'barmanObjectStore' | undefined =>
  (c.spec?.plugins ?? []).some((p) => p.name === BARMAN_PLUGIN || /barman/.test(p.name)) ? 'plugin' : c.spec?.backup?.barmanObjectStore ? 'barmanObjectStore' : undefined;

export interface Archiver { lastArchivedWal?: string; lastArchivedTime?: string; lastFailedWal?: string; lastFailedTime?: string; error?: string }

/** pg_stat_archiver of the primary, or why it could not be read */
export async function archiver(ctx: TaskContext, c: Cluster): Promise<Archiver> {
  const primary = c.status?.currentPrimary;
  if (!primary) return { error: 'no primary in the Cluster status' };
  const r = await ctx.kubectl.execIn(c.metadata.namespace!, primary, 'postgres', ['psql', '-U', 'postgres', '-At', '-c',
    'select last_archived_wal, last_archived_time, last_failed_wal, last_failed_time from pg_stat_archiver']);
  if (r.exitCode !== 0) return { error: (r.stderr || r.stdout).trim().split('\n').pop() ?? `psql exited ${r.exitCode}` };
  const [wal, time, failedWal, failedTime] = r.stdout.trim().split('|');
  const t = (s: string | undefined) => (s ? new Date(s.replace(' ', 'T').replace(/\+00$/, 'Z')).toISOString() : undefined);
  return { ...(wal ? { lastArchivedWal: wal } : {}), ...(t(time) ? { lastArchivedTime: t(time)! } : {}), ...(failedWal ? { lastFailedWal: failedWal } : {}), ...(t(failedTime) ? { lastFailedTime: t(failedTime)! } : {}) };
}

export async function clustersOf(ctx: TaskContext, o: { namespace?: string; name?: string }): Promise<Cluster[] | undefined> {
  const all = await ctx.kubectl.listServed<Cluster>(CLUSTERS, o.namespace ? { namespace: o.namespace } : { allNamespaces: true });
  return all?.filter((c) => !o.name || c.metadata.name === o.name);
}
