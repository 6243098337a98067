// A real git remote for the lab's GitOps repository (staged rollouts): a bare repository DIR/git/<name>.git and an
// operator's clone DIR/git/<name> of it, made with the machine's git (git init, commit, push; no network). The clone's
// commits carry a lab identity (git -c user.name/-c user.email), so the operator's own git config is never needed.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LabGitRepo {
  /** the bare repository the clone's `origin` points at */
  remote: string;
  /** the operator's clone */
  clone: string;
  /** runs git in the clone (lab identity), returns its stdout */
  git(...args: string[]): Promise<string>;
  /** writes `file` in the clone and commits it with `message` on the current branch; returns the commit */
  commit(file: string, message: string): Promise<string>;
  /** the commit a branch of the remote points at */
  remoteBranch(branch: string): Promise<string>;
}

export async function labGitRepo(dir: string, name: string, branch = 'main'): Promise<LabGitRepo> {
  const remote = join(dir, 'git', `${name}.git`);
  const clone = join(dir, 'git', name);
  await mkdir(clone, { recursive: true });
  await run('git', ['init', '-q', '--bare', '-b', branch, remote]);
  await run('git', ['init', '-q', '-b', branch, clone]);
  const git = async (...args: string[]) => (await run('git', ['-C', clone, '-c', 'user.name=rackhand lab', '-c', 'user.email=lab@rackhand.invalid', ...args])).stdout.trim();
  await git('remote', 'add', 'origin', remote);
  return {
    remote, clone, git,
    async commit(file, message) {
      await writeFile(join(clone, file), `${message}\n`);
      await git('add', file);
      await git('commit', '-q', '-m', message);
      return git('rev-parse', 'HEAD');
    },
    remoteBranch: async (b) => (await run('git', ['-C', remote, 'rev-parse', b])).stdout.trim(),
  };
}
