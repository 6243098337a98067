// Preflight that knows restic: before a restore, drill or verify changes or reads anything, the repository's locks are
// listed (host, pid, age). The mover's restore takes a shared lock, so an exclusive lock would make it fail (and be
// retried by VolSync until rackhand's deadline) after the app was already taken down; `restic check` needs the
// repository to itself, so verify refuses any lock. Each refusal names the lock and the command that removes it.
import type { Check, CheckResult } from '../engine/types.ts';
import { formatDuration } from '../patterns.ts';
import type { Restic, ResticLock } from '../tools/restic.ts';
import type { VolsyncApp } from './app.ts';

export function describeLock(l: ResticLock, now = Date.now()): string {
  const age = formatDuration(Math.max(0, now - Date.parse(l.time)));
  return `${l.exclusive ? 'exclusive' : 'shared'} lock ${l.id.slice(0, 8)} by ${l.username ? `${l.username}@` : ''}${l.hostname} pid ${l.pid}, ${age} old`;
}

/** `blocking`: 'exclusive' (a restore: shared locks of a running backup do not stop it) or 'any' (restic check).
 *  A repository that cannot be read is not this check's business (a warning): the task's own checks report it per app. */
export function repositoryUnlocked(apps: () => Promise<VolsyncApp[]>, open: (app: VolsyncApp) => Promise<Restic>, blocking: 'exclusive' | 'any'): Check {
  return {
    name: 'restic repository not locked',
    async run(): Promise<CheckResult> {
      const list = await apps();
      const refused: string[] = [];
      const warned: string[] = [];
      let unlockFor: VolsyncApp | undefined;
      for (const app of list) {
        // kopia repositories are not opened here; the kopia mover has its own maintenance locks
        if (app.mover === 'kopia') continue;
        let locks: ResticLock[];
        try {
          locks = await (await open(app)).locks();
        } catch (err) {
          warned.push(`${app.namespace}/${app.name}: locks not listed: ${(err as Error).message.split('\n')[0]}`);
          continue;
        }
        for (const l of locks) {
          const line = `${app.namespace}/${app.name}: ${describeLock(l)}`;
          if (blocking === 'any' || l.exclusive) { refused.push(line); unlockFor ??= app; } else warned.push(`${line} (a backup may be running)`);
        }
      }
      if (refused.length) {
        return {
          ok: false,
          message: `${refused.join('; ')}${blocking === 'exclusive' ? ' (the mover could not restore: it would fail and retry until the deadline)' : ' (restic check needs the repository to itself)'}`,
          remedy: `if no backup or restore is running now: npx tsx tasks volsync:unlock --app ${unlockFor!.name} --namespace ${unlockFor!.namespace}`,
        };
      }
      if (warned.length) return { ok: true, warning: true, message: warned.join('; ') };
      return { ok: true, message: `no locks in ${list.length} repositor${list.length === 1 ? 'y' : 'ies'}` };
    },
  };
}
