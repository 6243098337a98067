// The ONLY place rackhand spawns a process. argv arrays, never a shell string; a deadline on every call (the whole
// process group is killed); calls are read-only or mutating, and under --dry-run mutating calls are printed, not run;
// registered secrets are redacted from everything this module prints, logs, journals or throws.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { execa } from 'execa';
import { Redactor } from './redact.ts';
import { quoteArgv } from './shell-quote.ts';

export interface ExecOptions {
  /** Changes state somewhere. Mutating calls are not run under --dry-run. */
  mutating: boolean;
  /** Deadline for the whole call; the process group gets SIGTERM, then SIGKILL 2 s later. */
  timeoutMs?: number;
  input?: string;
  /** Extra environment on top of the executor's environment. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Run even under --dry-run (a mutating call with its own dry-run mode, e.g. `talosctl upgrade-k8s --dry-run`). */
  runInDryRun?: boolean;
  /** The child's umask: a tool that writes secrets into a file of its own (an etcd snapshot) creates it private. */
  umask?: number;
  /** stdout goes byte for byte into this file (created 0600), not into the result: a binary copied off a node */
  stdoutFile?: string;
  /** stdin comes byte for byte from this file (a snapshot sent to a node) */
  inputFile?: string;
}

export interface ExecResult {
  argv: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  canceled: boolean;
  dryRun: boolean;
  /** The process could not be started (binary missing). */
  notFound: boolean;
}

export interface JournalEntry {
  argv: string[];
  exitCode: number | null;
  durationMs: number;
  mutating: boolean;
  dryRun?: boolean;
  timedOut?: boolean;
  /** when it started, in ms since the run's executor was made (what overlapped with what, for benchmarks) */
  startMs?: number;
}

export class ExecError extends Error {
  readonly result: ExecResult;
  constructor(result: ExecResult, redactor: Redactor) {
    const cmd = redactor.redactArgv(result.argv).join(' ');
    const why = result.notFound ? `${result.argv[0]}: command not found`
      : result.timedOut ? `timed out after ${result.durationMs} ms`
      : result.canceled ? 'canceled'
      : `exit code ${result.exitCode}`;
    const detail = redactor.redact(result.stderr.trim() || result.stdout.trim()).split('\n').slice(-5).join('\n');
    super(`${cmd}: ${why}${detail ? `\n${detail}` : ''}`);
    this.name = 'ExecError';
    this.result = { ...result, argv: redactor.redactArgv(result.argv), stderr: redactor.redact(result.stderr), stdout: redactor.redact(result.stdout) };
  }
}

export interface ExecutorOptions {
  dryRun?: boolean;
  /** The environment children get (the CLI passes process.env; tests pass a lab's). */
  env: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** Called with the redacted command line of every call; kind says whether it ran or was only shown (dry-run). */
  log?: (line: string, kind: 'run' | 'dry-run') => void;
  redactor?: Redactor;
  defaultTimeoutMs?: number;
  /** how many lines of a mutating command's stdin a dry run prints (default 40) */
  dryRunStdinLines?: number;
}

const KILL_GRACE_MS = 2_000;

export class Executor {
  readonly journal: JournalEntry[] = [];
  private readonly born = performance.now();
  private push(e: JournalEntry): void {
    this.journal.push({ ...e, startMs: Math.max(0, Math.round(performance.now() - this.born - e.durationMs)) });
  }
  readonly redactor: Redactor;
  readonly dryRun: boolean;
  private signalRef: AbortSignal | undefined;
  constructor(private readonly opts: ExecutorOptions) {
    this.redactor = opts.redactor ?? new Redactor();
    this.dryRun = opts.dryRun ?? false;
    this.signalRef = opts.signal;
  }

  get env(): Record<string, string | undefined> { return this.opts.env; }
  get signal(): AbortSignal | undefined { return this.signalRef; }

  /** After an interrupt, undo still needs to run commands: it binds each compensation's own deadline instead of the
   *  (aborted) run signal; undefined runs with per-call deadlines only. */
  useSignal(signal: AbortSignal | undefined): void { this.signalRef = signal; }

  /** Values that must never be printed, logged or recorded. */
  registerSecret(value: string): void { this.redactor.add(value); }

