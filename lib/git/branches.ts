// The git facts a staged rollout needs, read with the real git through lib/exec.ts: a remote branch's commit, whether
// one commit is an ancestor of another (git merge-base --is-ancestor: exit 0 yes, 1 no; git-merge-base(1)), and the
// commits between two (git log A..B, oldest first).
import type { Executor } from '../exec.ts';
import { StepFailure } from '../engine/types.ts';

export class Git {
  constructor(private readonly exec: Executor, readonly dir: string) {}

  private async out(args: string[], what: string): Promise<string> {
    const r = await this.exec.run(['git', '-C', this.dir, ...args], { mutating: false, timeoutMs: 120_000 });
    if (r.exitCode !== 0) throw new StepFailure(`git ${args.join(' ')} (${what}) failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}`, `git -C ${this.dir} ${args.join(' ')}`);
    return r.stdout;
  }

  /** updates the remote-tracking branches (the operator's clone only; nothing is pushed) */
  fetch(remote: string): Promise<string> { return this.out(['fetch', '--prune', remote], `fetch ${remote}`); }

  async commitOf(ref: string): Promise<string> { return (await this.out(['rev-parse', '--verify', `${ref}^{commit}`], `the commit of ${ref}`)).trim(); }

  async isAncestor(older: string, newer: string): Promise<boolean> {
    const r = await this.exec.run(['git', '-C', this.dir, 'merge-base', '--is-ancestor', older, newer], { mutating: false, timeoutMs: 60_000 });
    if (r.exitCode > 1) throw new StepFailure(`git merge-base --is-ancestor ${older} ${newer} failed: ${r.stderr.trim()}`);
    return r.exitCode === 0;
  }

  /** `<short sha> <subject>` of each commit in from..to, oldest first */
  async commitsBetween(from: string, to: string): Promise<string[]> {
    return (await this.out(['log', '--reverse', '--format=%h %s', `${from}..${to}`], `commits ${from}..${to}`)).split('\n').filter(Boolean);
  }
}
