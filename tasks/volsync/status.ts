// volsync:status — every ReplicationSource: last sync, duration, mover result, next sync; stale ones (no successful
// sync within --max-age) and failed ones are flagged. Read-only; exit 1 when any is flagged (for cron/alerts).
import { StepFailure, type TaskImpl } from '../../lib/engine/types.ts';
import { formatDuration } from '../../lib/patterns.ts';
import { table } from '../../lib/table.ts';
import { RS, type ReplicationSource } from '../../lib/volsync/types.ts';
import { defineTask } from '../../lib/engine/define.ts';

function status(): TaskImpl {
  return {
    async plan(ctx) {
      return [{
        title: 'read every ReplicationSource',
        mutating: false,
        async run() {
          const maxAge = ctx.flags['max-age'] as number;
          const now = Date.now();
          const rows = (await ctx.kubectl.list<ReplicationSource>(RS, { allNamespaces: true })).map((r) => {
            const last = r.status?.lastSyncTime;
            const result = r.status?.latestMoverStatus?.result ?? '-';
            const stale = !last || now - Date.parse(last) > maxAge;
            const flags = [...(stale ? ['STALE'] : []), ...(result === 'Failed' ? ['FAILED'] : []), ...(r.spec?.paused ? ['paused'] : [])];
            return { namespace: r.metadata.namespace ?? '', name: r.metadata.name, lastSync: last ?? 'never', duration: r.status?.lastSyncDuration ?? '-', result, nextSync: r.status?.nextSyncTime ?? '-', flags };
          });
          ctx.data.sources = rows;
          ctx.out(table(['NAMESPACE', 'NAME', 'LAST SYNC', 'DURATION', 'RESULT', 'NEXT SYNC', 'FLAGS'],
            rows.map((r) => [r.namespace, r.name, r.lastSync, r.duration, r.result, r.nextSync, r.flags.join(',') || '-'])));
          const bad = rows.filter((r) => r.flags.includes('STALE') || r.flags.includes('FAILED'));
          if (bad.length) throw new StepFailure(`${bad.length} ReplicationSource(s) stale (no sync within ${formatDuration(maxAge)}) or failed: ${bad.map((b) => `${b.namespace}/${b.name}`).join(', ')}`, `npx tsx tasks volsync:snapshot --app ${bad[0]!.name} --namespace ${bad[0]!.namespace}`);
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'every ReplicationSource: last sync, duration, result, next sync; stale or failed ones flagged (exit 1)',
  example: 'npx tsx tasks volsync:status --cluster lab --max-age 25h',
  flags: { 'max-age': { type: 'duration', description: 'a source without a sync this recent is stale', default: 25 * 3_600_000 } },
  destructive: false,
  cluster: true,
  impl: status,
});
