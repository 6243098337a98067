// lab:status — is a background lab running, where, and which environment points at it. Exit 1 when none runs.
import type { TaskContext, TaskImpl } from '../../lib/engine/types.ts';
import { StepFailure } from '../../lib/engine/types.ts';
import { alive, exportLines, readLabState } from './_state.ts';
import { defineTask } from '../../lib/engine/define.ts';

function labStatus(): TaskImpl {
  return {
    async plan(ctx: TaskContext) {
      return [{
        title: 'look for a running lab',
        mutating: false,
        async run() {
          const state = await readLabState(ctx.stateDir);
          if (!state) throw new StepFailure('no lab is running', 'npx tsx tasks lab:up');
          if (!alive(state.pid)) throw new StepFailure(`the lab daemon (pid ${state.pid}) is gone but its files remain`, 'npx tsx tasks lab:down && npx tsx tasks lab:up');
          ctx.data.lab = state;
          ctx.out(`lab running at ${state.url} (pid ${state.pid}, files in ${state.dir})\n${exportLines(state)}`);
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'show whether a background lab is running, where, and its environment',
  example: 'npx tsx tasks lab:status',
  flags: {},
  destructive: false,
  cluster: false,
  impl: labStatus,
});
