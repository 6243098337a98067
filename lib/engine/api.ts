// Running tasks from code: `import { run } from 'rackhand'` runs any task (built-in or the operator's) exactly as
// the CLI would -- flags checked, preflight, confirmation (--yes in `flags`, or a terminal), lock, undo, run record --
// and returns its run record. A script composes tasks by calling run() in order and stopping on the first record
// whose exitCode is not 0.
import type { Writable } from 'node:stream';
import type { RunRecord } from '../report.ts';
import { EXIT } from './exit.ts';
import { processIO } from './io.ts';
import { loadRegistry } from './registry.ts';
import { runTask } from './run.ts';
import { suggest } from './suggest.ts';
import { UsageError } from './types.ts';

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

export async function run(task: string, flags: RunFlags = {}, o: RunApiOptions = {}): Promise<RunRecord & { recordPath?: string }> {
  const env = o.env ?? process.env;
  const cwd = o.cwd ?? process.cwd();
  const registry = await loadRegistry({ env, cwd, ...(typeof flags.config === 'string' ? { config: flags.config } : {}) });
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
    name: task, entry, argv: flagArgv(flags, durations), io, env, cwd, ...(o.interrupt ? { interrupt: o.interrupt } : {}),
    onRecord: (record, path) => { result = { ...record, ...(path ? { recordPath: path } : {}) }; },
  });
  return result ?? ({ task, exitCode: code || EXIT.failed } as RunRecord);
}