  /** Runs argv; a non-zero exit is returned, not thrown (use `ok()` to throw). */
  async run(argv: readonly string[], o: ExecOptions): Promise<ExecResult> {
    if (argv.length === 0 || !argv[0]) throw new Error('exec: empty argv');
    // quoted so a printed line can be pasted into a shell; under --dry-run the stdin a command would get is shown too
    const shown = quoteArgv(this.redactor.redactArgv(argv));
    if (o.mutating && this.dryRun && !o.runInDryRun) {
      const lines = o.inputFile !== undefined ? [`(the bytes of ${o.inputFile})`] : o.input !== undefined ? this.redactor.redact(o.input).trimEnd().split('\n') : [];
      const max = this.opts.dryRunStdinLines ?? 40;
      const shownLines = lines.slice(0, max).map((l) => `    | ${l}`);
      if (lines.length > max) shownLines.push(`    | ... ${lines.length - max} more line(s) (--verbose shows them all)`);
      const stdin = shownLines.length ? `\n${shownLines.join('\n')}` : '';
      this.opts.log?.(`${shown}${stdin ? ' <<stdin' : ''}${stdin}`, 'dry-run');
      this.push({ argv: this.redactor.redactArgv(argv), exitCode: null, durationMs: 0, mutating: true, dryRun: true });
      return { argv: [...argv], exitCode: 0, stdout: '', stderr: '', durationMs: 0, timedOut: false, canceled: false, dryRun: true, notFound: false };
    }
    this.opts.log?.(shown, 'run');
    const result = await spawnWithDeadline(argv, {
      timeoutMs: o.timeoutMs ?? this.opts.defaultTimeoutMs ?? 60_000,
      env: { ...this.opts.env, ...o.env },
      input: o.input,
      cwd: o.cwd,
      signal: this.signalRef,
      ...(o.umask !== undefined ? { umask: o.umask } : {}),
      ...(o.stdoutFile !== undefined ? { stdoutFile: o.stdoutFile } : {}),
      ...(o.inputFile !== undefined ? { inputFile: o.inputFile } : {}),
    });
    this.push({
      argv: this.redactor.redactArgv(argv), exitCode: result.exitCode, durationMs: result.durationMs, mutating: o.mutating,
      ...(result.timedOut ? { timedOut: true } : {}),
    });
    return result;
  }

  /** Runs argv and throws an ExecError (redacted) unless it exits 0. */
  async ok(argv: readonly string[], o: ExecOptions): Promise<ExecResult> {
    const r = await this.run(argv, o);
    if (r.exitCode !== 0) throw new ExecError(r, this.redactor);
    return r;
  }

  error(result: ExecResult): ExecError { return new ExecError(result, this.redactor); }

