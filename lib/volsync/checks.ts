// Preflight for restores and snapshots: the ReplicationSource exists, its repository answers with the right
// password, and (for a restore) a snapshot matches the selection, chosen exactly as the mover will choose it.
import type { Check, TaskContext } from '../engine/types.ts';
import { selectSnapshot, type Restic, type Snapshot } from '../tools/restic.ts';
import { ToolError } from '../tools/tool-error.ts';
import { findApp, resticFor, type VolsyncApp } from './app.ts';

export interface AppProbe { app: VolsyncApp; restic: Restic; snapshots: Snapshot[] }

/** Reads the app and its repository once per run; checks and steps share the result. */
export function appProbe(ctx: TaskContext, name: string, namespace?: string): () => Promise<AppProbe> {
  let p: Promise<AppProbe> | undefined;
  return () => (p ??= (async () => {
    const app = await findApp(ctx, name, namespace);
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
      const pick = selectSnapshot(snapshots, o);
      const sel = `${o.asOf ? `as of ${o.asOf}` : 'latest'}${o.previous ? `, ${o.previous} before that` : ''}`;
      if (!pick) {
        return { ok: false, message: `no snapshot of ${app.name} matches (${sel}; ${snapshots.length} in the repository): the mover would restore NOTHING and call it success`, remedy: `npx tsx tasks volsync:list --app ${app.name}` };
      }
      return { ok: true, message: `${pick.short_id} from ${pick.time} (${sel})` };
    },
  };
}
