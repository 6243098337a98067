// The SOPS age key kept only in 1Password (clusters.<name>.sopsAgeKey: op://...): resolved for one run, registered
// with the redactor, and handed to a child through SOPS_AGE_KEY in its environment only -- never argv, never a file
// (getsops/sops age/keysource.go reads SOPS_AGE_KEY; talhelper decrypts with the sops libraries, so it reads it too).
import type { ClusterConfig } from '../config.ts';
import type { Executor } from '../exec.ts';
import { StepFailure } from '../engine/types.ts';
import { secretSource } from './onepassword.ts';

/** {SOPS_AGE_KEY} from 1Password, or {} when rackhand.yaml names no key (sops then finds its own: SOPS_AGE_KEY_FILE,
 *  ~/.config/sops/age/keys.txt). */
export async function ageKeyEnv(exec: Executor, env: Record<string, string | undefined>, cluster: ClusterConfig): Promise<Record<string, string>> {
  if (!cluster.sopsAgeKey) return {};
  return ageKeyEnvFor(exec, env, cluster.sopsAgeKey).catch((err: Error) => {
    throw new StepFailure(`the age key ${cluster.sopsAgeKey} (${cluster.source} clusters.${cluster.name}.sopsAgeKey) did not resolve: ${err.message}`, 'npx tsx tasks op:check');
  });
}

/** {SOPS_AGE_KEY} for one op:// reference; the key and each of its lines registered with the redactor. */
export async function ageKeyEnvFor(exec: Executor, env: Record<string, string | undefined>, ref: string): Promise<{ SOPS_AGE_KEY: string }> {
  const key = (await secretSource(exec, env).resolve([ref])).get(ref)!;
  exec.registerSecret(key);
  for (const line of key.split('\n')) if (line.trim()) exec.registerSecret(line.trim());
  return { SOPS_AGE_KEY: key };
}
