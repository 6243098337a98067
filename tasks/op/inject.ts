// op:inject — renders a template's {{ op://vault/item/field }} placeholders (op inject's syntax) with 1Password's
// values, resolved once each, to stdout or to a file created 0600 (written whole: a temp file renamed into place).
// Every placeholder must resolve or nothing is written, and the missing ones are named. Values never reach the log or
// the run record. Better than `op inject -i x -o y`: an existing file is not replaced without --force, and a file is
// never left half-written or readable by others.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../lib/atomic-write.ts';
import { resolve } from 'node:path';
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, UsageError, type TaskContext } from '../../lib/engine/types.ts';
import { inject, placeholders } from '../../lib/secrets/references.ts';
import { SecretReferenceError, secretSource } from '../../lib/secrets/onepassword.ts';

function injectTask() {
  return {
    validate(ctx: TaskContext) {
      const inFile = resolve(ctx.cwd, ctx.flags.in as string);
      if (!existsSync(inFile)) throw new UsageError(`--in: no file ${inFile}`);
      if (ctx.flags.out && existsSync(resolve(ctx.cwd, ctx.flags.out as string)) && !ctx.flags.force) throw new UsageError(`--out: ${resolve(ctx.cwd, ctx.flags.out as string)} exists (--force replaces it)`);
    },
    async plan(ctx: TaskContext) {
      const inFile = resolve(ctx.cwd, ctx.flags.in as string);
      const out = ctx.flags.out ? resolve(ctx.cwd, ctx.flags.out as string) : undefined;
      return [{
        title: `render ${inFile} with 1Password's values${out ? ` into ${out} (0600)` : ' to stdout'}`,
        mutating: out !== undefined,
        async run(rt: { output(t: string): void }) {
          const template = await readFile(inFile, 'utf8');
          const refs = placeholders(template);
          ctx.data.references = refs;
          let values: Map<string, string>;
          try {
            values = refs.length ? await secretSource(ctx.exec, ctx.env).resolve(refs) : new Map();
          } catch (err) {
            if (err instanceof SecretReferenceError) throw new StepFailure(`${err.failures.length} placeholder(s) do not resolve: ${err.failures.map((f) => `${f.reference} (${f.reason})`).join('; ')}; nothing written`, 'npx tsx tasks op:check');
            throw err;
          }
          const text = inject(template, values);
          if (!out) { ctx.out(text.endsWith('\n') ? text : `${text}\n`); return; }
          if (ctx.dryRun) { rt.output(`[dry-run] would write ${out} (0600, ${refs.length} value(s))`); return; }
          await writeFileAtomic(out, text, 0o600);
          ctx.artifact('rendered', `${out} (0600)`);
          rt.output(`wrote ${out} (0600, ${refs.length} value(s))`);
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'render a template\'s {{ op://... }} placeholders to stdout or a 0600 file (all resolve or nothing is written)',
  example: 'npx tsx tasks op:inject --in bootstrap/secrets.env.tpl --out .env',
  flags: {
    in: { type: 'string', required: true, description: 'the template' },
    out: { type: 'string', description: 'the file to write (0600); default stdout' },
    force: { type: 'boolean', description: 'replace an existing --out file' },
  },
  destructive: false,
  cluster: false,
  impl: injectTask,
});
