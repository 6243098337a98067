// The flags of the tasks that build a Flux Kustomization locally (flux:diff, k8s:apply-ks, k8s:delete-ks) and where the
// repository is: --repo, else the git work tree of the current folder (lib/git/repo-root.ts), else the folder.
import { resolve } from 'node:path';
import type { TaskContext } from '../engine/types.ts';
import { findRepoRoot } from '../git/repo-root.ts';

export const KS_FLAGS = {
  ks: { type: 'string', required: true, positional: true, pattern: /^([a-z0-9][a-z0-9-]*\/)?[a-z0-9][a-z0-9.-]*$/, hint: 'NAME or NAMESPACE/NAME', description: 'the Kustomization (namespace flux-system unless given)' },
  repo: { type: 'string', description: 'the repository root spec.path is relative to (default: the git work tree here)' },
  path: { type: 'string', description: 'build this folder instead of the Kustomization\'s spec.path' },
} as const;

export function ksRef(ctx: TaskContext): { namespace: string; name: string } {
  const v = ctx.flags.ks as string;
  const [namespace, name] = v.includes('/') ? v.split('/') as [string, string] : ['flux-system', v];
  return { namespace, name };
}

export async function repoRoot(ctx: TaskContext): Promise<string> {
  return ctx.flags.repo ? resolve(ctx.cwd, ctx.flags.repo as string) : findRepoRoot(ctx.cwd) ?? ctx.cwd;
}
