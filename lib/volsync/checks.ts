// Preflight for restores and snapshots: the ReplicationSource exists, its repository answers with the right
// password, and (for a restore) a snapshot matches the selection, chosen exactly as the mover will choose it.
import type { Check, CheckResult, TaskContext } from '../engine/types.ts';
import { selectSnapshot, type Restic, type Snapshot } from '../tools/restic.ts';
import { ToolError } from '../tools/tool-error.ts';
import { findApp, kopiaRefusal, resticFor, type VolsyncApp } from './app.ts';

/** restic apps: the repository opened and its snapshots; kopia apps: VolSync's own record only (no restic) */
export interface AppProbe { app: VolsyncApp; restic?: Restic; snapshots: Snapshot[] }

/** Reads the app and its repository once per run; checks and steps share the result. */
export function appProbe(ctx: TaskContext, name: string, namespace?: string): () => Promise<AppProbe> {
  let p: Promise<AppProbe> | undefined;
  return () => (p ??= (async () => {
    const app = await findApp(ctx, name, namespace);
    if (app.mover === 'kopia') return { app, snapshots: [] };
    const restic = await resticFor(ctx, app);
    let snapshots: Snapshot[];
    try {
      snapshots = await restic.snapshots();
    } catch (err) {
      const why = err instanceof ToolError ? { Auth: 'wrong password (RESTIC_PASSWORD in the Secret does not open the repository)', Locked: 'the repository is locked', NotFound: 'there is no repository at RESTIC_REPOSITORY' }[err.kind as 'Auth' | 'Locked' | 'NotFound'] ?? err.message : (err as Error).message;
      throw new Error(`${app.namespace}/${app.name}: repository ${app.secret}: ${why}`);
    }
    return { app, restic, snapshots };
  })());
}

export function repositoryReachable(probe: () => Promise<AppProbe>): Check {
  return {
    name: 'ReplicationSource exists and its repository opens',
    async run() {
      try {
        const { app, snapshots } = await probe();
        if (app.mover === 'kopia') return lastBackupOk(app);
        return { ok: true, message: `${app.namespace}/${app.name}: ${snapshots.length} snapshot(s)` };
      } catch (err) {
        return { ok: false, message: (err as Error).message, remedy: 'kubectl get replicationsources -A; npx tsx tasks volsync:unlock --app <app> if it is locked' };
      }
    },
  };
}

export function snapshotMatches(probe: () => Promise<AppProbe>, o: { previous?: number; asOf?: string }): Check {
  return {
    name: 'a snapshot matches the selection',
    async run() {
      const { app, snapshots } = await probe().catch(() => ({ app: undefined, snapshots: [] as Snapshot[] }));
      if (!app) return { ok: false, message: 'repository not readable (see above)' };
      const sel0 = `${o.asOf ? `as of ${o.asOf}` : 'latest'}${o.previous ? `, ${o.previous} before that` : ''}`;
      if (app.mover === 'kopia') return { ok: true, warning: true, message: `kopia mover: VolSync's mover picks the snapshot (${sel0}); rackhand does not list kopia repositories` };
      const pick = selectSnapshot(snapshots, o);
      const sel = `${o.asOf ? `as of ${o.asOf}` : 'latest'}${o.previous ? `, ${o.previous} before that` : ''}`;
      if (!pick) {
        return { ok: false, message: `no snapshot of ${app.name} matches (${sel}; ${snapshots.length} in the repository): the mover would restore NOTHING and call it success`, remedy: `npx tsx tasks volsync:list --app ${app.name}` };
      }
      return { ok: true, message: `${pick.short_id} from ${pick.time} (${sel})` };
    },
  };
}

/** A kopia source: what VolSync recorded of its last backup must be a success (else there may be nothing to restore). */
function lastBackupOk(app: VolsyncApp): CheckResult {
  const st = app.source.status;
  const where = `${app.namespace}/${app.name} (kopia mover)`;
  if (!st?.lastSyncTime) return { ok: false, message: `${where}: VolSync has never completed a backup: a restore would restore nothing`, remedy: `npx tsx tasks volsync:snapshot --app ${app.name} --namespace ${app.namespace}` };
  if (st.latestMoverStatus?.result === 'Failed') return { ok: false, message: `${where}: the last backup failed (last success ${st.lastSyncTime})`, remedy: `kubectl describe replicationsource -n ${app.namespace} ${app.name}` };
  return { ok: true, message: `${where}: last backup ${st.lastSyncTime}` };
}

/** `toolPresent('restic')` where the app needs restic (its mover is restic). */
export function resticNeeded(probe: () => Promise<AppProbe>, check: Check): Check {
  return {
    name: check.name,
    async run(ctx) {
      const p = await probe().catch(() => undefined);
      if (p?.app.mover === 'kopia') return { ok: true, message: 'not needed: the kopia mover restores without it' };
      return check.run(ctx);
    },
  };
}

/** The app's repository is one rackhand opens (restic): a kopia app is refused, naming what to run instead. Reads
 *  the ReplicationSource only (the repository Secret is not touched). */
export function resticRepository(ctx: TaskContext, name: string, namespace?: string): Check {
  return {
    name: 'the repository is a restic repository',
    async run() {
      const app = await findApp(ctx, name, namespace).catch(() => undefined);
      if (!app) return { ok: true, message: 'no such app yet (the task reports it)' };
      if (app.mover !== 'kopia') return { ok: true, message: `${app.namespace}/${app.name}: restic` };
      const refusal = kopiaRefusal(app);
      return { ok: false, message: refusal.message, ...(refusal.remedy ? { remedy: refusal.remedy } : {}) };
    },
  };
}
