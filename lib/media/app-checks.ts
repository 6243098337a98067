// The download client, the media servers and the request app. qBittorrent (WebUI API v2): login, version, preferences
// (save_path) and categories, transfer/info connection_status (connected|firewalled|disconnected). Jellyfin:
// /System/Info/Public unauthenticated, /System/Info with the key, /Library/VirtualFolders (Name, Locations) as the
// library scan's reach. Plex: /identity, /library/sections (MediaContainer.Directory[].Location[].path). Jellyseerr /
// Overseerr: /api/v1/status, /settings/jellyfin (serverId set once connected; apiKey), /settings/sonarr|radarr (each
// entry's apiKey in plain text) and POST /settings/<kind>/test (200, or 500 "Failed to connect to ...").
import { fail, ok, warn, type Finding } from '../health/findings.ts';
import { httpProblem } from './guard.ts';
import { reaches } from './prowlarr-checks.ts';
import type { QbitPaths } from './paths.ts';
import { isArr, title, type MediaStack, type Service } from './stack.ts';

export async function qbitFindings(stack: MediaStack, q: Service): Promise<{ findings: Finding[]; paths?: QbitPaths }> {
  const out: Finding[] = [];
  const v = await stack.call(q, 'GET', '/api/v2/app/version');
  if (v.status !== 200) return { findings: [fail(q.name, v.status === 403 ? 'login' : 'reachable', v.status === 403 ? `${q.endpoint.where} answered 403 Forbidden: expected username and password (or the WebUI's subnet whitelist to include rackhand)` : httpProblem(q, v.status, '/api/v2/app/version'))] };
  const prefs = (await stack.call(q, 'GET', '/api/v2/app/preferences')).body as { save_path: string; current_network_interface?: string } | undefined;
  const categories = ((await stack.call(q, 'GET', '/api/v2/torrents/categories')).body ?? {}) as QbitPaths['categories'];
  out.push(ok(q.name, 'reachable', `qBittorrent ${v.text.trim()} at ${q.endpoint.where}, saves to ${prefs?.save_path ?? '?'}${Object.keys(categories).length ? ` (categories ${Object.values(categories).map((c) => `${c.name}: ${c.savePath || '(default)'}`).join(', ')})` : ''}`));
  const info = (await stack.call(q, 'GET', '/api/v2/transfer/info')).body as { connection_status?: string } | undefined;
  const cs = info?.connection_status ?? '?';
  out.push(cs === 'connected' ? ok(q.name, 'connection', 'connected') : cs === 'firewalled' ? warn(q.name, 'connection', 'firewalled: incoming connections do not reach it (port forwarding)') : fail(q.name, 'connection', `${cs}: qBittorrent reaches no peer`));
  return { findings: out, ...(prefs ? { paths: { savePath: prefs.save_path, categories } } : {}) };
}

/** Library folders every *arr root folder should fall under, so imports show up on the media server. */
function coverage(server: Service, locations: string[], roots: Map<string, string[]>): Finding[] {
  const out: Finding[] = [];
  for (const [arr, folders] of roots) for (const f of folders) {
    if (!locations.some((l) => f === l || f.startsWith(`${l.replace(/\/$/, '')}/`) || l.startsWith(`${f.replace(/\/$/, '')}/`))) out.push(warn(server.name, 'libraries', `${arr}'s root folder ${f} is in no ${title(server.kind)} library: its imports will not show up`));
  }
  return out;
}

export async function jellyfinFindings(stack: MediaStack, j: Service, roots: Map<string, string[]>): Promise<Finding[]> {
  const pub = await stack.call(j, 'GET', '/System/Info/Public', { auth: false });
  if (pub.status !== 200) return [fail(j.name, 'reachable', httpProblem(j, pub.status, '/System/Info/Public'))];
  const info = await stack.call(j, 'GET', '/System/Info');
  if (info.status !== 200) return [fail(j.name, 'api key', httpProblem(j, info.status, '/System/Info'))];
  const out = [ok(j.name, 'reachable', `Jellyfin ${pub.body?.Version ?? '?'} "${pub.body?.ServerName ?? ''}" at ${j.endpoint.where}, key from ${j.key?.source}`)];
  const libs = ((await stack.call(j, 'GET', '/Library/VirtualFolders')).body ?? []) as { Name: string; Locations: string[] }[];
  out.push(libs.length ? ok(j.name, 'libraries', `library scan reachable: ${libs.map((l) => `${l.Name} (${l.Locations.join(', ') || 'no folder'})`).join(', ')}`) : fail(j.name, 'libraries', 'no library: expected one per *arr root folder'));
  return [...out, ...coverage(j, libs.flatMap((l) => l.Locations), roots)];
}

