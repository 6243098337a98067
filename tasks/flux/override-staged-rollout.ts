// flux:override-staged-rollout — releases now what a staged rollout would release later: a cluster that follows a
// `release` branch kept behind `main` (its GitRepository's spec.ref.branch) gets main's commit today. The plan lists
// the commits it would release; the release branch is fast-forwarded on the remote with a plain `git push` (no force:
// a release branch that has commits main lacks is refused before anything changes), then the cluster's GitRepository is
// reconciled and waited for. Better than `git push origin main:release && flux reconcile source git`: the commits shown
// and confirmed first, never a forced push, and the wait for the cluster to pick the commit up.
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, type Check, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { repoRoot } from '../../lib/flux/ks-flags.ts';
import { refOf, fluxKind } from '../../lib/flux/kinds.ts';
import { getFlux, label } from '../../lib/flux/objects.ts';
import { reconcileAndWait } from '../../lib/flux/wait.ts';
import { Git } from '../../lib/git/branches.ts';

interface Rollout { git: Git; from: string; to: string; target: string; released: string; commits: string[] }

function override() {
  let state: Rollout | undefined;
  const load = async (ctx: TaskContext): Promise<Rollout> => {
    if (state) return state;
    const git = new Git(ctx.exec, await repoRoot(ctx));
    const remote = ctx.flags.remote as string;
    await git.fetch(remote);
    const from = `${remote}/${ctx.flags.from as string}`;
    const to = `${remote}/${ctx.flags.to as string}`;
    const target = await git.commitOf(from);
    const released = await git.commitOf(to);
    state = { git, from, to, target, released, commits: await git.commitsBetween(to, from) };
    return state;
  };
  const source = (ctx: TaskContext) => {
    const [ns, name] = (ctx.flags.source as string).includes('/') ? (ctx.flags.source as string).split('/') as [string, string] : ['flux-system', ctx.flags.source as string];
    return refOf(fluxKind('gitrepo')!, ns, name);
  };
  return {
    preflight: (ctx: TaskContext): Check[] => [
      {
        name: 'the release branch can be fast-forwarded to the main branch',
        async run() {
          const s = await load(ctx);
          if (await s.git.isAncestor(s.to, s.from)) return { ok: true, message: `${s.to} (${s.released.slice(0, 7)}) is behind ${s.from} (${s.target.slice(0, 7)}) by ${s.commits.length} commit(s)` };
          return { ok: false, message: `${s.to} has commits ${s.from} does not: not a fast-forward`, remedy: `git log ${s.from}..${s.to}   # merge them into ${ctx.flags.from as string} first` };
        },
      },
      {
        name: 'the cluster follows the release branch',
        async run() {
          const ref = source(ctx);
          const o = await getFlux(ctx.kubectl, ref) as { spec?: { ref?: { branch?: string } } } | undefined;
          if (!o) return { ok: false, message: `no ${label(ref)}`, remedy: 'kubectl get gitrepositories -A; --source NS/NAME' };
          const branch = o.spec?.ref?.branch;
          return branch === ctx.flags.to ? { ok: true, message: `${label(ref)} follows ${branch}` } : { ok: false, message: `${label(ref)} follows ${branch ?? '(no branch)'}, not ${String(ctx.flags.to)}`, remedy: '--to BRANCH, or --cluster of the cluster that follows it' };
        },
      },
    ],
    async plan(ctx: TaskContext): Promise<Step[]> {
      const s = await load(ctx);
      ctx.data.rollout = { from: s.from, to: s.to, commit: s.target, commits: s.commits };
      if (s.commits.length) {
        ctx.log.info(`commits ${s.to} would get (oldest first):`);
        for (const c of s.commits) ctx.log.info(`  ${c}`);
      }
      const remote = ctx.flags.remote as string;
      const ref = source(ctx);
      return [
        {
          title: `fast-forward ${s.to} to ${s.target.slice(0, 7)} (${s.commits.length} commit(s), no force)`,
          isDone: async () => (s.target === s.released ? `${s.to} is already at ${s.from}` : false),
          async run() {
            // a plain push refuses anything but a fast-forward (git-push(1): "rejected ... non-fast-forward")
            const r = await ctx.exec.run(['git', '-C', s.git.dir, 'push', remote, `${s.target}:refs/heads/${ctx.flags.to as string}`], { mutating: true, timeoutMs: 120_000 });
            if (r.exitCode !== 0) throw new StepFailure(`git push to ${s.to} was refused: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' / ')}`, `git -C ${s.git.dir} fetch ${remote} && git log ${s.from}..${s.to}`);
          },
        },
        {
          title: `reconcile ${label(ref)} and wait until Ready`,
          mutating: false,
          async run() { if (!ctx.dryRun) await reconcileAndWait(ctx, ref, new Date().toISOString(), ctx.flags.timeout as number); },
        },
      ];
    },
    changes: (ctx: TaskContext) => [`the cluster ${ctx.cluster.name} deploys ${state?.commits.length ?? '?'} more commit(s) now: ${String(ctx.flags.to)} moves to ${String(ctx.flags.from)}'s ${state?.target.slice(0, 7) ?? ''}`],
  };
}

export default defineTask({
  summary: 'release main to a staged-rollout cluster now: fast-forward its release branch (commits shown, never forced) and reconcile',
  example: 'npx tsx tasks flux:override-staged-rollout --cluster apps',
  flags: {
    from: { type: 'string', default: 'main', pattern: /^[A-Za-z0-9._\/-]+$/, hint: 'a branch name', description: 'the branch whose commit is released' },
    to: { type: 'string', default: 'release', pattern: /^[A-Za-z0-9._\/-]+$/, hint: 'a branch name', description: 'the branch the cluster follows' },
    remote: { type: 'string', default: 'origin', pattern: /^[A-Za-z0-9._-]+$/, hint: 'a git remote name', description: 'the remote both branches live on' },
    repo: { type: 'string', description: 'the local clone (default: the git work tree here)' },
    source: { type: 'string', default: 'flux-system/flux-system', pattern: /^([a-z0-9][a-z0-9-]*\/)?[a-z0-9][a-z0-9.-]*$/, hint: 'NAMESPACE/NAME', description: 'the cluster\'s GitRepository that follows --to' },
    timeout: { type: 'duration', default: 5 * 60_000, description: 'deadline for the GitRepository to be Ready' },
  },
  destructive: true,
  cluster: true,
  impl: override,
});
