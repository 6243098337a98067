// media:check's checks over the whole stack: each service's own checks (guarded: one unreachable service does not hide
// the others), then the checks that join two services (download paths, Prowlarr sync, the request app's keys).
import type { TaskContext } from '../engine/types.ts';
import { ok, type Finding } from '../health/findings.ts';
import { arrReachable, downloadClientFindings, healthFindings, indexerFindings, rootFolderFindings, type DownloadClientResource } from './arr-checks.ts';
import { jellyfinFindings, plexFindings, qbitFindings, seerrFindings } from './app-checks.ts';
import { guard } from './guard.ts';
import { pathFindings, rootFolderMountFindings, type QbitPaths } from './paths.ts';
import { prowlarrFindings } from './prowlarr-checks.ts';
import { isArr, type MediaStack } from './stack.ts';

export async function checkStack(ctx: TaskContext, stack: MediaStack): Promise<Finding[]> {
  const out: Finding[] = [];
  const qbit = stack.of('qbittorrent')[0];
  let qpaths: QbitPaths | undefined;
  if (qbit) out.push(...await guard(qbit, 'reachable', async () => { const r = await qbitFindings(stack, qbit); qpaths = r.paths; return r.findings; }));
  const roots = new Map<string, string[]>();
  await Promise.all(stack.services.filter((s) => isArr(s.kind)).map(async (s) => {
    out.push(...await guard(s, 'reachable', async () => {
      const f: Finding[] = [];
      if (!await arrReachable(stack, s, f)) return f;
      let clients: DownloadClientResource[] = [];
      const [health, rf, dc, ix] = await Promise.all([
        healthFindings(stack, s), rootFolderFindings(stack, s).then((r) => { roots.set(s.name, r.folders); return r.findings; }),
        downloadClientFindings(stack, s).then((r) => { clients = r.clients; return r.findings; }), indexerFindings(stack, s),
      ]);
      return [...f, ...health, ...rf, ...await rootFolderMountFindings(ctx, s, roots.get(s.name) ?? []), ...dc, ...ix, ...await pathFindings(ctx, stack, s, clients, qbit, qpaths)];
    }));
  }));
  const rest = await Promise.all([
    ...stack.of('prowlarr').map((p) => guard(p, 'reachable', () => prowlarrFindings(stack, p))),
    ...stack.of('jellyfin').map((j) => guard(j, 'reachable', () => jellyfinFindings(stack, j, roots))),
    ...stack.of('plex').map((p) => guard(p, 'reachable', () => plexFindings(stack, p, roots))),
    ...[...stack.of('jellyseerr'), ...stack.of('overseerr')].map((s) => guard(s, 'reachable', () => seerrFindings(stack, s))),
  ]);
  out.push(...rest.flat());
  if (!stack.services.length) out.push(ok('media', 'services', 'none configured'));
  return out;
}
