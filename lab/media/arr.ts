// A fake Sonarr / Radarr / Lidarr: the v3 (v1 for Lidarr) API endpoints media:check and media:fix use, with upstream
// field names (Sonarr/Radarr src/*.Api.V3: SystemController, HealthController, RootFolderController,
// DownloadClientController, IndexerController, RemotePathMappingController, ProviderControllerBase testall: 200 when
// every provider is valid, 400 with [{id, isValid, validationFailures}] otherwise). The API key is accepted as the
// X-Api-Key header, the apikey query parameter or a Bearer token; anything else is 401 (reference/media-stack-facts.md).
// Health messages follow the checks' sources (src/NzbDrone.Core/HealthCheck/Checks/*), worded approximately.
import { json, text, type MediaAnswer, type MediaRequest } from './http.js';
import { downloadEgress, serviceOf } from './reach.js';
import { categoryPath, mapRemote, visible, type Arr, type MediaWorld } from './world.js';

const CATEGORY_FIELD = { sonarr: 'tvCategory', radarr: 'movieCategory', lidarr: 'musicCategory' } as const;
export const apiBase = (a: Arr) => (a.kind === 'lidarr' ? '/api/v1' : '/api/v3');

export function keyOf(req: MediaRequest): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
  return (req.headers['x-api-key'] as string | undefined) ?? req.query.get('apikey') ?? bearer;
}

function clientValid(w: MediaWorld, c: { host: string; port: number }): string | undefined {
  if (serviceOf(w, c.host, c.port) !== 'qbittorrent') return `Unable to connect to qBittorrent: ${c.host}:${c.port}`;
  return undefined;
}

export function arrHealth(w: MediaWorld, a: Arr) {
  const out: { source: string; type: string; message: string; wikiUrl: string }[] = [];
  const wiki = (s: string) => `https://wiki.servarr.com/${a.kind}/system#${s.toLowerCase()}`;
  for (const c of a.downloadClients.filter((x) => x.enable)) {
    const bad = clientValid(w, c);
    if (bad) { out.push({ source: 'DownloadClientCheck', type: 'error', message: `Unable to communicate with ${c.name}. ${bad}`, wikiUrl: wiki('unable-to-communicate-with-download-client') }); continue; }
    const path = mapRemote(a, c.host, categoryPath(w.qbittorrent, c.category));
    if (!visible(a.sees, path)) out.push({ source: 'RemotePathMappingCheck', type: 'error', message: `Remote download client ${c.name} places downloads in ${categoryPath(w.qbittorrent, c.category)} but this directory does not appear to exist. Likely missing or incorrect remote path mapping.`, wikiUrl: wiki('bad-remote-path-mapping') });
  }
  if (!a.downloadClients.some((c) => c.enable)) out.push({ source: 'DownloadClientCheck', type: 'warning', message: 'No download client is available', wikiUrl: wiki('no-download-client-is-available') });
  for (const r of a.rootFolders) if (!visible(a.sees, r.path)) out.push({ source: 'RootFolderCheck', type: 'error', message: `Missing root folder: ${r.path}`, wikiUrl: wiki('missing-root-folder') });
  if (!a.indexers.some((i) => i.enable)) out.push({ source: 'IndexerSearchCheck', type: 'warning', message: 'No indexers available with Automatic Search enabled', wikiUrl: wiki('no-indexers-available-with-automatic-search-enabled') });
  else if (a.indexers.some((i) => i.enable && i.apiKey !== w.prowlarr.apiKey)) out.push({ source: 'IndexerStatusCheck', type: 'warning', message: `Indexers unavailable due to failures: ${a.indexers.filter((i) => i.apiKey !== w.prowlarr.apiKey).map((i) => i.name).join(', ')}`, wikiUrl: wiki('indexers-are-unavailable-due-to-failures') });
  return out.map((h, i) => ({ id: i + 1, ...h }));
}

const masked = '********';
const field = (name: string, value: unknown) => ({ name, value });

function clientResource(a: Arr, c: Arr['downloadClients'][number]) {
  return {
    id: c.id, name: c.name, enable: c.enable, protocol: 'torrent', priority: 1, removeCompletedDownloads: true, removeFailedDownloads: true,
    implementation: 'QBittorrent', implementationName: 'qBittorrent', configContract: 'QBittorrentSettings', tags: [],
    fields: [field('host', c.host), field('port', c.port), field('useSsl', false), field('urlBase', ''), field('username', 'admin'), field('password', masked), field(CATEGORY_FIELD[a.kind], c.category)],
  };
}

