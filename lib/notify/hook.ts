// The engine's side of --notify-on: the notify: targets read from rackhand.yaml before anything runs (none there is
// bad input: exit 2), the delivery after the run. Loaded only when the flag is given (start-up path stays light).
import { configPath } from '../config/path.ts';
import { configSchema } from '../config/schema.ts';
import { parseYamlFile } from '../config/yaml-errors.ts';
import type { NotifyTarget } from '../config/notify.ts';
import { UsageError } from '../engine/types.ts';

export async function notifyTargets(configFlag: string | undefined, env: Record<string, string | undefined>, cwd: string): Promise<NotifyTarget[]> {
  const path = configPath(configFlag, env, cwd);
  const raw = await parseYamlFile(path, configSchema);
  if (!raw.notify?.length) throw new UsageError(`--notify-on: ${path} has no notify: targets: expected a notify: list of {type: ntfy|webhook|discord|slack|alertmanager, url}`);
  return raw.notify;
}

export { notifyRun } from './send.ts';
