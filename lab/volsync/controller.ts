// One controller for both VolSync kinds (volsync.backube/v1alpha1): decides when a mover is due (a new
// spec.trigger.manual, a due spec.trigger.schedule, a failed run to retry), runs it in the background with the Job
// present, and writes the status VolSync writes. What differs between ReplicationSource and ReplicationDestination
// lives in a small Side (source.ts, destination.ts).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Controller } from '../controllers/types.js';
import { groupResource } from '../kinds/types.js';
import { timestamp } from '../store/meta.js';
import type { KObject } from '../store/types.js';
import { writeStatus } from '../controllers/util.js';
import { moverSpec, secretEnv, takeMoverFailure, type VolsyncContext } from './context.js';
import { nextCron, parseCron } from './cron.js';
import type { MoverEnv, MoverResult } from './mover.js';
import { failJob, goDuration, moverLogs, moverStopped, removeJob, startJob, synchronizing } from './status.js';

/** what one run needs, resolved before the mover starts; a string is a configuration error */
export interface Prepared {
  pvc: string;
  dataDir: string;
  /** extra status fields on success (restic.lastUnlocked, ...) */
  onSuccess?: Record<string, unknown>;
  /** a precondition that fails the run like the mover would (Multi-Attach) */
  blocked?: string[];
  run(m: MoverEnv): Promise<MoverResult>;
}

export interface Side {
  kind: string;
  resource: string;
  dir: 'src' | 'dst';
  verb: 'backup' | 'restore';
  prepare(o: KObject, ctx: VolsyncContext): Prepared | string;
}

export class MoverController implements Controller {
  readonly name: string;
  /** uid => the running mover's abort (the owner was deleted: VolSync's Job is garbage-collected, its pod killed) */
  private readonly running = new Map<string, AbortController>();
  private readonly retryAt = new Map<string, number>();
  private readonly timers = new Map<string, number>();

  constructor(private readonly ctx: VolsyncContext, private readonly side: Side) {
    this.name = `volsync-${side.dir}`;
  }

  reconcile(): void {
    const { store, clock } = this.ctx;
    const now = clock.now();
    if (!this.ctx.registry.all().some((d) => groupResource(d) === this.side.resource)) return; // VolSync not installed (an empty lab)
    const items = store.list(this.side.resource).items;
    const live = new Set(items.filter((o) => !o.metadata.deletionTimestamp).map((o) => o.metadata.uid!));
    for (const [uid, ac] of this.running) if (!live.has(uid)) ac.abort();
    for (const o of items) {
      const uid = o.metadata.uid!;
      if (o.metadata.deletionTimestamp || this.running.has(uid) || o.spec?.paused) continue;
      const st = o.status ?? {};
      const manual: string | undefined = o.spec?.trigger?.manual;
      const schedule: string | undefined = o.spec?.trigger?.schedule;
      const retry = this.retryAt.get(uid);
      if (retry !== undefined && retry > now) { this.wake(uid, retry); continue; }
      let due: boolean;
      let next: number | undefined;
      if (manual !== undefined) due = manual !== st.lastManualSync;
      else if (schedule) {
        try {
          next = st.lastSyncTime ? nextCron(parseCron(schedule), Date.parse(st.lastSyncTime)) : now; // no sync yet: right away (volsync#627)
        } catch (err) {
          writeStatus(store, this.side.resource, o, { ...st, conditions: synchronizing(st.conditions, 'Error', now, `error parsing schedule: ${(err as Error).message}`) });
          continue;
        }
        due = next <= now;
      } else due = !st.lastSyncTime;
      if (due || retry !== undefined) { this.start(o, manual); continue; }
      const idle = manual !== undefined ? 'WaitingForManual' : 'WaitingForSchedule';
      const status = { ...st, ...(next !== undefined ? { nextSyncTime: timestamp(next) } : {}), conditions: synchronizing(st.conditions, idle, now) };
      writeStatus(store, this.side.resource, o, status);
      if (next !== undefined) this.wake(uid, next);
    }
  }

  /** a timer for the next due time (capped: setTimeout takes 32-bit delays) */
  private wake(uid: string, at: number): void {
    if (this.timers.get(uid) === at) return;
    this.timers.set(uid, at);
    this.ctx.clock.after(Math.min(Math.max(0, at - this.ctx.clock.now()) + 5, 2 ** 31 - 1), () => {
      if (this.timers.get(uid) === at) this.timers.delete(uid);
      this.ctx.requestSync();
    });
  }

