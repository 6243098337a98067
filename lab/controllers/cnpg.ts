// CloudNativePG (postgresql.cnpg.io/v1) as far as rackhand's tasks need it, served once its CRDs exist. A Cluster gets
// its instance pods (<name>-1..N, labels cnpg.io/cluster and cnpg.io/instanceRole primary|replica, owned by the
// Cluster) and a status: instances, readyInstances, currentPrimary, phase "Cluster in healthy state", Ready, and with
// a backup configured (spec.backup.barmanObjectStore, or the barman-cloud plugin in spec.plugins) the condition
// ContinuousArchiving (ContinuousArchivingSuccess, or ContinuousArchivingFailing under the fault), WAL segments archived
// about every second, firstRecoverabilityPoint and lastSuccessfulBackup from the completed Backups (field names: cnpg
// api/v1 cluster_types.go ClusterStatus; backup_types.go BackupStatus phase/startedAt/stoppedAt/beginWal/endWal/
// backupId/error). A Backup starts, runs backupMs and completes or fails (no backup section, the fault, archiving
// broken). ScheduledBackups get lastCheckTime and nextScheduleTime (their six-field cron, seconds first). What the
// instances' PostgreSQL says (pg_stat_archiver) is answered by `psql` in their pods (psqlAnswer); every other query
// goes to the Cluster's real databases (lab/postgres): a Cluster is Ready once its bootstrap (initdb, or recovery
// from an object store) has run there, base backups and WAL segments are real dumps in the lab's object store, and a
// Cluster archiving into a server folder another Cluster owns fails as CNPG does ("Expected empty archive").
import { nextCron, parseCron } from '../volsync/cron.js';
import { groupResource } from '../kinds/types.js';
import type { KObject } from '../store/types.js';
import type { Controller, ControllerContext } from './types.js';
import { setCondition, writeStatus } from './util.js';
import { storeOf, type CnpgDatabases, type StoreRef } from '../postgres/cnpg-databases.js';

const CLUSTERS = 'clusters.postgresql.cnpg.io';
const BACKUPS = 'backups.postgresql.cnpg.io';
const SCHEDULED = 'scheduledbackups.postgresql.cnpg.io';
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const configured = (c: KObject) => !!c.spec?.backup?.barmanObjectStore || ((c.spec?.plugins ?? []) as { name: string; isWALArchiver?: boolean }[]).some((p) => /barman/.test(p.name) && p.isWALArchiver !== false);
const walName = (n: number) => `00000001${'0'.repeat(8)}${n.toString(16).toUpperCase().padStart(8, '0')}`;

export class CnpgController implements Controller {
  readonly name = 'cloudnative-pg';
  /** how long a base backup runs, in ms */
  backupMs = 400;
  readonly faults = { archivingBroken: new Set<string>(), backupFails: new Map<string, string>() };
  private readonly wal = new Map<string, { segment: number; archivedAt?: number; failedAt?: number; tick: number }>();
  private readonly started = new Map<string, number>(); // Backup uid => when it started
  /** per Cluster (namespace/name): its bootstrap on the real server, and the archive's owner check */
  private readonly boot = new Map<string, { uid: string; done?: boolean; error?: string; recoveredTo?: number; archive?: string }>();
  private readonly dumps = new Map<string, { done?: boolean; error?: string }>(); // Backup uid => its base backup dump
  private walCheck?: Promise<void>;
  private lastWalCheck = 0;
  constructor(private readonly ctx: ControllerContext, private readonly db?: CnpgDatabases) {}

  private storeRef(c: KObject): StoreRef | undefined {
    return storeOf(c.spec ?? {}, c.metadata.namespace!, c.metadata.name!, (ns, n) => this.ctx.store.find('objectstores.barmancloud.cnpg.io', ns, n));
  }

  /** runs the Cluster's bootstrap on the real server once; true when it is done */
  private bootstrapped(c: KObject, key: string): { ready: boolean; error?: string } {
    if (!this.db) return { ready: true };
    let b = this.boot.get(key);
    if (b && b.uid !== c.metadata.uid) { this.boot.delete(key); b = undefined; }
    if (!b) {
      const state: { uid: string; done?: boolean; error?: string; recoveredTo?: number; archive?: string } = { uid: c.metadata.uid! };
      this.boot.set(key, state);
      const work = c.spec?.bootstrap?.recovery ? this.db.pg.start().then(() => this.db!.recover(c)).then((at) => {
        state.recoveredTo = at;
        this.ctx.record('cnpg-recovered', key, new Date(at).toISOString());
      }) : this.db.pg.start().then(() => this.db!.init(c));
      const ref = configured(c) ? this.storeRef(c) : undefined;
      const owner = ref ? work.then(() => this.db!.objects.owner(ref.destination, ref.server, c.metadata.uid!)).then((uid) => {
        // cnpg pkg/management/barman/archiver: the first WAL must go into an empty archive
        if (uid !== c.metadata.uid) state.archive = `WAL archive check failed for server ${ref.server}: Expected empty archive`;
      }) : work;
      owner.then(() => { state.done = true; }, (err: Error) => { state.error = err.message; this.ctx.record('cnpg-bootstrap-failed', key, err.message); })
        .finally(() => {
          // a Cluster deleted while it bootstrapped: what its bootstrap made goes too
          const [ns, name] = key.split('/') as [string, string];
          if (this.ctx.store.find(CLUSTERS, ns, name)?.metadata.uid !== state.uid) void this.db?.dropAll(ns, name).catch(() => undefined);
          this.ctx.requestSync();
        });
      return { ready: false };
    }
    return { ready: !!b.done, ...(b.error ? { error: b.error } : {}) };
  }

