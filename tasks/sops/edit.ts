// sops:edit — edits a SOPS-encrypted file in $SOPS_EDITOR / $EDITOR through sops itself (it decrypts to a private
// temp file, runs the editor, re-encrypts with the same data key and recipients), the age key from 1Password in sops'
// environment only. An unchanged file is "nothing changed", not a failure (sops exits 200: getsops/sops cmd/sops/codes
// FileHasNotBeenModified). Better than `SOPS_AGE_KEY_FILE=~/keys.txt sops file`: no key file on disk, ever.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, UsageError, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { ageKeyEnv } from '../../lib/secrets/age-key.ts';

function edit() {
  return {
    validate(ctx: TaskContext) {
      const file = resolve(ctx.cwd, ctx.flags.file as string);
      if (!existsSync(file)) throw new UsageError(`--file: no file at ${file} (sops creates new files with --encrypt; this task edits existing ones)`);
      if (!ctx.interactive && !ctx.env.SOPS_EDITOR && !ctx.env.EDITOR) throw new UsageError('no terminal and no SOPS_EDITOR or EDITOR: nothing to edit with');
    },
    async plan(ctx: TaskContext): Promise<Step[]> {
      const file = resolve(ctx.cwd, ctx.flags.file as string);
      return [{
        title: `edit ${ctx.flags.file as string} with ${ctx.env.SOPS_EDITOR || ctx.env.EDITOR || 'sops\' default editor'}${ctx.cluster.sopsAgeKey ? ' (age key from 1Password)' : ''}`,
        async run(rt) {
          const env = await ageKeyEnv(ctx.exec, ctx.env, ctx.cluster);
          // `sops FILE` edits on every sops version (`sops edit FILE` only from 3.9: getsops/sops CHANGELOG 3.9.0)
          const r = await ctx.passthrough(['sops', file], { mutating: true, timeoutMs: ctx.flags.timeout as number, terminal: true, env });
          ctx.data.changed = r.exitCode === 0 && !r.dryRun;
          if (r.exitCode === 200) { rt.output('the file was not changed'); return; }
          if (r.notFound) throw new StepFailure('sops is not installed', 'https://github.com/getsops/sops/releases');
          if (r.exitCode === 128) throw new StepFailure(`sops could not get the data key of ${file}: no age identity that decrypts it`);
          if (r.exitCode !== 0) throw new StepFailure(`sops ${file} failed (exit ${r.exitCode}; its message is above); the file is as it was`);
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'edit a SOPS file in your editor through sops, the age key from 1Password in sops\' environment only',
  example: 'npx tsx tasks sops:edit --cluster home --file kubernetes/apps/media/sonarr/secret.sops.yaml',
  flags: {
    file: { type: 'string', required: true, positional: true, description: 'the encrypted file' },
    timeout: { type: 'duration', default: 2 * 3_600_000, description: 'deadline for the editing session' },
  },
  destructive: false,
  cluster: true,
  lock: false,
  identityFrom: 'config',
  impl: edit,
});
