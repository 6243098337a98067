// runbook:check [NAME] — every step of the runbook (or of all of them) names a task that exists, with flags it
// accepts and a cluster rackhand.yaml knows. Exit 2 naming file:line for each problem.
import { existsSync } from 'node:fs';
import { clusterNames, configPath } from '../../lib/config.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { loadRegistry } from '../../lib/engine/registry.ts';
import { StepFailure, UsageError } from '../../lib/engine/types.ts';
import { checkRunbook } from '../../lib/runbook/check.ts';
import { runbookDirs, runbookFiles } from '../../lib/runbook/locate.ts';
import { parseRunbook } from '../../lib/runbook/parse.ts';

export default defineTask({
  summary: 'check runbooks: every step a real task with valid flags and a known cluster (exit 2 naming the line)',
  example: 'npx tsx tasks runbook:check talos-rolling-upgrade',
  flags: { runbook: { type: 'string', description: 'the runbook to check (default: all of them)', positional: true } },
  destructive: false,
  cluster: false,
  impl: () => ({
    async plan(ctx) {
      return [{
        title: 'check the runbooks',
        mutating: false,
        async run() {
          const files = runbookFiles(runbookDirs(ctx));
          const name = ctx.flags.runbook as string | undefined;
          if (name && !files.has(name)) throw new UsageError(`runbook ${name}: not found (have ${[...files.keys()].join(', ')})`);
          const registry = await loadRegistry({ env: ctx.env, cwd: ctx.cwd, ...(typeof ctx.flags.config === 'string' ? { config: ctx.flags.config } : {}) });
          const config = configPath(ctx.flags.config as string | undefined, ctx.env, ctx.cwd);
          const clusters = existsSync(config) ? await clusterNames(config).catch(() => undefined) : undefined;
          const problems: string[] = [];
          let steps = 0;
          for (const [n, file] of files) {
            if (name && n !== name) continue;
            const rb = parseRunbook(file);
            steps += rb.steps.length;
            for (const p of checkRunbook(rb, registry, clusters)) problems.push(`${file}:${p.line}: ${p.message}`);
          }
          ctx.data.problems = problems;
          if (problems.length) {
            ctx.out(problems.join('\n'));
            throw new StepFailure(`${problems.length} problem(s) in the runbooks (file:line above)`, 'fix each step, then npx tsx tasks runbook:check', 2);
          }
          ctx.out(`${name ?? `${files.size} runbooks`}: ${steps} steps, all valid`);
        },
      }];
    },
  }),
});
