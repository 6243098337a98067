// Running tasks from code: `import { run } from 'rackhand'` runs any task (built-in or the operator's) exactly as
// the CLI would -- flags checked, preflight, confirmation (--yes in `flags`, or a terminal), lock, undo, run record --
// and returns its run record. A script composes tasks by calling run() in order and stopping on the first record
// whose exitCode is not 0, or with runAll(): several tasks as ONE run -- one confirmation, one cluster lock held
// across all of them, one run record listing each task's own record -- stopping at the first that fails.
import type { Writable } from 'node:stream';
import type { RunRecord } from '../report.ts';
import { EXIT } from './exit.ts';
import { processIO } from './io.ts';
import { loadRegistry } from './registry.ts';
import { runTask } from './run.ts';
import { suggest } from './suggest.ts';
import { StepFailure, UsageError, type TaskEntry } from './types.ts';
import type { BuiltinTaskFlags } from './builtin-flags.ts';

export type RunFlags = Record<string, string | number | boolean | readonly string[] | undefined>;

export interface RunApiOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** where the task's output goes (default: this process's stdout/stderr) */
  stdout?: Writable;
  stderr?: Writable;
  /** abort to stop the task like Ctrl-C (cleanup and undo run) */
  interrupt?: AbortController;
}

/** flags as the CLI would get them: `--name value`, `--flag` for true (false is left out), lists repeated; a number
 *  for a duration flag is milliseconds */
export function flagArgv(flags: RunFlags, durations: Set<string>): string[] {
  return Object.entries(flags).flatMap(([k, v]) => {
    if (v === undefined || v === false) return [];
    if (v === true) return [`--${k}`];
    if (Array.isArray(v)) return v.flatMap((x) => [`--${k}`, String(x)]);
    return [`--${k}`, typeof v === 'number' && durations.has(k) ? `${v}ms` : String(v)];
  });
}

/** flags typed for rackhand's own tasks (lib/engine/builtin-flags.ts, generated), loosely for the operator's */
export type FlagsFor<T extends string> = T extends keyof BuiltinTaskFlags ? BuiltinTaskFlags[T] : RunFlags;

export async function run<T extends string>(task: T, flags: FlagsFor<T> = {} as FlagsFor<T>, o: RunApiOptions = {}): Promise<RunRecord & { recordPath?: string }> {
  const env = o.env ?? process.env;
  const cwd = o.cwd ?? process.cwd();
  const config = (flags as RunFlags).config;
  const registry = await loadRegistry({ env, cwd, ...(typeof config === 'string' ? { config } : {}) });
  const entry = registry[task];
  if (!entry) {
    const near = suggest(task, Object.keys(registry));
    throw new UsageError(`run(): unknown task "${task}"${near ? `; did you mean ${near}?` : ''}`);
  }
  const durations = new Set(Object.entries(entry.flags).filter(([, d]) => d.type === 'duration').map(([k]) => k));
  const base = processIO(env);
  const io = { ...base, ...(o.stdout ? { stdout: o.stdout } : {}), ...(o.stderr ? { stderr: o.stderr } : {}) };
  let result: (RunRecord & { recordPath?: string }) | undefined;
  const code = await runTask({
    name: task, entry, argv: flagArgv(flags as RunFlags, durations), io, env, cwd, ...(o.interrupt ? { interrupt: o.interrupt } : {}),
    onRecord: (record, path) => { result = { ...record, ...(path ? { recordPath: path } : {}) }; },
  });
  return result ?? ({ task, exitCode: code || EXIT.failed } as unknown as RunRecord);
}

export type TaskCall = { [T in keyof BuiltinTaskFlags]: [task: T, flags?: BuiltinTaskFlags[T]] }[keyof BuiltinTaskFlags] | [task: string, flags?: RunFlags];

/** Several tasks as one run named `script:<label>`: the flags in `o.flags` (--cluster, --yes, --dry-run, --json)
 *  are the composite's and passed on; each task runs under the composite's cluster lock with its own record. */
export async function runAll(label: string, calls: TaskCall[], o: RunApiOptions & { flags?: RunFlags } = {}): Promise<RunRecord & { recordPath?: string }> {
  const env = o.env ?? process.env;
  const cwd = o.cwd ?? process.cwd();
  const flags = o.flags ?? {};
  const registry = await loadRegistry({ env, cwd, ...(typeof flags.config === 'string' ? { config: flags.config } : {}) });
  for (const [task] of calls) if (!registry[task]) throw new UsageError(`runAll(): unknown task "${task}"`);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(label)) throw new UsageError(`runAll(): the label must be a name like nightly (got "${label}")`);
  const passOn = (['cluster', 'config'] as const).flatMap((k) => (typeof flags[k] === 'string' ? [`--${k}`, flags[k] as string] : []));
  const entry: TaskEntry = {
    summary: `${calls.map(([t]) => t).join(', then ')}`,
    example: '', flags: {}, cluster: true,
    destructive: calls.some(([t]) => registry[t]!.destructive !== false),
    load: async () => ({
      default: () => ({
        async plan(ctx) {
          const records: string[] = [];
          ctx.data.records = records;
          return calls.map(([task, f = {}]) => {
            const durations = new Set(Object.entries(registry[task]!.flags).filter(([, d]) => d.type === 'duration').map(([k]) => k));
            const argv = [...passOn, ...flagArgv(f as RunFlags, durations), ...(ctx.yes ? ['--yes'] : []), ...(ctx.dryRun ? ['--dry-run'] : [])];
            return {
              title: `${task} ${flagArgv(f as RunFlags, durations).join(' ')}`.trim(),
              mutating: registry[task]!.destructive !== false,
              async run(rt) {
                const r = await ctx.runTask(task, argv);
                if (r.recordPath) records.push(r.recordPath);
                rt.output(`${r.result} (exit ${r.exitCode})`);
                if (r.exitCode !== 0) throw new StepFailure(`${task} ended with exit ${r.exitCode}: ${r.error?.message ?? r.result}`, r.error?.remedy);
              },
            };
          });
        },
      }),
    }),
  };
  const base = processIO(env);
  const io = { ...base, ...(o.stdout ? { stdout: o.stdout } : {}), ...(o.stderr ? { stderr: o.stderr } : {}) };
  let result: (RunRecord & { recordPath?: string }) | undefined;
  const durations = new Set<string>();
  await runTask({
    name: `script:${label}`, entry, argv: flagArgv(Object.fromEntries(Object.entries(flags).filter(([k]) => ['cluster', 'config', 'yes', 'dry-run', 'json', 'verbose'].includes(k))), durations),
    io, env, cwd, ...(o.interrupt ? { interrupt: o.interrupt } : {}),
    onRecord: (record, path) => { result = { ...record, ...(path ? { recordPath: path } : {}) }; },
  });
  return result!;
}
