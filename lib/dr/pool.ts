// dr:drill --all's scheduler: targets run side by side up to a limit, one at a time per restic repository.
/** Runs `drill` over the apps, at most `parallel` at once and never two whose repository is the same (restic's
 *  exclusive locks and the repository's own I/O), in the order given as far as that allows. */
export async function drillPool<T>(apps: T[], parallel: number, repositoryOf: (app: T) => Promise<string>, drill: (app: T) => Promise<void>): Promise<void> {
  const repos = await Promise.all(apps.map(repositoryOf));
  const waiting = apps.map((app, i) => ({ app, repo: repos[i]! }));
  const busy = new Set<string>();
  const running = new Set<Promise<void>>();
  while (waiting.length || running.size) {
    const i = running.size < parallel ? waiting.findIndex((w) => !busy.has(w.repo)) : -1;
    if (i < 0) { await Promise.race(running); continue; }
    const [w] = waiting.splice(i, 1);
    busy.add(w!.repo);
    const p: Promise<void> = drill(w!.app).finally(() => { busy.delete(w!.repo); running.delete(p); });
    running.add(p);
  }
}

