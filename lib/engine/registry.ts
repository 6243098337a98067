// The registry a CLI run uses: rackhand's own tasks, then the operator's folders (rackhand.yaml `tasks:`,
// RACKHAND_TASKS), discovered and cached by lib/engine/discover.ts.
import { configPath } from '../config/path.ts';
import { BUILTIN_ROOT, cacheDir, discoverRegistry, operatorRoots } from './discover.ts';
import type { TaskEntry } from './types.ts';

export async function loadRegistry(o: { env: Record<string, string | undefined>; cwd: string; config?: string }): Promise<Record<string, TaskEntry>> {
  const file = configPath(o.config, o.env, o.cwd);
  return discoverRegistry([BUILTIN_ROOT, ...await operatorRoots(file, o.env, o.cwd)], cacheDir(o.env));
}
