// A fake Jellyfin (jellyfin/jellyfin Jellyfin.Api: SystemController /System/Info/Public without auth, /System/Info and
// LibraryStructureController /Library/VirtualFolders with `Authorization: MediaBrowser Token="..."` or the ApiKey
// query parameter, LibraryController POST /Library/Refresh 204), a fake Plex Media Server (/identity without a token;
// /library/sections with X-Plex-Token, JSON when asked with Accept: application/json) and a fake Jellyseerr
// (Fallenbagel/jellyseerr server/routes: /api/v1/status public; X-Api-Key for /settings/jellyfin, /settings/sonarr and
// /settings/radarr whose entries carry the *arr key in plain text; POST /settings/{sonarr,radarr}/test; /search).
import { json, text, type MediaAnswer, type MediaRequest } from './http.js';
import { arrAt, serviceOf } from './reach.js';
import type { MediaWorld, SeerrArr } from './world.js';

const MEDIABROWSER_TOKEN = /MediaBrowser\s.*Token="([^"]+)"/i;

export function jellyfinHandler(w: MediaWorld) {
  return (req: MediaRequest): MediaAnswer => {
    const j = w.jellyfin;
    const info = { LocalAddress: `http://jellyfin.${w.namespace}.svc.cluster.local:8096`, ServerName: j.serverName, Version: j.version, ProductName: 'Jellyfin Server', OperatingSystem: '', Id: 'f4c1d8a0b5e64b8a9c1d2e3f4a5b6c7d', StartupWizardCompleted: true };
    if (req.path === '/System/Info/Public') return json(200, info);
    if (req.path === '/System/Ping') return text(200, '"Jellyfin Server"');
    const token = MEDIABROWSER_TOKEN.exec(String(req.headers.authorization ?? ''))?.[1] ?? req.query.get('ApiKey') ?? req.query.get('api_key');
    if (token !== j.apiKey) return text(401, '');
    switch (`${req.method} ${req.path}`) {
      case 'GET /System/Info': return json(200, { ...info, HasPendingRestart: false, IsShuttingDown: false, SupportsLibraryMonitor: true, CanSelfRestart: true });
      case 'GET /Library/VirtualFolders': return json(200, j.libraries.map((l, i) => ({ ...l, ItemId: `lib${i + 1}`, LibraryOptions: { EnableRealtimeMonitor: true }, RefreshStatus: 'Idle' })));
      case 'POST /Library/Refresh': return text(204, '');
      default: return text(404, '');
    }
  };
}

export function plexHandler(w: MediaWorld) {
  return (req: MediaRequest): MediaAnswer => {
    const p = w.plex;
    if (req.path === '/identity') return json(200, { MediaContainer: { size: 0, apiVersion: '1.1.1', claimed: true, machineIdentifier: p.machineIdentifier, version: p.version } });
    const token = (req.headers['x-plex-token'] as string | undefined) ?? req.query.get('X-Plex-Token');
    if (token !== p.token) return text(401, '<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>');
    if (req.method === 'GET' && req.path === '/library/sections') {
      return json(200, { MediaContainer: { size: p.sections.length, allowSync: false, title1: 'Plex Library', Directory: p.sections.map((s) => ({ key: s.key, type: s.type, title: s.title, agent: 'tv.plex.agents.series', scanner: 'Plex TV Series', Location: [{ id: Number(s.key), path: s.path }] })) } });
    }
    if (req.method === 'GET' && /^\/library\/sections\/\d+\/refresh$/.test(req.path)) return text(200, '');
    return text(404, '');
  };
}

function seerrTest(w: MediaWorld, kind: 'sonarr' | 'radarr', body: Partial<SeerrArr>): MediaAnswer {
  const arr = arrAt(w, String(body.hostname ?? ''), Number(body.port ?? 0));
  const name = kind === 'sonarr' ? 'Sonarr' : 'Radarr';
  if (!arr || arr.kind !== kind) return json(500, { message: `Failed to connect to ${name}` });
  if (arr.apiKey !== body.apiKey) return json(500, { message: `Failed to connect to ${name}` });
  return json(200, { profiles: [{ id: 1, name: 'HD-1080p' }], rootFolders: arr.rootFolders.map((r) => ({ id: r.id, path: r.path })), tags: [], urlBase: '' });
}

export function jellyseerrHandler(w: MediaWorld) {
  return (req: MediaRequest): MediaAnswer => {
    const s = w.jellyseerr;
    if (req.path === '/api/v1/status') return json(200, { version: s.version, commitTag: `v${s.version}`, updateAvailable: false, commitsBehind: 0, restartRequired: false });
    if (req.headers['x-api-key'] !== s.apiKey) return json(403, { message: 'You do not have permission to access this endpoint.' });
    const path = req.path.slice('/api/v1'.length);
    const m = /^\/settings\/(sonarr|radarr)(?:\/(\d+|test))?$/.exec(path);
    if (m) {
      const kind = m[1] as 'sonarr' | 'radarr';
      if (m[2] === 'test' && req.method === 'POST') return seerrTest(w, kind, req.body ?? {});
      if (!m[2] && req.method === 'GET') return json(200, s[kind]);
      if (m[2] && req.method === 'PUT') {
        const i = s[kind].findIndex((x) => x.id === Number(m[2]));
        if (i < 0) return json(404, { message: 'Settings with provided ID not found.' });
        s[kind][i] = { ...s[kind][i]!, ...req.body, id: s[kind][i]!.id };
        return json(200, s[kind][i]);
      }
    }
    if (req.method === 'GET' && path === '/settings/jellyfin') {
      const reach = serviceOf(w, s.jellyfin.ip, s.jellyfin.port) === 'jellyfin' && s.jellyfin.apiKey === w.jellyfin.apiKey;
      return json(200, { name: w.jellyfin.serverName, ip: s.jellyfin.ip, port: s.jellyfin.port, useSsl: s.jellyfin.useSsl, urlBase: '', externalHostname: '', serverId: reach ? 'f4c1d8a0b5e64b8a9c1d2e3f4a5b6c7d' : '', apiKey: s.jellyfin.apiKey, libraries: w.jellyfin.libraries.map((l, i) => ({ id: `lib${i + 1}`, name: l.Name, enabled: true, type: l.CollectionType === 'movies' ? 'movie' : 'show' })) });
    }
    if (req.method === 'GET' && path === '/search') {
      const q = req.query.get('query') ?? '';
      return json(200, { page: 1, totalPages: 1, totalResults: q ? 1 : 0, results: q ? [{ id: 1399, mediaType: 'tv', name: q, firstAirDate: '2011-04-17' }] : [] });
    }
    return json(404, { message: 'Not Found' });
  };
}
