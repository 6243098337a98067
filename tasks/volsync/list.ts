// volsync:list — the snapshots of an app, read straight from its restic repository (not from VolSync's status):
// time, id, size, newest first. Read-only (restic --no-lock).
import type { TaskImpl } from '../../lib/engine/types.ts';
import { appProbe, resticRepository } from '../../lib/volsync/checks.ts';
import { kopiaRefusal } from '../../lib/volsync/app.ts';
import { table } from '../../lib/table.ts';
import { toolPresent } from '../../lib/checks/tools.ts';
import { formatBytes } from '../../lib/patterns.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { APP, NAMESPACE } from '../../lib/engine/flag-kit.ts';

function list(): TaskImpl {
  let probe: ReturnType<typeof appProbe>;
  return {
    validate(ctx) { probe = appProbe(ctx, String(ctx.flags.app), ctx.flags.namespace as string | undefined); },
    // restic runs on this machine: refuse cleanly (exit 3, how to install it) rather than fail halfway; a kopia
    // repository is refused with what to run instead
    preflight: (ctx) => [toolPresent('restic', ['version']), resticRepository(ctx, String(ctx.flags.app), ctx.flags.namespace as string | undefined)],
    async plan(ctx) {
      return [{
        title: `list the snapshots of ${String(ctx.flags.app)}`,
        mutating: false,
        async run() {
          const { app, restic, snapshots } = await probe();
          if (!restic) throw kopiaRefusal(app);
          const newest = [...snapshots].sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
          // summary{} exists only from restic 0.17; older versions need `stats` per snapshot.
          const rows = await Promise.all(newest.map(async (s) => ({
            time: s.time, id: s.short_id, host: s.hostname,
            bytes: s.summary?.total_bytes_processed ?? (await restic.stats(s.id)).total_size,
          })));
          ctx.data.app = `${app.namespace}/${app.name}`;
          ctx.data.snapshots = rows;
          ctx.out(rows.length === 0 ? `${app.namespace}/${app.name}: no snapshots in the repository`
            : table(['TIME', 'ID', 'HOST', 'SIZE'], rows.map((r) => [r.time, r.id, r.host, formatBytes(r.bytes)])));
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'the snapshots of an app, read straight from its restic repository: time, id, size',
  example: 'npx tsx tasks volsync:list --cluster lab --app paperless',
  flags: { app: { ...APP, required: true }, namespace: NAMESPACE },
  destructive: false,
  cluster: true,
  impl: list,
});
