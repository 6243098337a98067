// ReplicationSource: back up spec.sourcePVC with `restic backup --host volsync .`, then forget by spec.restic.retain
// (empty => --keep-last 1), prune every pruneIntervalDays (default 7), and `restic unlock` first when spec.restic.unlock
// differs from status.restic.lastUnlocked. copyMethod Clone/Snapshot back up the live folder like Direct (the lab has
// no CSI snapshots).
import { timestamp } from '../store/meta.js';
import { volumePath, moverSpec } from './context.js';
import type { Side } from './controller.js';
import { moverBackup } from './mover.js';

const RETAIN: [string, string][] = [['hourly', '--keep-hourly'], ['daily', '--keep-daily'], ['weekly', '--keep-weekly'], ['monthly', '--keep-monthly'], ['yearly', '--keep-yearly'], ['within', '--keep-within'], ['last', '--keep-last']];

export function forgetArgs(retain: Record<string, unknown> | undefined): string[] {
  const args = RETAIN.flatMap(([k, flag]) => (retain?.[k] !== undefined && retain[k] !== null ? [flag, String(retain[k])] : []));
  return args.length ? args : ['--keep-last', '1'];
}

export const sourceSide: Side = {
  kind: 'ReplicationSource', resource: 'replicationsources.volsync.backube', dir: 'src', verb: 'backup',
  prepare(o, ctx) {
    const ns = o.metadata.namespace!;
    const pvc: string | undefined = o.spec?.sourcePVC;
    const restic = moverSpec(o);
    if (!restic) return 'spec.restic (or spec.kopia) is required: no mover configured';
    if (!pvc || !ctx.store.find('persistentvolumeclaims', ns, pvc)) return `persistentvolumeclaims "${pvc ?? ''}" not found`;
    if (!restic.repository || !ctx.store.find('secrets', ns, restic.repository)) return `secrets "${restic.repository ?? ''}" not found`;
    const now = ctx.clock.now();
    const unlock = restic.unlock !== undefined && restic.unlock !== '' && restic.unlock !== o.status?.restic?.lastUnlocked;
    const lastPruned = o.status?.restic?.lastPruned ? Date.parse(o.status.restic.lastPruned) : undefined;
    const prune = lastPruned !== undefined && now - lastPruned >= (restic.pruneIntervalDays ?? 7) * 86_400_000;
    return {
      pvc, dataDir: volumePath(ctx.dir, ns, pvc),
      onSuccess: { restic: { ...(unlock ? { lastUnlocked: restic.unlock } : {}), ...(prune || lastPruned === undefined ? { lastPruned: timestamp(now) } : {}) } },
      run: (m) => moverBackup(m, { unlock, prune, forget: forgetArgs(restic.retain) }),
    };
  },
};