  /** clusters gone from the store lose their databases */
  private collect(): void {
    for (const [key] of this.boot) {
      const [ns, name] = key.split('/') as [string, string];
      if (this.ctx.store.find(CLUSTERS, ns, name)) continue;
      this.boot.delete(key);
      void this.db?.dropAll(ns, name).catch(() => undefined);
    }
  }

  /** about every second: the Clusters whose data changed get a WAL segment */
  private archiveWal(now: number): void {
    if (!this.db || this.walCheck || now - this.lastWalCheck < 1000) return;
    const live = this.ctx.store.list(CLUSTERS).items.filter((c) => {
      const key = `${c.metadata.namespace}/${c.metadata.name}`;
      const b = this.boot.get(key);
      return configured(c) && b?.done && !b.archive && !this.faults.archivingBroken.has(key);
    });
    if (!live.length) return;
    this.lastWalCheck = now;
    this.walCheck = this.db.changed(live).then(async (changed) => {
      for (const c of changed) {
        const w = this.wal.get(`${c.metadata.namespace}/${c.metadata.name}`);
        await this.db!.dump(c, this.storeRef(c)!, 'wals', walName((w?.segment ?? 1) + 1), now);
      }
    }).catch((err: Error) => this.ctx.record('cnpg-wal-failed', 'lab', err.message)).finally(() => { this.walCheck = undefined; this.ctx.clock.after(1000, this.ctx.requestSync); });
  }

  private served(): boolean { return this.ctx.registry.all().some((d) => groupResource(d) === CLUSTERS); }

  reconcile(): void {
    if (!this.served()) return;
    const { store, clock } = this.ctx;
    const now = clock.now();
    this.collect();
    for (const c of store.list(CLUSTERS).items) this.cluster(c, now);
    this.archiveWal(now);
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
    const boot = this.bootstrapped(c, key);
    if (!boot.ready) {
      const status = { ...(c.status ?? {}), instances: n, readyInstances: 0, phase: 'Setting up primary', ...(boot.error ? { phaseReason: boot.error } : {}),
        conditions: setCondition(c.status?.conditions, { type: 'Ready', status: 'False', reason: 'ClusterIsNotReady', message: boot.error ?? 'Cluster Is Not Ready' }, now) };
      if (JSON.stringify(status) !== JSON.stringify(c.status)) writeStatus(store, CLUSTERS, c, status);
      return;
    }
    // WAL archiving: a segment about every second while it works
    let w = this.wal.get(key);
    if (!w) this.wal.set(key, (w = { segment: 1, tick: now }));
    const archiveError = this.boot.get(key)?.archive;
    const broken = this.faults.archivingBroken.has(key) || !!archiveError;
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
        ? { type: 'ContinuousArchiving', status: 'False', reason: 'ContinuousArchivingFailing', message: archiveError ?? 'unexpected failure invoking barman-cloud-wal-archive: exit status 4' }
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
    const backupId = iso(at).replace(/[-:]/g, '').replace('Z', '');
    const ref = this.storeRef(c!);
    if (this.db && ref) {
      // the base backup is a real dump of the Cluster's databases, taken once
      let d = this.dumps.get(b.metadata.uid!);
      if (!d) {
        const state: { done?: boolean; error?: string } = {};
        this.dumps.set(b.metadata.uid!, state);
        this.db.dump(c!, ref, 'base', backupId, now).then(() => { state.done = true; }, (err: Error) => { state.error = err.message; }).finally(() => this.ctx.requestSync());
        return;
      }
      if (!d.done && !d.error) return;
      if (d.error) {
        writeStatus(store, BACKUPS, b, { ...b.status, phase: 'failed', stoppedAt: iso(now), error: d.error });
        return;
      }
    }
    const w = this.wal.get(key) ?? { segment: 1, tick: now };
    writeStatus(store, BACKUPS, b, {
      ...b.status, phase: 'completed', stoppedAt: iso(now), beginWal: walName(w.segment), endWal: walName(w.segment + 1),
      backupId, destinationPath: ref?.destination ?? 's3://plugin', serverName: ref?.server ?? name, online: true,
    });
    this.ctx.record('cnpg-backup-completed', `${b.metadata.namespace}/${b.metadata.name}`);
  }

  /** what `psql -At -c "... pg_stat_archiver"` prints on an instance: last_archived_wal|last_archived_time|last_failed_wal|last_failed_time */
  psqlAnswer(pod: KObject, argv: string[]): { exitCode: number; output: string } | undefined {
    const cluster = pod.metadata.labels?.['cnpg.io/cluster'];
    if (!cluster || argv[0] !== 'psql') return undefined;
    const sql = argv.slice(argv.indexOf('-c') + 1)[0] ?? argv.find((a) => /select/i.test(a)) ?? '';
    if (!/pg_stat_archiver/.test(sql)) return this.db ? undefined : { exitCode: 1, output: 'ERROR:  the lab has no PostgreSQL: it answers pg_stat_archiver only\n' };
    const w = this.wal.get(`${pod.metadata.namespace}/${cluster}`);
    const t = (ms: number | undefined) => (ms === undefined ? '' : new Date(ms).toISOString().replace('T', ' ').replace('Z', '+00'));
    const archived = w?.archivedAt !== undefined ? walName(w.failedAt !== undefined && w.failedAt > w.archivedAt ? w.segment - Math.round((w.failedAt - w.archivedAt) / 1000) - 1 : w.segment) : '';
    return { exitCode: 0, output: `${archived}|${t(w?.archivedAt)}|${w?.failedAt !== undefined ? walName(w.segment) : ''}|${t(w?.failedAt)}\n` };
  }
}
