// volsync:resume-all — unpauses the ReplicationSources volsync:suspend-all paused (marked rackhand.dev/paused-by),
// never one an operator paused by hand, and lists those it leaves paused.
import { defineTask } from '../../lib/engine/define.ts';
import type { Step, TaskContext } from '../../lib/engine/types.ts';
import { PAUSED_BY, pauseSource, sourcesIn } from '../../lib/volsync/pause-all.ts';

function resumeAll() {
  return {
    async plan(ctx: TaskContext): Promise<Step[]> {
      const sources = await sourcesIn(ctx, ctx.flags.namespace as string | undefined);
      const ours = sources.filter((rs) => rs.spec?.paused && rs.metadata.annotations?.[PAUSED_BY]);
      const theirs = sources.filter((rs) => rs.spec?.paused && !rs.metadata.annotations?.[PAUSED_BY]);
      ctx.data.leftPaused = theirs.map((rs) => `${rs.metadata.namespace}/${rs.metadata.name}`);
      if (theirs.length) ctx.log.info(`left paused (not paused by rackhand): ${(ctx.data.leftPaused as string[]).join(', ')}`);
      if (!ours.length) { ctx.log.info('no ReplicationSource paused by rackhand'); return []; }
      return ours.map((rs) => ({
        title: `unpause ReplicationSource ${rs.metadata.namespace}/${rs.metadata.name}`,
        async run() { await pauseSource(ctx, rs, false); },
      }));
    },
  };
}

export default defineTask({
  summary: 'unpause the ReplicationSources volsync:suspend-all paused (never one paused by hand)',
  example: 'npx tsx tasks volsync:resume-all --cluster home',
  flags: { namespace: { type: 'string', pattern: /^[a-z0-9][a-z0-9-]*$/, hint: 'a namespace', description: 'only this namespace' } },
  destructive: false,
  cluster: true,
  impl: resumeAll,
});