function indexerResource(w: MediaWorld, i: Arr['indexers'][number]) {
  return {
    id: i.id, name: i.name, enableRss: i.enable, enableAutomaticSearch: i.enable, enableInteractiveSearch: i.enable, supportsRss: true, supportsSearch: true,
    protocol: 'torrent', priority: 25, implementation: 'Torznab', implementationName: 'Torznab', configContract: 'TorznabSettings', tags: [],
    fields: [field('baseUrl', `http://prowlarr.${w.namespace}.svc.cluster.local:9696/${i.prowlarrId}/`), field('apiPath', '/api'), field('apiKey', masked)],
  };
}

const testAll = (results: { id: number; failure?: string }[]): MediaAnswer => {
  const body = results.map((r) => ({ id: r.id, isValid: !r.failure, validationFailures: r.failure ? [{ propertyName: '', errorMessage: r.failure, severity: 'error' }] : [] }));
  return json(body.every((b) => b.isValid) ? 200 : 400, body);
};

export function arrHandler(w: MediaWorld, kind: Arr['kind']) {
  return (req: MediaRequest): MediaAnswer => {
    const a = w.arrs.find((x) => x.kind === kind)!;
    if (req.path === '/ping') return json(200, { status: 'OK' });
    const base = apiBase(a);
    if (!req.path.startsWith(base)) return text(404, '');
    if (keyOf(req) !== a.apiKey) return text(401, '');
    const p = req.path.slice(base.length);
    const id = Number(/\/(\d+)$/.exec(p)?.[1]);
    switch (`${req.method} ${p.replace(/\/\d+$/, '/{id}')}`) {
      case 'GET /system/status': return json(200, { appName: a.name, instanceName: a.name, version: a.version, urlBase: '', isDocker: true, authentication: 'forms', branch: 'main', startTime: '2026-12-01T00:00:00Z' });
      case 'GET /health': return json(200, arrHealth(w, a));
      case 'GET /rootfolder': return json(200, a.rootFolders.map((r) => ({ id: r.id, path: r.path, accessible: visible(a.sees, r.path), freeSpace: visible(a.sees, r.path) ? 2_000_000_000_000 : undefined, unmappedFolders: [] })));
      case 'GET /downloadclient': return json(200, a.downloadClients.map((c) => clientResource(a, c)));
      case 'POST /downloadclient/testall': return testAll(a.downloadClients.filter((c) => c.enable).map((c) => ({ id: c.id, ...(clientValid(w, c) ? { failure: clientValid(w, c)! } : downloadEgress(w) === undefined ? { failure: 'Unable to connect to qBittorrent: the VPN is down' } : {}) })));
      case 'GET /indexer': return json(200, a.indexers.map((i) => indexerResource(w, i)));
      case 'POST /indexer/testall': return testAll(a.indexers.filter((i) => i.enable).map((i) => ({ id: i.id, ...(i.apiKey !== w.prowlarr.apiKey ? { failure: 'Unable to connect to indexer, check the log above the ValidationFailure for more details. HTTP 401 Unauthorized' } : {}) })));
      case 'GET /remotepathmapping': return json(200, a.remotePathMappings);
      case 'POST /remotepathmapping': {
        const m = { id: Math.max(0, ...a.remotePathMappings.map((x) => x.id)) + 1, host: String(req.body?.host ?? ''), remotePath: String(req.body?.remotePath ?? ''), localPath: String(req.body?.localPath ?? '') };
        a.remotePathMappings.push(m);
        return json(201, m);
      }
      case 'DELETE /remotepathmapping/{id}': {
        const i = a.remotePathMappings.findIndex((m) => m.id === id);
        if (i < 0) return json(404, { message: 'NotFound' });
        a.remotePathMappings.splice(i, 1);
        return json(200, {});
      }
      case 'GET /series/lookup':
      case 'GET /movie/lookup':
      case 'GET /artist/lookup': {
        const term = req.query.get('term') ?? '';
        return json(200, term ? [{ title: term, year: 2008, ...(a.kind === 'sonarr' ? { tvdbId: 81189 } : a.kind === 'radarr' ? { tmdbId: 603 } : { foreignArtistId: 'x' }) }] : []);
      }
      default: return json(404, { message: 'NotFound' });
    }
  };
}

