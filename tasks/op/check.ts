// op:check — before a bootstrap or a drill needs them: the 1Password session or service account works, and every
// op:// reference in rackhand.yaml and the cluster's bootstrap templates resolves. Each missing one is listed with its
// file and line and 1Password's reason; no value is printed or recorded (resolved values go to the redactor only).
// Exit 1 when any does not resolve. Read-only.
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, type TaskContext } from '../../lib/engine/types.ts';
import { referencesIn, templateFiles, type FoundReference } from '../../lib/secrets/references.ts';
import { SecretReferenceError, secretSource } from '../../lib/secrets/onepassword.ts';
import { table } from '../../lib/table.ts';

function check() {
  return {
    async plan(ctx: TaskContext) {
      return [{
        title: 'resolve every op:// reference of rackhand.yaml and the bootstrap templates',
        mutating: false,
        async run() {
          const found: FoundReference[] = [...referencesIn(ctx.cluster.source), ...(ctx.cluster.bootstrap ? templateFiles(ctx.cluster.bootstrap).flatMap(referencesIn) : [])];
          const refs = [...new Set(found.map((f) => f.reference))];
          if (!refs.length) { ctx.out('no op:// reference found\n'); return; }
          const failed = new Map<string, string>();
          try {
            await secretSource(ctx.exec, ctx.env).resolve(refs);
          } catch (err) {
            if (!(err instanceof SecretReferenceError)) throw err;
            for (const f of err.failures) failed.set(f.reference, f.reason);
          }
          const rel = (p: string) => p.replace(`${ctx.cwd}/`, '');
          ctx.data.references = { total: refs.length, failed: [...failed.keys()] };
          ctx.out(`${table(['REFERENCE', 'WHERE', 'RESULT'], refs.map((r) => [r, found.filter((f) => f.reference === r).map((f) => `${rel(f.file)}:${f.line}`).join(', '), failed.has(r) ? `MISSING: ${failed.get(r)}` : 'ok']))}\n`);
          if (failed.size) throw new StepFailure(`${failed.size} of ${refs.length} op:// reference(s) do not resolve: ${[...failed.keys()].join(', ')}`, 'op whoami; op item get <item> --vault <vault> (create the item or fix the reference)');
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'every op:// reference in rackhand.yaml and the bootstrap templates resolves (missing ones listed); exit 1 otherwise',
  example: 'npx tsx tasks op:check --cluster home',
  flags: {},
  destructive: false,
  cluster: true,
  impl: check,
});