  /** Runs argv with its output passed on as it comes (logs that follow, a command in a pod) instead of collected:
   *  stdout and stderr go, redacted, to the given streams. `terminal`: the child gets this process's terminal
   *  (stdin, stdout and stderr inherited, in the foreground process group so a shell in a pod can read keys and
   *  Ctrl-C reaches it); only for an interactive session the operator asked for. The deadline still applies. */
  async stream(argv: readonly string[], o: ExecOptions & { stdout: Writable; stderr: Writable; terminal?: boolean }): Promise<ExecResult> {
    if (argv.length === 0 || !argv[0]) throw new Error('exec: empty argv');
    const shown = quoteArgv(this.redactor.redactArgv(argv));
    if (o.mutating && this.dryRun && !o.runInDryRun) return this.run(argv, o);
    this.opts.log?.(shown, 'run');
    const started = performance.now();
    const [file, ...args] = argv as [string, ...string[]];
    const env = { ...this.opts.env, ...o.env };
    const child = o.terminal
      ? spawn(file, args, { env, cwd: o.cwd, stdio: 'inherit' })
      : spawn(file, args, { env, cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const pass = (to: Writable) => (b: Buffer) => { to.write(this.redactor.redact(b.toString('utf8'))); };
    child.stdout?.on('data', pass(o.stdout));
    child.stderr?.on('data', pass(o.stderr));
    let timedOut = false;
    let canceled = false;
    const kill = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try { if (o.terminal) child.kill(sig); else process.kill(-child.pid, sig); } catch { /* gone */ }
    };
    const stop = () => { kill('SIGTERM'); setTimeout(() => kill('SIGKILL'), KILL_GRACE_MS).unref(); };
    const timer = setTimeout(() => { timedOut = true; stop(); }, o.timeoutMs ?? this.opts.defaultTimeoutMs ?? 60_000);
    const onAbort = () => { canceled = true; stop(); };
    if (this.signalRef?.aborted) onAbort(); else this.signalRef?.addEventListener('abort', onAbort, { once: true });
    const { code, notFound } = await new Promise<{ code: number; notFound: boolean }>((resolve) => {
      child.on('error', (err: NodeJS.ErrnoException) => resolve({ code: 127, notFound: err.code === 'ENOENT' }));
      child.on('close', (c, sig) => resolve({ code: c ?? (timedOut ? 124 : 128 + (sig === 'SIGKILL' ? 9 : 15)), notFound: false }));
    });
    clearTimeout(timer);
    this.signalRef?.removeEventListener('abort', onAbort);
    const durationMs = Math.round(performance.now() - started);
    this.push({ argv: this.redactor.redactArgv(argv), exitCode: code, durationMs, mutating: o.mutating, ...(timedOut ? { timedOut: true } : {}) });
    return { argv: [...argv], exitCode: code, stdout: '', stderr: '', durationMs, timedOut, canceled, dryRun: false, notFound };
  }

  /** Starts a server the run needs for a while (a throwaway etcd): read-only for the world, in its own process group,
   *  with a deadline; `stop()` ends it (SIGTERM, SIGKILL 2 s later) and gives its result. An interrupt of the run
   *  kills it as it kills any command. */
  background(argv: readonly string[], o: { timeoutMs: number; env?: Record<string, string | undefined>; onStdout?: (text: string) => void }): { done: Promise<ExecResult>; stop(): Promise<ExecResult> } {
    if (argv.length === 0 || !argv[0]) throw new Error('exec: empty argv');
    this.opts.log?.(`${quoteArgv(this.redactor.redactArgv(argv))} &`, 'run');
    const own = new AbortController();
    const signal = this.signalRef ? AbortSignal.any([own.signal, this.signalRef]) : own.signal;
    const done = spawnWithDeadline(argv, { timeoutMs: o.timeoutMs, env: { ...this.opts.env, ...o.env }, signal, ...(o.onStdout ? { onStdout: o.onStdout } : {}) }).then((r) => {
      this.push({ argv: this.redactor.redactArgv(argv), exitCode: r.exitCode, durationMs: r.durationMs, mutating: false, ...(r.timedOut ? { timedOut: true } : {}) });
      return r;
    });
    return { done, stop: () => { own.abort(); return done; } };
  }
}

interface SpawnOptions {
  umask?: number;
  stdoutFile?: string;
  inputFile?: string;
  timeoutMs: number;
  env: Record<string, string | undefined>;
  input?: string;
  cwd?: string;
  signal?: AbortSignal;
  /** what the child prints on stdout, as it comes (a server announcing its address) */
  onStdout?: (text: string) => void;
}

/** Spawns in its own process group so a deadline or Ctrl-C kills grandchildren too (execa's timeout does not). */
async function spawnWithDeadline(argv: readonly string[], o: SpawnOptions): Promise<ExecResult> {
  const started = performance.now();
  const [file, ...args] = argv as [string, ...string[]];
  let timedOut = false;
  let canceled = false;
  // a child inherits the umask in effect when it is spawned, and spawning is synchronous: set it for that moment only
  const previousUmask = o.umask !== undefined ? process.umask(o.umask) : undefined;
  let child;
  try {
    // created private before the child writes to it (execa opens an existing file, keeping its mode)
    if (o.stdoutFile !== undefined) closeSync(openSync(o.stdoutFile, 'w', 0o600));
    child = execa(file, args, {
      reject: false, detached: true, extendEnv: false, env: o.env, cwd: o.cwd,
      stripFinalNewline: false, maxBuffer: 64 * 1024 * 1024,
      ...(o.inputFile !== undefined ? { inputFile: o.inputFile } : o.input !== undefined ? { input: o.input } : { stdin: 'ignore' as const }),
      ...(o.stdoutFile !== undefined ? { stdout: { file: o.stdoutFile } } : {}),
    });
  } finally {
    if (previousUmask !== undefined) process.umask(previousUmask);
  }
  if (o.onStdout) child.stdout?.on('data', (b: Buffer) => o.onStdout!(b.toString('utf8')));
  const killGroup = (): void => {
    if (child.pid === undefined) return;
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
    setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, KILL_GRACE_MS).unref();
  };
  const timer = setTimeout(() => { timedOut = true; killGroup(); }, o.timeoutMs);
  const onAbort = (): void => { canceled = true; killGroup(); };
  if (o.signal?.aborted) onAbort(); else o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const r = await child;
    const notFound = (r as { code?: string }).code === 'ENOENT';
    return {
      argv: [...argv],
      exitCode: typeof r.exitCode === 'number' ? r.exitCode : notFound ? 127 : timedOut ? 124 : 128,
      stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''),
      durationMs: Math.round(performance.now() - started),
      timedOut, canceled, dryRun: false, notFound,
    };
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
  }
}

/** Starts a long-lived background process (lab:up's daemon) in its own session, its output appended to a log file.
 *  Plain child_process.spawn with real file descriptors: execa would pump output through this process and keep it
 *  alive. The caller may exit at once. */
export function spawnDetached(argv: readonly string[], o: { env: Record<string, string | undefined>; logFile: string; cwd?: string }): number {
  const [file, ...args] = argv as [string, ...string[]];
  const fd = openSync(o.logFile, 'a', 0o600);
  try {
    const child = spawn(file, args, { detached: true, env: o.env, cwd: o.cwd, stdio: ['ignore', fd, fd] });
    child.on('error', () => undefined);
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${file}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}
