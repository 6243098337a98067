// Runs the machine's REAL restic for the lab's VolSync movers and seeds: argv arrays, a clean environment (only the
// repository Secret's keys, RESTIC_CACHE_DIR, PATH and HOME), a timeout on every call, and every child tracked so
// lab.stop() can end them. Works with restic 0.14 (Debian bookworm) through 0.19.
import { execa } from 'execa';

export interface ResticResult {
  argv: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
  killed: boolean;
}

export interface ResticRunner {
  run(argv: string[], opts: { env: Record<string, string>; cwd?: string; timeoutMs?: number; stdin?: 'pipe' | 'ignore'; signal?: AbortSignal }): Promise<ResticResult>;
  /** starts restic and hands back its pid and a promise of the result (for the stale-lock fault) */
  spawn(argv: string[], opts: { env: Record<string, string>; cwd?: string; timeoutMs?: number }): { pid: number | undefined; done: Promise<ResticResult> };
  stop(): Promise<void>;
}

export function resticRunner(binary = 'restic', home: string): ResticRunner {
  const abort = new AbortController();
  const live = new Set<Promise<unknown>>();
  const start = (argv: string[], opts: { env: Record<string, string>; cwd?: string; timeoutMs?: number; stdin?: 'pipe' | 'ignore'; signal?: AbortSignal }) => {
    const child = execa(binary, argv, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, ...opts.env }, extendEnv: false,
      ...(opts.cwd ? { cwd: opts.cwd } : {}), stdin: opts.stdin ?? 'ignore', reject: false, timeout: opts.timeoutMs ?? 120_000,
      cancelSignal: opts.signal ? AbortSignal.any([abort.signal, opts.signal]) : abort.signal, forceKillAfterDelay: 1000, stripFinalNewline: true,
    });
    const done = child.then((r) => ({
      argv, exitCode: r.exitCode ?? (r.signal ? 128 : 1), stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), killed: Boolean(r.signal) || r.isTerminated,
    }));
    live.add(done);
    void done.finally(() => live.delete(done));
    return { pid: child.pid, done };
  };
  return {
    run: (argv, opts) => start(argv, opts).done,
    spawn: (argv, opts) => start(argv, { ...opts, stdin: 'pipe' }),
    stop: async () => {
      abort.abort();
      await Promise.allSettled([...live]);
    },
  };
}

/** restic's "no repository here" texts: 0.14 "Is there a repository at the following location?", 0.17+ exit 10 */
export const repoMissing = (r: ResticResult) => r.exitCode === 10 || /Is there a repository at the following location/.test(r.stderr);
