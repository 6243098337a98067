// CloudNativePG (postgresql.cnpg.io/v1) as far as rackhand's tasks need it, served once its CRDs exist. A Cluster gets
// its instance pods (<name>-1..N, labels cnpg.io/cluster and cnpg.io/instanceRole primary|replica, owned by the
// Cluster) and a status: instances, readyInstances, currentPrimary, phase "Cluster in healthy state", Ready, and with
// a backup configured (spec.backup.barmanObjectStore, or the barman-cloud plugin in spec.plugins) the condition
// ContinuousArchiving (ContinuousArchivingSuccess, or ContinuousArchivingFailing under the fault), WAL segments archived
// about every second, firstRecoverabilityPoint and lastSuccessfulBackup from the completed Backups (field names: cnpg
// api/v1 cluster_types.go ClusterStatus; backup_types.go BackupStatus phase/startedAt/stoppedAt/beginWal/endWal/
// backupId/error). A Backup starts, runs backupMs and completes or fails (no backup section, the fault, archiving
// broken). ScheduledBackups get lastCheckTime and nextScheduleTime (their six-field cron, seconds first). What the
// instances' PostgreSQL says (pg_stat_archiver) is answered by `psql` in their pods (psqlAnswer).
import { nextCron, parseCron } from '../volsync/cron.js';
import { groupResource } from '../kinds/types.js';
import type { KObject } from '../store/types.js';
import type { Controller, ControllerContext } from './types.js';
import { setCondition, writeStatus } from './util.js';

const CLUSTERS = 'clusters.postgresql.cnpg.io';
const BACKUPS = 'backups.postgresql.cnpg.io';
const SCHEDULED = 'scheduledbackups.postgresql.cnpg.io';
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const configured = (c: KObject) => !!c.spec?.backup?.barmanObjectStore || ((c.spec?.plugins ?? []) as { name: string }[]).some((p) => /barman/.test(p.name));
const walName = (n: number) => `00000001${'0'.repeat(8)}${n.toString(16).toUpperCase().padStart(8, '0')}`;

export class CnpgController implements Controller {
  readonly name = 'cloudnative-pg';
  /** how long a base backup runs, in ms */
  backupMs = 400;
  readonly faults = { archivingBroken: new Set<string>(), backupFails: new Map<string, string>() };
  private readonly wal = new Map<string, { segment: number; archivedAt?: number; failedAt?: number; tick: number }>();
  private readonly started = new Map<string, number>(); // Backup uid => when it started
  constructor(private readonly ctx: ControllerContext) {}

  private served(): boolean { return this.ctx.registry.all().some((d) => groupResource(d) === CLUSTERS); }

  reconcile(): void {
    if (!this.served()) return;
    const { store, clock } = this.ctx;
    const now = clock.now();
    for (const c of store.list(CLUSTERS).items) this.cluster(c, now);
    for (const b of store.list(BACKUPS).items) this.backup(b, now);
    for (const s of store.list(SCHEDULED).items) {
      if (s.status?.lastCheckTime) continue;
      let next: string | undefined;
      try { next = iso(nextCron(parseCron(String(s.spec?.schedule ?? '').trim().split(/\s+/).slice(1).join(' ')), now)); } catch { next = undefined; }
      writeStatus(store, SCHEDULED, s, { ...(s.status ?? {}), lastCheckTime: iso(now), ...(next ? { nextScheduleTime: next } : {}) });
    }
  }

