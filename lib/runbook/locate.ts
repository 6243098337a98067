// Where runbooks are: rackhand.yaml's `runbooks:` folder (relative to the file), else ./runbooks, then rackhand's
// own runbooks/ (examples); a name found twice is the operator's.
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { configPath } from '../config/path.ts';
import { UsageError, type TaskContext } from '../engine/types.ts';

export const BUILTIN_RUNBOOKS = fileURLToPath(new URL('../../runbooks/', import.meta.url));

export function runbookDirs(ctx: Pick<TaskContext, 'env' | 'cwd' | 'flags'>): string[] {
  const file = configPath(ctx.flags.config as string | undefined, ctx.env, ctx.cwd);
  let dir = join(ctx.cwd, 'runbooks');
  if (existsSync(file)) {
    const listed = (parse(readFileSync(file, 'utf8')) as { runbooks?: unknown } | null)?.runbooks;
    if (listed !== undefined && typeof listed !== 'string') throw new UsageError(`${file} runbooks: expected the runbook folder, e.g. ./runbooks`);
    if (typeof listed === 'string') dir = resolve(file, '..', listed);
  }
  const dirs = [dir, BUILTIN_RUNBOOKS].filter((d) => existsSync(d)).map((d) => realpathSync(d));
  return [...new Set(dirs)];
}

/** every runbook by name (the first folder that has it wins) */
export function runbookFiles(dirs: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of dirs) for (const f of readdirSync(d).filter((x) => x.endsWith('.md') && x !== 'README.md').sort()) if (!out.has(f.slice(0, -3))) out.set(f.slice(0, -3), join(d, f));
  return out;
}
