// Finding an earlier run's record for tasks that act on it (media:fix --undo RUN): a path, or a record's file name
// under .rackhand/runs/ with or without .json, or a unique prefix of one.
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { UsageError } from './engine/types.ts';
import type { RunRecord } from './report.ts';

export async function loadRunRecord(stateDir: string, ref: string, cwd: string): Promise<{ path: string; record: RunRecord }> {
  const dir = join(stateDir, 'runs');
  const candidates = ref.includes('/') ? [ref.startsWith('/') ? ref : join(cwd, ref)]
    : (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.json') && (f === ref || f === `${ref}.json` || f.startsWith(ref))).map((f) => join(dir, f));
  if (candidates.length !== 1) throw new UsageError(`--undo ${ref}: ${candidates.length ? `${candidates.length} run records match (${candidates.slice(0, 3).map((c) => basename(c)).join(', ')}...)` : `no run record matches in ${dir}`}: expected a record path or its file name`);
  const path = candidates[0]!;
  try {
    return { path, record: JSON.parse(await readFile(path, 'utf8')) as RunRecord };
  } catch (err) {
    throw new UsageError(`--undo ${ref}: ${path} is not a readable run record (${(err as Error).message})`);
  }
}
