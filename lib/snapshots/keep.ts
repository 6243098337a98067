// What happens to a cluster-state snapshot once its folder copy is checked, and how a restore finds one: the copy
// goes to the restic repository too when one is set (clusters.<name>.snapshots.restic), both places are pruned to
// snapshots.keep, and a name not in the folder is fetched back from the repository.
import type { Check, StepRuntime, TaskContext } from '../engine/types.ts';
import { ToolError } from '../tools/tool-error.ts';
import { offNodeCopies, offNodeDir, pruneCopies, type OffNodeCopy } from './offnode.ts';
import { fetchCopy, pruneRepo, pushCopy, repoCopies, repoLabel, snapshotRepo } from './restic-copies.ts';

/** Stores the checked copy in the repository (when set) and applies retention (`keep`, else snapshots.keep). */
export async function keepCopy(ctx: TaskContext, copy: OffNodeCopy, rt: StepRuntime, keep = ctx.cluster.snapshots?.keep): Promise<void> {
  const repo = snapshotRepo(ctx);
  if (repo) {
    const restic = await repo;
    const id = await pushCopy(restic, copy, ctx.cluster.name);
    if (id) {
      rt.output(`stored ${copy.name} in the restic repository ${repoLabel(ctx)} (snapshot ${id.slice(0, 8)})`);
      ctx.artifact('etcd snapshot (restic)', `${repoLabel(ctx)} snapshot ${id.slice(0, 8)}`);
    }
  }
  if (!keep) return;
  const dropped = await pruneCopies(offNodeDir(ctx), keep);
  if (dropped.length) rt.output(`kept the newest ${keep} copies in ${offNodeDir(ctx)}; removed ${dropped.join(', ')}`);
  if (repo && !ctx.dryRun) {
    const forgotten = await pruneRepo(await repo, ctx.cluster.name, keep);
    if (forgotten.length) rt.output(`kept the newest ${keep} in the restic repository; forgot ${forgotten.join(', ')}`);
  }
}

/** A copy by name: from the folder, else fetched from the repository into the folder (checked on the way). */
export async function findCopy(ctx: TaskContext, name: string): Promise<{ copy?: OffNodeCopy; known: string[] }> {
  const local = await offNodeCopies(offNodeDir(ctx));
  const here = local.find((c) => c.name === name);
  if (here) return { copy: here, known: local.map((c) => c.name) };
  const repo = snapshotRepo(ctx);
  if (!repo) return { known: local.map((c) => c.name) };
  const restic = await repo;
  const remote = await repoCopies(restic, ctx.cluster.name);
  const hit = remote.find((c) => c.name === name);
  const known = [...new Set([...local, ...remote].sort((a, b) => a.created.localeCompare(b.created)).map((c) => c.name))];
  return hit ? { copy: await fetchCopy(restic, hit, offNodeDir(ctx)), known } : { known };
}

/** Preflight: the snapshot repository opens with its credentials (nothing to check when none is set). */
export function snapshotRepoCheck(ctx: TaskContext): Check[] {
  if (!ctx.cluster.snapshots?.restic) return [];
  return [{
    name: 'the snapshot repository opens',
    async run() {
      try {
        const copies = await repoCopies(await snapshotRepo(ctx)!, ctx.cluster.name);
        return { ok: true, message: `${repoLabel(ctx)}: ${copies.length} snapshot(s) of ${ctx.cluster.name}` };
      } catch (err) {
        const kind = err instanceof ToolError ? err.kind : undefined;
        return {
          ok: false,
          message: `${repoLabel(ctx)}: ${kind === 'NotFound' ? 'no restic repository there' : kind === 'Auth' ? 'wrong password' : (err as Error).message.split('\n')[0]}`,
          remedy: kind === 'NotFound' ? `restic -r ${repoLabel(ctx)} init (with the password of clusters.${ctx.cluster.name}.snapshots.restic.RESTIC_PASSWORD)` : `check clusters.${ctx.cluster.name}.snapshots.restic in rackhand.yaml`,
        };
      }
    },
  }];
}
