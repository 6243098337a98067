// The media stack the lab serves (issue 15): Sonarr, Radarr, Prowlarr, qBittorrent behind Gluetun, Jellyfin, Plex and
// Jellyseerr as in-memory state that the fake HTTP services (lab/media/*.ts) answer from and the faults change. Keys
// are 32 lowercase hex digits as the *arr apps generate them (Sonarr src/NzbDrone.Core/Configuration/ConfigFileProvider.cs
// GenerateApiKey: Guid "N" format). Paths are container paths; `sees` is what each container has mounted.
import { randomBytes } from 'node:crypto';

export type ArrKind = 'sonarr' | 'radarr' | 'lidarr';
export const key = () => randomBytes(16).toString('hex');

export interface DownloadClient { id: number; name: string; host: string; port: number; category: string; enable: boolean }
export interface RemotePathMapping { id: number; host: string; remotePath: string; localPath: string }
export interface ArrIndexer { id: number; name: string; prowlarrId: number; enable: boolean; apiKey: string }
export interface Arr {
  kind: ArrKind;
  name: string;
  /** the Kubernetes Service (namespace/name) and port, as other apps address it */
  host: string;
  port: number;
  apiKey: string;
  version: string;
  rootFolders: { id: number; path: string }[];
  downloadClients: DownloadClient[];
  remotePathMappings: RemotePathMapping[];
  indexers: ArrIndexer[];
  /** the paths the container has (volume mounts) */
  sees: string[];
}
export interface ProwlarrApp { id: number; name: string; implementation: 'Sonarr' | 'Radarr' | 'Lidarr'; syncLevel: 'disabled' | 'addOnly' | 'fullSync'; prowlarrUrl: string; baseUrl: string; apiKey: string }
export interface MediaWorld {
  namespace: string;
  homeIp: string;
  vpnIp: string;
  arrs: Arr[];
  prowlarr: { apiKey: string; version: string; applications: ProwlarrApp[]; indexers: { id: number; name: string; enable: boolean; protocol: 'torrent' | 'usenet' }[] };
  qbittorrent: { username: string; password: string; version: string; savePath: string; categories: Record<string, { name: string; savePath: string }>; sees: string[]; networkInterface: string; listenPort: number };
  gluetun: { status: 'running' | 'stopped'; forwardedPort: number };
  /** the download pod's traffic leaves through the home connection (no VPN firewall) */
  leaking: boolean;
  jellyfin: { apiKey: string; version: string; serverName: string; libraries: { Name: string; CollectionType: string; Locations: string[] }[]; sees: string[] };
  plex: { token: string; machineIdentifier: string; version: string; sections: { key: string; type: string; title: string; path: string }[] };
  jellyseerr: {
    apiKey: string; version: string;
    jellyfin: { ip: string; port: number; useSsl: boolean; apiKey: string };
    sonarr: SeerrArr[]; radarr: SeerrArr[];
  };
}
export interface SeerrArr { id: number; name: string; hostname: string; port: number; apiKey: string; useSsl: boolean; baseUrl: string; activeDirectory: string; is4k: boolean; isDefault: boolean }

const svc = (ns: string, name: string) => `${name}.${ns}.svc.cluster.local`;