  private cluster(c: KObject, now: number): void {
    const { store, clock } = this.ctx;
    const key = `${c.metadata.namespace}/${c.metadata.name}`;
    const n = Number(c.spec?.instances ?? 1);
    const pods = Array.from({ length: n }, (_, i) => `${c.metadata.name}-${i + 1}`);
    for (const [i, name] of pods.entries()) {
      if (store.find('pods', c.metadata.namespace, name)) continue;
      store.create('pods', {
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name, namespace: c.metadata.namespace, labels: { 'cnpg.io/cluster': c.metadata.name!, 'cnpg.io/instanceName': name, 'cnpg.io/instanceRole': i === 0 ? 'primary' : 'replica', role: i === 0 ? 'primary' : 'replica' },
          ownerReferences: [{ apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', name: c.metadata.name!, uid: c.metadata.uid!, controller: true, blockOwnerDeletion: true }] },
        spec: { containers: [{ name: 'postgres', image: c.spec?.imageName ?? 'ghcr.io/cloudnative-pg/postgresql:16.4' }] },
      });
    }
    // WAL archiving: a segment about every second while it works
    let w = this.wal.get(key);
    if (!w) this.wal.set(key, (w = { segment: 1, tick: now }));
    const broken = this.faults.archivingBroken.has(key);
    if (configured(c) && now - w.tick >= 1000) {
      w.tick = now;
      w.segment += 1;
      if (broken) w.failedAt = now; else w.archivedAt = now;
      clock.after(1000, this.ctx.requestSync);
    } else if (configured(c) && w.archivedAt === undefined && !broken) { w.archivedAt = now; clock.after(1000, this.ctx.requestSync); }
    const done = store.list(BACKUPS, { namespace: c.metadata.namespace }).items.filter((b) => b.spec?.cluster?.name === c.metadata.name && b.status?.phase === 'completed')
      .map((b) => Date.parse(b.status!.stoppedAt)).sort((a, b) => a - b);
    let conditions = setCondition(c.status?.conditions, { type: 'Ready', status: 'True', reason: 'ClusterIsReady', message: 'Cluster is Ready' }, now);
    if (configured(c)) {
      conditions = setCondition(conditions, broken
        ? { type: 'ContinuousArchiving', status: 'False', reason: 'ContinuousArchivingFailing', message: 'unexpected failure invoking barman-cloud-wal-archive: exit status 4' }
        : { type: 'ContinuousArchiving', status: 'True', reason: 'ContinuousArchivingSuccess', message: 'Continuous archiving is working' }, now);
    }
    const status = {
      ...(c.status ?? {}), instances: n, readyInstances: n, currentPrimary: pods[0], targetPrimary: pods[0], phase: 'Cluster in healthy state',
      instancesStatus: { healthy: pods }, conditions,
      ...(done.length ? { firstRecoverabilityPoint: iso(done[0]!), lastSuccessfulBackup: iso(done[done.length - 1]!) } : {}),
    };
    if (JSON.stringify(status) !== JSON.stringify(c.status)) writeStatus(store, CLUSTERS, c, status);
  }

  private backup(b: KObject, now: number): void {
    const { store, clock } = this.ctx;
    const phase = b.status?.phase;
    if (phase === 'completed' || phase === 'failed') return;
    const at = this.started.get(b.metadata.uid!);
    if (!phase || at === undefined) {
      this.started.set(b.metadata.uid!, now);
      if (!phase) writeStatus(store, BACKUPS, b, { phase: 'started', startedAt: iso(now), method: b.spec?.method ?? 'barmanObjectStore' });
      clock.after(this.backupMs, this.ctx.requestSync);
      return;
    }
    if (now < at + this.backupMs) return;
    const name = b.spec?.cluster?.name;
    const c = name ? store.find(CLUSTERS, b.metadata.namespace, name) : undefined;
    const key = `${b.metadata.namespace}/${name}`;
    const failure = !c ? `unknown cluster ${name}` : !configured(c) ? 'cannot proceed with the backup as the cluster has no backup section'
      : this.faults.backupFails.get(key) ?? (this.faults.archivingBroken.has(key) ? 'the WAL archiver is not working: the backup cannot end' : undefined);
    if (failure) {
      writeStatus(store, BACKUPS, b, { ...b.status, phase: 'failed', stoppedAt: iso(now), error: failure });
      this.ctx.record('cnpg-backup-failed', `${b.metadata.namespace}/${b.metadata.name}`, failure);
      return;
    }
    const w = this.wal.get(key) ?? { segment: 1, tick: now };
    const dest = c!.spec?.backup?.barmanObjectStore?.destinationPath ?? 's3://plugin';
    writeStatus(store, BACKUPS, b, {
      ...b.status, phase: 'completed', stoppedAt: iso(now), beginWal: walName(w.segment), endWal: walName(w.segment + 1),
      backupId: iso(now).replace(/[-:]/g, '').replace('Z', ''), destinationPath: dest, serverName: name, online: true,
    });
    this.ctx.record('cnpg-backup-completed', `${b.metadata.namespace}/${b.metadata.name}`);
  }

  /** what `psql -At -c "... pg_stat_archiver"` prints on an instance: last_archived_wal|last_archived_time|last_failed_wal|last_failed_time */
  psqlAnswer(pod: KObject, argv: string[]): { exitCode: number; output: string } | undefined {
    const cluster = pod.metadata.labels?.['cnpg.io/cluster'];
    if (!cluster || argv[0] !== 'psql') return undefined;
    const sql = argv.slice(argv.indexOf('-c') + 1)[0] ?? argv.find((a) => /select/i.test(a)) ?? '';
    if (!/pg_stat_archiver/.test(sql)) return { exitCode: 1, output: 'ERROR:  the lab\'s PostgreSQL answers pg_stat_archiver only\n' };
    const w = this.wal.get(`${pod.metadata.namespace}/${cluster}`);
    const t = (ms: number | undefined) => (ms === undefined ? '' : new Date(ms).toISOString().replace('T', ' ').replace('Z', '+00'));
    const archived = w?.archivedAt !== undefined ? walName(w.failedAt !== undefined && w.failedAt > w.archivedAt ? w.segment - Math.round((w.failedAt - w.archivedAt) / 1000) - 1 : w.segment) : '';
    return { exitCode: 0, output: `${archived}|${t(w?.archivedAt)}|${w?.failedAt !== undefined ? walName(w.segment) : ''}|${t(w?.failedAt)}\n` };
  }
}
