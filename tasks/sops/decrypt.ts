// sops:decrypt — prints a SOPS-encrypted file in the clear on stdout, for a look or a pipe. The age key comes from
// 1Password (clusters.<name>.sopsAgeKey) into sops' environment only (SOPS_AGE_KEY): no keys.txt on the laptop, and
// the plaintext never reaches the run record or the log. Better than `sops -d` with a key file on disk: nothing to
// leak when the laptop is lost, and the same key every operator uses.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, UsageError, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { ageKeyEnv } from '../../lib/secrets/age-key.ts';

function decrypt() {
  return {
    validate(ctx: TaskContext) {
      const file = resolve(ctx.cwd, ctx.flags.file as string);
      if (!existsSync(file)) throw new UsageError(`--file: no file at ${file}`);
    },
    async plan(ctx: TaskContext): Promise<Step[]> {
      const file = resolve(ctx.cwd, ctx.flags.file as string);
      return [{
        title: `decrypt ${ctx.flags.file as string} to stdout${ctx.cluster.sopsAgeKey ? ' (age key from 1Password)' : ''}`,
        mutating: false,
        async run() {
          const env = await ageKeyEnv(ctx.exec, ctx.env, ctx.cluster);
          // the format comes from the file's extension, as sops decides it (getsops/sops cmd/sops/formats)
          const r = await ctx.passthrough(['sops', '--decrypt', file], { mutating: false, timeoutMs: 60_000, env });
          if (r.notFound) throw new StepFailure('sops is not installed', 'https://github.com/getsops/sops/releases');
          // 128: no key could decrypt the data key (getsops/sops cmd/sops/codes CouldNotRetrieveKey)
          if (r.exitCode === 128) throw new StepFailure(`sops could not get the data key of ${file}: no age identity that decrypts it${ctx.cluster.sopsAgeKey ? ` (the key at ${ctx.cluster.sopsAgeKey} is not among its recipients)` : ' (set clusters.<name>.sopsAgeKey to its op:// reference)'}`);
          if (r.exitCode !== 0) throw new StepFailure(`sops --decrypt ${file} failed (exit ${r.exitCode}; its message is above)`);
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'print a SOPS file decrypted, the age key from 1Password in sops\' environment only (never on disk)',
  example: 'npx tsx tasks sops:decrypt --cluster home --file talos/talsecret.sops.yaml',
  flags: { file: { type: 'string', required: true, positional: true, description: 'the encrypted file' } },
  destructive: false,
  cluster: true,
  lock: false,
  identityFrom: 'config',
  impl: decrypt,
});
