import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ExecError, Executor } from '../../lib/exec.ts';

const executor = (o: Partial<ConstructorParameters<typeof Executor>[0]> = {}) => new Executor({ env: process.env, ...o });

describe('lib/exec', () => {
  it('runs argv without a shell: metacharacters are plain arguments', async () => {
    const r = await executor().run(['echo', '$(id)', ';', '&&', '`x`'], { mutating: false });
    expect(r.stdout).toBe('$(id) ; && `x`\n');
  });

  it('journals every call with argv, exit code, duration and whether it mutates', async () => {
    const e = executor();
    await e.run(['true'], { mutating: false });
    await e.run(['false'], { mutating: true });
    expect(e.journal.map(({ argv, exitCode, mutating }) => ({ argv, exitCode, mutating }))).toEqual([
      { argv: ['true'], exitCode: 0, mutating: false },
      { argv: ['false'], exitCode: 1, mutating: true },
    ]);
    expect(e.journal.every((j) => typeof j.durationMs === 'number')).toBe(true);
  });

  it('a deadline kills the whole process group, grandchildren included', async () => {
    const e = executor();
    const marker = `rackhand-grandchild-${process.pid}-${Date.now()}`;
    // sh starts a grandchild `sleep` that would outlive a plain kill of sh
    const r = await e.run(['sh', '-c', `sleep 30 & echo $!; wait`, marker], { mutating: false, timeoutMs: 500 });
    expect(r.timedOut).toBe(true);
    const grandchild = Number(r.stdout.trim());
    expect(grandchild).toBeGreaterThan(0);
    await new Promise((res) => setTimeout(res, 300));
    // gone, or a zombie waiting for a reaper (in containers PID 1 may not reap): either way no longer running
    const state = await readFile(`/proc/${grandchild}/stat`, 'utf8').then((s) => s.split(' ')[2]).catch(() => 'gone');
    expect(['gone', 'Z']).toContain(state);
    expect(e.journal[0]).toMatchObject({ timedOut: true });
  });

  it('an aborted signal cancels the running command', async () => {
    const ac = new AbortController();
    const e = executor({ signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    const r = await e.run(['sleep', '10'], { mutating: false });
    expect(r.canceled).toBe(true);
    expect(r.durationMs).toBeLessThan(5_000);
  });

  it('under dry-run a mutating call is printed and not run; a read-only call runs', async () => {
    const lines: string[] = [];
    const e = executor({ dryRun: true, log: (l, kind) => lines.push(`${kind}: ${l}`) });
    const m = await e.run(['touch', '/nonexistent/should-not-exist'], { mutating: true });
    const r = await e.run(['echo', 'hi'], { mutating: false });
    expect(m.dryRun).toBe(true);
    expect(r.stdout).toBe('hi\n');
    expect(lines).toEqual(['dry-run: touch /nonexistent/should-not-exist', 'run: echo hi']);
  });

  it('registered secrets are redacted from the log, the journal and errors', async () => {
    const lines: string[] = [];
    const e = executor({ log: (l) => lines.push(l) });
    e.registerSecret('sup3r-secret');
    const err = await e.ok(['sh', '-c', 'echo "bad token sup3r-secret" >&2; exit 3', 'x-sup3r-secret'], { mutating: false }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ExecError);
    const text = `${(err as Error).message}\n${JSON.stringify((err as ExecError).result)}\n${lines.join('\n')}\n${JSON.stringify(e.journal)}`;
    expect(text).not.toContain('sup3r-secret');
    expect((err as Error).message).toContain('bad token ***');
    expect((err as Error).message).toContain('exit code 3');
  });

  it('a missing binary is reported, not thrown', async () => {
    const r = await executor().run(['rackhand-no-such-tool'], { mutating: false });
    expect(r.notFound).toBe(true);
    expect(r.exitCode).toBe(127);
  });
});