/** A healthy stack in namespace `ns`: every app wired to the others with the right keys and paths. */
export function healthyWorld(ns: string): MediaWorld {
  const prowlarrKey = key();
  const arr = (kind: ArrKind, port: number, category: string, root: string, version: string): Arr => ({
    kind, name: kind[0]!.toUpperCase() + kind.slice(1), host: svc(ns, kind), port, apiKey: key(), version,
    rootFolders: [{ id: 1, path: root }],
    downloadClients: [{ id: 1, name: 'qBittorrent', host: svc(ns, 'qbittorrent'), port: 8080, category, enable: true }],
    remotePathMappings: [],
    indexers: [{ id: 1, name: 'Nyaa (Prowlarr)', prowlarrId: 1, enable: true, apiKey: prowlarrKey }, { id: 2, name: 'TorrentLeech (Prowlarr)', prowlarrId: 2, enable: true, apiKey: prowlarrKey }],
    sees: ['/config', '/media'],
  });
  const arrs = [arr('sonarr', 8989, 'tv', '/media/tv', '4.0.19.2979'), arr('radarr', 7878, 'movies', '/media/movies', '6.0.3.10138')];
  const app = (a: Arr, id: number): ProwlarrApp => ({
    id, name: a.name, implementation: a.name as ProwlarrApp['implementation'], syncLevel: 'fullSync',
    prowlarrUrl: `http://${svc(ns, 'prowlarr')}:9696`, baseUrl: `http://${a.host}:${a.port}`, apiKey: a.apiKey,
  });
  const seerr = (a: Arr, dir: string): SeerrArr => ({ id: 0, name: a.name, hostname: a.host, port: a.port, apiKey: a.apiKey, useSsl: false, baseUrl: '', activeDirectory: dir, is4k: false, isDefault: true });
  const jellyfinKey = key();
  return {
    namespace: ns, homeIp: '203.0.113.24', vpnIp: '185.65.134.77',
    arrs,
    prowlarr: {
      apiKey: prowlarrKey, version: '2.3.6.5199', applications: arrs.map((a, i) => app(a, i + 1)),
      indexers: [{ id: 1, name: 'Nyaa', enable: true, protocol: 'torrent' }, { id: 2, name: 'TorrentLeech', enable: true, protocol: 'torrent' }],
    },
    qbittorrent: {
      username: 'admin', password: randomBytes(12).toString('base64url'), version: 'v5.2.3', savePath: '/media/downloads',
      categories: { tv: { name: 'tv', savePath: '/media/downloads/tv' }, movies: { name: 'movies', savePath: '/media/downloads/movies' } },
      sees: ['/config', '/media'], networkInterface: 'tun0', listenPort: 51413,
    },
    gluetun: { status: 'running', forwardedPort: 51413 },
    leaking: false,
    jellyfin: {
      apiKey: jellyfinKey, version: '10.11.3', serverName: 'jellyfin',
      libraries: [{ Name: 'Shows', CollectionType: 'tvshows', Locations: ['/media/tv'] }, { Name: 'Movies', CollectionType: 'movies', Locations: ['/media/movies'] }],
      sees: ['/config', '/media'],
    },
    plex: { token: randomBytes(10).toString('base64url'), machineIdentifier: randomBytes(20).toString('hex'), version: '1.42.2.10156-f737b826c', sections: [{ key: '1', type: 'show', title: 'TV Shows', path: '/media/tv' }] },
    jellyseerr: {
      apiKey: randomBytes(32).toString('base64'), version: '2.7.3',
      jellyfin: { ip: svc(ns, 'jellyfin'), port: 8096, useSsl: false, apiKey: jellyfinKey },
      sonarr: [seerr(arrs[0]!, '/media/tv')], radarr: [seerr(arrs[1]!, '/media/movies')],
    },
  };
}

/** The paths a container with these mounts can open: under one of them. */
export const visible = (sees: string[], path: string) => sees.some((m) => path === m || path.startsWith(`${m}/`));

/** The folder the download client puts a category's downloads in, as the *arr computes it
 *  (reference/media-stack-facts.md: category savePath, absolute as is, relative joined to save_path; else save_path). */
export function categoryPath(q: MediaWorld['qbittorrent'], category: string): string {
  const c = q.categories[category]?.savePath;
  if (!c) return q.savePath;
  return c.startsWith('/') ? c : `${q.savePath.replace(/\/$/, '')}/${c}`;
}

/** A path as the *arr sees it after its remote path mappings for that download client host. */
export function mapRemote(arr: Arr, host: string, path: string): string {
  const norm = (p: string) => (p.endsWith('/') ? p : `${p}/`);
  for (const m of arr.remotePathMappings) {
    if (m.host.toLowerCase() !== host.toLowerCase() || !norm(path).startsWith(norm(m.remotePath))) continue;
    return (norm(m.localPath) + norm(path).slice(norm(m.remotePath).length)).replace(/\/+$/, '') || '/';
  }
  return path;
}
