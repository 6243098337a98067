// media:check --e2e: one request walked through every hop without downloading anything: the request app's search
// (Jellyseerr /api/v1/search), each *arr's lookup (/series/lookup, /movie/lookup, /artist/lookup: metadata only, nothing
// added), Prowlarr's search across its indexers (/api/v1/search: results listed, nothing grabbed), the download client's
// transfer state, and the media server's libraries. Each hop is timed; the first that does not answer is named.
import { fail, ok, type Finding } from '../health/findings.ts';
import { guard } from './guard.ts';
import { isArr, title, type MediaStack, type Service } from './stack.ts';

const LOOKUP: Record<string, string> = { sonarr: '/series/lookup', radarr: '/movie/lookup', lidarr: '/artist/lookup' };

async function hop(s: Service, name: string, f: () => Promise<string>): Promise<Finding[]> {
  const started = performance.now();
  return guard(s, `e2e ${name}`, async () => {
    const detail = await f();
    return [ok('e2e', name, `${detail} (${Math.round(performance.now() - started)} ms)`)];
  }).then((r) => r.map((x) => (x.status === 'fail' ? fail('e2e', name, `${s.name}: ${x.message}`) : x)));
}

const count = (n: number, what: string) => { if (!n) throw new Error(`answered, but no ${what}`); return `${n} ${what}`; };

export async function e2eFindings(stack: MediaStack, term: string): Promise<Finding[]> {
  const out: Finding[] = [];
  const enc = encodeURIComponent(term);
  for (const s of [...stack.of('jellyseerr'), ...stack.of('overseerr')]) {
    out.push(...await hop(s, `${s.name} search`, async () => count(((await stack.call(s, 'GET', `/api/v1/search?query=${enc}&page=1`)).body?.results ?? []).length, `result(s) for "${term}"`)));
  }
  for (const s of stack.services.filter((x) => isArr(x.kind))) {
    out.push(...await hop(s, `${s.name} lookup`, async () => count(((await stack.api(s, 'GET', `${LOOKUP[s.kind]}?term=${enc}`)).body ?? []).length, `${title(s.kind)} match(es)`)));
  }
  for (const s of stack.of('prowlarr')) {
    out.push(...await hop(s, `${s.name} search`, async () => count(((await stack.api(s, 'GET', `/search?query=${enc}&type=search&limit=10`)).body ?? []).length, 'release(s) from the indexers')));
  }
  for (const s of stack.of('qbittorrent')) {
    out.push(...await hop(s, `${s.name} transfer`, async () => {
      const cs = (await stack.call(s, 'GET', '/api/v2/transfer/info')).body?.connection_status;
      if (cs !== 'connected' && cs !== 'firewalled') throw new Error(`connection_status ${cs ?? '?'}`);
      return `connection ${cs}`;
    }));
  }
  for (const s of stack.of('jellyfin')) out.push(...await hop(s, `${s.name} libraries`, async () => count(((await stack.call(s, 'GET', '/Library/VirtualFolders')).body ?? []).length, 'librar(y/ies)')));
  for (const s of stack.of('plex')) out.push(...await hop(s, `${s.name} libraries`, async () => count(((await stack.call(s, 'GET', '/library/sections')).body?.MediaContainer?.Directory ?? []).length, 'section(s)')));
  return out;
}