export async function plexFindings(stack: MediaStack, p: Service, roots: Map<string, string[]>): Promise<Finding[]> {
  const id = await stack.call(p, 'GET', '/identity', { auth: false });
  if (id.status !== 200) return [fail(p.name, 'reachable', httpProblem(p, id.status, '/identity'))];
  const s = await stack.call(p, 'GET', '/library/sections');
  if (s.status !== 200) return [fail(p.name, 'api key', httpProblem(p, s.status, '/library/sections'))];
  const dirs = (s.body?.MediaContainer?.Directory ?? []) as { title: string; Location?: { path: string }[] }[];
  const out = [ok(p.name, 'reachable', `Plex ${id.body?.MediaContainer?.version ?? '?'} at ${p.endpoint.where}, token from ${p.key?.source}`)];
  out.push(dirs.length ? ok(p.name, 'libraries', `library scan reachable: ${dirs.map((d) => `${d.title} (${(d.Location ?? []).map((l) => l.path).join(', ')})`).join(', ')}`) : fail(p.name, 'libraries', 'no library section'));
  return [...out, ...coverage(p, dirs.flatMap((d) => (d.Location ?? []).map((l) => l.path)), roots)];
}

interface SeerrArr { id: number; name: string; hostname: string; port: number; apiKey: string; useSsl: boolean; baseUrl?: string }

export async function seerrFindings(stack: MediaStack, s: Service): Promise<Finding[]> {
  const st = await stack.call(s, 'GET', '/api/v1/status', { auth: false });
  if (st.status !== 200) return [fail(s.name, 'reachable', httpProblem(s, st.status, '/api/v1/status'))];
  const out: Finding[] = [ok(s.name, 'reachable', `${title(s.kind)} ${st.body?.version ?? '?'} at ${s.endpoint.where}`)];
  const jf = stack.of('jellyfin')[0];
  if (jf) {
    const r = await stack.call(s, 'GET', '/api/v1/settings/jellyfin');
    if (r.status !== 200) return [...out, fail(s.name, 'api key', httpProblem(s, r.status, '/api/v1/settings/jellyfin'))];
    if (!r.body?.serverId) out.push(fail(s.name, 'media server', `not connected to Jellyfin (${r.body?.ip ?? '?'}:${r.body?.port ?? '?'}): no serverId`));
    else if (jf.key?.value && r.body.apiKey !== jf.key.value) out.push(fail(s.name, 'media server', `its Jellyfin API key is stale: it differs from ${jf.name}'s key (${jf.key.source})`));
    else out.push(ok(s.name, 'media server', `connected to Jellyfin at ${r.body.ip}:${r.body.port}`));
  }
  for (const kind of ['sonarr', 'radarr'] as const) {
    const arrs = stack.services.filter((x) => x.kind === kind && isArr(x.kind));
    if (!arrs.length) continue;
    const r = await stack.call(s, 'GET', `/api/v1/settings/${kind}`);
    if (r.status !== 200) { out.push(fail(s.name, 'api key', httpProblem(s, r.status, `/api/v1/settings/${kind}`))); continue; }
    const entries = (r.body ?? []) as SeerrArr[];
    for (const arr of arrs) {
      const e = entries.find((x) => reaches(`${x.useSsl ? 'https' : 'http'}://${x.hostname}:${x.port}`, arr));
      if (!e) { out.push(fail(s.name, kind, `no ${title(kind)} server that reaches ${arr.name} (${arr.endpoint.where}): expected one in Settings > Services`)); continue; }
      if (arr.key?.value && e.apiKey !== arr.key.value) { out.push(fail(s.name, kind, `server "${e.name}" has a stale API key: it differs from ${arr.name}'s key (${arr.key.source})`)); continue; }
      const t = await stack.call(s, 'POST', `/api/v1/settings/${kind}/test`, { json: { hostname: e.hostname, port: e.port, apiKey: e.apiKey, useSsl: e.useSsl, baseUrl: e.baseUrl ?? '' } });
      out.push(t.status === 200 ? ok(s.name, kind, `server "${e.name}" (${e.hostname}:${e.port}) test passed`) : fail(s.name, kind, `server "${e.name}" (${e.hostname}:${e.port}) test failed: ${t.body?.message ?? `HTTP ${t.status}`}`));
    }
  }
  return out;
}
