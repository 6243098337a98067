// Where rackhand.yaml is: --config, else $RACKHAND_CONFIG, else ./rackhand.yaml. Kept apart from the config loader
// so the start-up path (task discovery for `list`) does not load the YAML and schema libraries.
import { resolve } from 'node:path';

export function configPath(flag: string | undefined, env: Record<string, string | undefined>, cwd: string): string {
  return resolve(cwd, flag ?? env.RACKHAND_CONFIG ?? 'rackhand.yaml');
}
