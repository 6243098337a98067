// ctx.$: zx's template-literal command style, bound to the engine. `await ctx.$\`kubectl get ns ${name}\`` runs
// kubectl through lib/exec.ts like every built-in command: an argv array (never a shell: each ${value} is exactly one
// argument, an array value several), a deadline, the run's signal (the process group dies on Ctrl-C), redaction, and
// an entry in the run record. Commands are read-only by default; `ctx.$.mutating\`...\`` marks one that changes
// something, which --dry-run prints instead of running. Like zx, a non-zero exit throws (a StepFailure naming the
// command) unless `.nothrow`. Static text is split on whitespace only: quotes in it are refused, values with spaces
// go in ${...} (zx quotes them for a shell; rackhand never uses one). zx: google/zx src/core.ts ($, ProcessOutput).
import type { Executor, ExecResult } from '../exec.ts';
import { parseDuration } from '../patterns.ts';
import { StepFailure, UsageError } from './types.ts';

export interface DollarOptions {
  /** per-command deadline: ms or a duration like '30s' (default 60 s) */
  timeout?: number | string;
  input?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** a non-zero exit is returned, not thrown */
  nothrow?: boolean;
  mutating?: boolean;
}

/** What a command gave back (zx's ProcessOutput, the parts that fit). */
export class CommandOutput {
  constructor(readonly result: ExecResult) {}
  get stdout(): string { return this.result.stdout; }
  get stderr(): string { return this.result.stderr; }
  get exitCode(): number { return this.result.exitCode; }
  get ok(): boolean { return this.result.exitCode === 0; }
  /** stdout without the final newline */
  text(): string { return this.result.stdout.replace(/\r?\n$/, ''); }
  lines(): string[] { return this.text() === '' ? [] : this.text().split(/\r?\n/); }
  json<T = unknown>(): T { return JSON.parse(this.result.stdout) as T; }
  toString(): string { return this.text(); }
}

type Value = string | number | boolean | readonly (string | number | boolean)[];

/** The template as argv: static text split on whitespace, each value one argument (arrays: one each), a value
 *  touching static text joins that word (`app=${name}`). */
export function templateArgv(strings: readonly string[], values: readonly Value[]): string[] {
  const argv: string[] = [];
  let word: string | undefined;
  const flush = () => { if (word !== undefined) { argv.push(word); word = undefined; } };
  strings.forEach((raw, i) => {
    if (/["'`\\]/.test(raw)) throw new UsageError(`ctx.$: quotes or backslashes in the command text (${JSON.stringify(raw.trim())}) are not shell syntax here: put the value in \${...}, it becomes one argument`);
    const parts = raw.split(/(\s+)/);
    for (const p of parts) {
      if (p === '') continue;
      if (/^\s+$/.test(p)) flush();
      else word = (word ?? '') + p;
    }
    if (i >= values.length) return;
    const v = values[i]!;
    if (Array.isArray(v)) {
      if (word !== undefined || /^\S/.test(strings[i + 1] ?? '')) throw new UsageError('ctx.$: an array value must stand alone between spaces (each element becomes one argument)');
      for (const x of v as readonly (string | number | boolean)[]) argv.push(String(x));
    } else {
      word = (word ?? '') + String(v);
    }
  });
  flush();
  return argv;
}

export type Dollar = ((strings: TemplateStringsArray, ...values: Value[]) => Promise<CommandOutput>) & {
  /** a command that changes something: printed, not run, under --dry-run */
  mutating: (strings: TemplateStringsArray, ...values: Value[]) => Promise<CommandOutput>;
  /** a non-zero exit is returned, not thrown */
  nothrow: (strings: TemplateStringsArray, ...values: Value[]) => Promise<CommandOutput>;
  /** the same with options: ctx.$({ timeout: '5m', input })`...` */
  (options: DollarOptions): Dollar;
};

export function makeDollar(exec: Executor, base: DollarOptions = {}): Dollar {
  const runWith = (o: DollarOptions) => async (strings: TemplateStringsArray, ...values: Value[]): Promise<CommandOutput> => {
    const argv = templateArgv(strings, values);
    if (!argv.length) throw new UsageError('ctx.$: empty command');
    let timeoutMs = 60_000;
    try {
      timeoutMs = typeof o.timeout === 'string' ? parseDuration(o.timeout) : o.timeout ?? 60_000;
    } catch {
      throw new UsageError(`ctx.$: timeout ${String(o.timeout)}: expected a duration like 30s or 5m`);
    }
    const r = await exec.run(argv, {
      mutating: o.mutating === true, timeoutMs,
      ...(o.input !== undefined ? { input: o.input } : {}), ...(o.env ? { env: o.env } : {}), ...(o.cwd ? { cwd: o.cwd } : {}),
    });
    if (r.exitCode !== 0 && !o.nothrow) {
      const why = r.timedOut ? `timed out after ${timeoutMs} ms` : r.notFound ? 'not found on PATH' : `exited ${r.exitCode}`;
      const err = exec.redactor.redact(`${argv[0]} ${why}: ${(r.stderr || r.stdout).trim().split('\n').pop() ?? ''}`);
      throw new StepFailure(err, exec.redactor.redact(argv.join(' ')));
    }
    return new CommandOutput(r);
  };
  const fn = ((first: TemplateStringsArray | DollarOptions, ...values: Value[]) => {
    if (Array.isArray(first) && 'raw' in (first as object)) return runWith(base)(first as TemplateStringsArray, ...values);
    return makeDollar(exec, { ...base, ...(first as DollarOptions) });
  }) as Dollar;
  fn.mutating = runWith({ ...base, mutating: true });
  fn.nothrow = runWith({ ...base, nothrow: true });
  return fn;
}
