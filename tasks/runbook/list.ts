// runbook:list — the runbooks rackhand can run: name, title, steps (task calls and manual checks), file.
import { defineTask } from '../../lib/engine/define.ts';
import { parseRunbook } from '../../lib/runbook/parse.ts';
import { runbookDirs, runbookFiles } from '../../lib/runbook/locate.ts';
import { table } from '../../lib/table.ts';

export default defineTask({
  summary: 'the runbooks: name, title, how many task and manual steps, where',
  example: 'npx tsx tasks runbook:list',
  flags: {},
  destructive: false,
  cluster: false,
  impl: () => ({
    async plan(ctx) {
      return [{
        title: 'read the runbooks',
        mutating: false,
        async run() {
          const rows = [...runbookFiles(runbookDirs(ctx))].map(([name, file]) => {
            const rb = parseRunbook(file);
            return { name, title: rb.title, tasks: rb.steps.filter((s) => s.kind === 'task').length, manual: rb.steps.filter((s) => s.kind === 'manual').length, file };
          });
          ctx.data.runbooks = rows;
          ctx.out(table(['NAME', 'TITLE', 'TASKS', 'MANUAL', 'FILE'], rows.map((r) => [r.name, r.title, String(r.tasks), String(r.manual), r.file])));
        },
      }];
    },
  }),
});
