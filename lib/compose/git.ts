// Files of a repository at the compared revision, read with the machine's git (`git -C REPO show REV:PATH`, and
// `git ls-tree -r --name-only REV -- PATH` for a folder's files: git-scm.com/docs/git-show, git-ls-tree): what Git
// says, never a working-tree edit nobody committed. Read-only; each file read once per run.
import type { TaskContext } from '../engine/types.ts';
import { StepFailure } from '../engine/types.ts';

export class RepoReader {
  private readonly cache = new Map<string, Promise<string | undefined>>();
  constructor(private readonly ctx: TaskContext, readonly name: string, readonly path: string, readonly ref: string) {}

  read(file: string): Promise<string | undefined> {
    let p = this.cache.get(file);
    if (!p) {
      p = this.ctx.exec.run(['git', '-C', this.path, 'show', `${this.ref}:${file}`], { mutating: false, timeoutMs: 30_000 }).then((r) => {
        if (r.exitCode === 0) return r.stdout;
        // git show: "fatal: path '...' does not exist in 'HEAD'" / "exists on disk, but not in"
        if (/does not exist in|exists on disk, but not in/.test(r.stderr)) return undefined;
        throw new StepFailure(`repository ${this.name} (${this.path}): git show ${this.ref}:${file} failed: ${r.stderr.trim().split('\n').pop()}`, `git -C ${this.path} status`);
      });
      this.cache.set(file, p);
    }
    return p;
  }

  async list(folder: string): Promise<string[]> {
    const r = await this.ctx.exec.run(['git', '-C', this.path, 'ls-tree', '-r', '--name-only', this.ref, '--', folder || '.'], { mutating: false, timeoutMs: 30_000 });
    if (r.exitCode !== 0) throw new StepFailure(`repository ${this.name} (${this.path}): ${r.stderr.trim().split('\n').pop()}`, `git -C ${this.path} log -1 ${this.ref}`);
    return r.stdout.split('\n').filter(Boolean);
  }
}
