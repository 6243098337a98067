// lab:down — stops the background lab and removes its files. Nothing running is "nothing to do".
import { rm } from 'node:fs/promises';
import type { TaskContext, TaskImpl } from '../../lib/engine/types.ts';
import { waitUntil } from '../../lib/wait.ts';
import { alive, labDir, readLabState, unsetLines } from './_state.ts';
import { defineTask } from '../../lib/engine/define.ts';

function labDown(): TaskImpl {
  return {
    async plan(ctx: TaskContext) {
      const state = await readLabState(ctx.stateDir);
      return [{
        title: 'stop the lab',
        async isDone() {
          if (state) return false;
          return 'no lab is running';
        },
        async run(rt) {
          if (!state) return;
          if (ctx.dryRun) { rt.output(`[dry-run] would stop pid ${state.pid} and remove ${labDir(ctx.stateDir)}`); return; }
          if (alive(state.pid)) {
            process.kill(state.pid, 'SIGTERM');
            await waitUntil({
              what: `lab daemon pid ${state.pid} to exit`, timeoutMs: 10_000, signal: ctx.signal,
              probe: async () => (alive(state.pid) ? { done: false, seen: 'still running' } : { done: true, value: undefined }),
            }).catch(() => process.kill(state.pid, 'SIGKILL'));
          }
          await rm(labDir(ctx.stateDir), { recursive: true, force: true });
          rt.output(`lab at ${state.url} stopped`);
          // for `eval "$(npx tsx tasks lab:down)"`: the shell stops pointing at the dead lab
          ctx.out(unsetLines(state, ctx.env));
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'stop the background lab started by lab:up and remove its files',
  example: 'npx tsx tasks lab:down',
  flags: {},
  destructive: false,
  cluster: false,
  impl: labDown,
});
