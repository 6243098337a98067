// volsync:suspend-all — pauses every ReplicationSource (in --namespace, or everywhere) for maintenance, marking each one
// it pauses (rackhand.dev/paused-by) so volsync:resume-all later unpauses exactly those: a source an operator paused on
// purpose stays paused. Better than a loop of `kubectl patch replicationsource ... paused: true`: what was paused
// before is remembered in the cluster, and the plan shows the sources first.
import { defineTask } from '../../lib/engine/define.ts';
import type { Step, TaskContext } from '../../lib/engine/types.ts';
import { PAUSED_BY, pauseSource, sourcesIn } from '../../lib/volsync/pause-all.ts';

function suspendAll() {
  return {
    async plan(ctx: TaskContext): Promise<Step[]> {
      const sources = await sourcesIn(ctx, ctx.flags.namespace as string | undefined);
      if (!sources.length) { ctx.log.info('no ReplicationSource'); return []; }
      return sources.map((rs) => ({
        title: `pause ReplicationSource ${rs.metadata.namespace}/${rs.metadata.name}`,
        async isDone() {
          if (!rs.spec?.paused) return false;
          return rs.metadata.annotations?.[PAUSED_BY] ? 'paused by rackhand already (an earlier run)' : 'paused by someone else: left as it is, not marked';
        },
        async run() { await pauseSource(ctx, rs, true); },
      }));
    },
    changes: () => ['no backup runs for the listed sources until volsync:resume-all'],
  };
}

export default defineTask({
  summary: 'pause every ReplicationSource (marked, so volsync:resume-all unpauses only those); an operator\'s pause stays',
  example: 'npx tsx tasks volsync:suspend-all --cluster home',
  flags: { namespace: { type: 'string', pattern: /^[a-z0-9][a-z0-9-]*$/, hint: 'a namespace', description: 'only this namespace' } },
  destructive: true,
  cluster: true,
  impl: suspendAll,
});
