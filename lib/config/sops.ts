// SOPS-encrypted values files (talhelper's talenv.sops.yaml) decrypted in memory with the real sops CLI:
// `sops --decrypt --input-type yaml --output-type yaml FILE` prints the plaintext on stdout and writes nothing
// (getsops/sops cmd/sops/main.go). The age key comes from 1Password when rackhand.yaml names it (clusters.<name>.
// sopsAgeKey: op://...), handed to sops as SOPS_AGE_KEY in its environment (never argv, never a file; getsops/sops
// age/keysource.go reads SOPS_AGE_KEY); otherwise sops finds its key as it always does (SOPS_AGE_KEY_FILE,
// ~/.config/sops/age/keys.txt). Exit 128 is sops' "could not retrieve the data key" (cmd/sops/codes).
import { parse } from 'yaml';
import type { Executor } from '../exec.ts';
import { ageKeyEnvFor } from '../secrets/age-key.ts';
import { ConfigError } from './yaml-errors.ts';

export type Decrypt = (file: string, ageKeyRef?: string) => Promise<Record<string, unknown>>;

// values under these names are secrets: hidden from every output (a version or an address is not)
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PRIVATE|KEY$/i;

export function sopsDecryptor(exec: Executor, env: Record<string, string | undefined>): Decrypt {
  return async (file, ageKeyRef) => {
    const extra: Record<string, string> = ageKeyRef ? await ageKeyEnvFor(exec, env, ageKeyRef).catch((err: Error) => {
      throw new ConfigError([`${file}: the age key ${ageKeyRef} (sopsAgeKey) did not resolve: ${err.message}`]);
    }) : {};
    const r = await exec.run(['sops', '--decrypt', '--input-type', 'yaml', '--output-type', 'yaml', file], { mutating: false, timeoutMs: 60_000, env: extra });
    if (r.notFound) throw new ConfigError([`${file}: sops is not installed, and a variable of the talconfig is only in this file (https://github.com/getsops/sops/releases)`]);
    if (r.exitCode !== 0) {
      const why = r.stderr.trim().split('\n')[0] ?? `exit ${r.exitCode}`;
      throw new ConfigError([`${file}: sops --decrypt failed (exit ${r.exitCode}): ${exec.redactor.redact(why)}${r.exitCode === 128 ? ' (set clusters.<name>.sopsAgeKey to the op:// reference of the age key, or SOPS_AGE_KEY_FILE)' : ''}`]);
    }
    let values: Record<string, unknown>;
    try {
      values = (parse(r.stdout) ?? {}) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError([`${file}: sops printed something that is not YAML: ${(err as Error).message.split('\n')[0]}`]);
    }
    for (const [k, v] of Object.entries(values)) if (SECRET_NAME.test(k) && typeof v === 'string' && v) exec.registerSecret(v);
    return values;
  };
}
