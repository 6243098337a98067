// The git work tree a folder is in: the nearest folder at or above it holding `.git` (a folder, or a file in a
// worktree or submodule: gitrepository-layout(5)), or undefined outside any. No git process needed.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function findRepoRoot(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return undefined;
  }
}