  private start(o: KObject, manual: string | undefined): void {
    const { store, clock, record } = this.ctx;
    const uid = o.metadata.uid!;
    const ns = o.metadata.namespace!;
    const key = `${ns}/${o.metadata.name}`;
    const now = clock.now();
    const p = this.side.prepare(o, this.ctx);
    if (typeof p === 'string') {
      writeStatus(store, this.side.resource, o, { ...o.status, conditions: synchronizing(o.status?.conditions, 'Error', now, p) });
      this.retryAt.set(uid, now + this.ctx.retryMs);
      this.wake(uid, now + this.ctx.retryMs);
      return;
    }
    const ac = new AbortController();
    this.running.set(uid, ac);
    this.retryAt.delete(uid);
    const startedAt = o.status?.lastSyncStartTime && o.status?.latestMoverStatus?.result === 'Failed' ? Date.parse(o.status.lastSyncStartTime) : now;
    startJob(store, o, this.side.dir, p.pvc, now);
    writeStatus(store, this.side.resource, o, { ...o.status, lastSyncStartTime: timestamp(startedAt), conditions: synchronizing(o.status?.conditions, 'SyncInProgress', now) });
    record(`volsync-${this.side.verb}-start`, key, manual !== undefined ? `manual ${manual}` : 'schedule');
    const secretName: string = moverSpec(o)?.repository ?? '';
    const run = async (): Promise<MoverResult> => {
      if (p.blocked) return { ok: false, lines: p.blocked };
      const secret = store.find('secrets', ns, secretName);
      if (!secret) return { ok: false, lines: [`ERROR: secret "${secretName}" not found`] };
      await mkdir(p.dataDir, { recursive: true });
      const cache = join(this.ctx.dir, 'cache', `${ns}-${o.metadata.name}-${this.side.dir}`);
      const tmp = join(this.ctx.dir, 'tmp');
      await mkdir(tmp, { recursive: true });
      return p.run({
        restic: this.ctx.restic, env: { ...secretEnv(secret), RESTIC_CACHE_DIR: cache, TZ: 'UTC' }, dataDir: p.dataDir, tmpDir: tmp,
        failMidway: takeMoverFailure(this.ctx.faults, ns, secretName), signal: ac.signal,
      });
    };
    void run().catch((err): MoverResult => ({ ok: false, lines: [`ERROR: ${String(err)}`] })).then((r) => {
      this.running.delete(uid);
      moverStopped(store, o, this.side.dir);
      if (ac.signal.aborted) record(`volsync-${this.side.verb}-killed`, key, 'owner deleted: the mover was stopped');
      else this.finish(o, manual, startedAt, r, p);
      this.ctx.requestSync();
    });
  }

  private finish(o: KObject, manual: string | undefined, startedAt: number, r: MoverResult, p: Prepared): void {
    const { store, clock, record } = this.ctx;
    const cur = store.find(this.side.resource, o.metadata.namespace, o.metadata.name!);
    if (!cur || cur.metadata.uid !== o.metadata.uid) return;
    const now = clock.now();
    const key = `${o.metadata.namespace}/${o.metadata.name}`;
    const logs = moverLogs(r.lines, r.ok);
    if (!r.ok) {
      failJob(store, cur, this.side.dir);
      writeStatus(store, this.side.resource, cur, { ...cur.status, latestMoverStatus: { result: 'Failed', logs } });
      this.retryAt.set(cur.metadata.uid!, now + this.ctx.retryMs);
      record(`volsync-${this.side.verb}-failed`, key, r.lines.filter((l) => /^(ERROR|Fatal)|Multi-Attach|already locked|wrong password/.test(l)).slice(-1)[0] ?? 'mover failed');
      return;
    }
    removeJob(store, cur, this.side.dir);
    // a restore leaves the volume owned by the mover's user (restic writes as it); a root mover keeps what restic
    // restores (the snapshot's owners), so the owner stays
    const sc = moverSpec(cur)?.moverSecurityContext;
    if (this.side.verb === 'restore' && sc?.runAsUser !== undefined) {
      this.ctx.volumeOwners?.set(p.dataDir, { uid: Number(sc.runAsUser), gid: Number(sc.runAsGroup ?? sc.fsGroup ?? 0), mode: 0o750 });
    }
    const schedule: string | undefined = cur.spec?.trigger?.schedule;
    let nextSyncTime: string | undefined;
    if (manual === undefined && schedule) {
      try { nextSyncTime = timestamp(nextCron(parseCron(schedule), now)); } catch { /* reported on the next pass */ }
    }
    const st = { ...cur.status };
    delete st.nextSyncTime;
    const restic = { ...st.restic, ...(p.onSuccess?.restic as object | undefined) };
    writeStatus(store, this.side.resource, cur, {
      ...st, ...p.onSuccess, ...(Object.keys(restic).length ? { restic } : {}),
      lastSyncTime: timestamp(now), lastSyncStartTime: timestamp(startedAt), lastSyncDuration: goDuration(now - startedAt),
      ...(manual !== undefined ? { lastManualSync: manual } : {}), ...(nextSyncTime ? { nextSyncTime } : {}),
      latestMoverStatus: { result: 'Successful', logs },
      conditions: synchronizing(st.conditions, manual !== undefined ? 'WaitingForManual' : 'WaitingForSchedule', now),
    });
    record(`volsync-${this.side.verb}-done`, key, r.snapshot ?? (r.lines.includes('No eligible snapshots found') ? 'No eligible snapshots found' : ''));
  }
}
