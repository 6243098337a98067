// The lab's media stack (topology `media:`): the fake services on loopback ports, the Service each one stands behind
// (what the API server's service proxy forwards to), the *arr config.xml files on their config claims, and the faults
// media:check and media:vpn-check must catch.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { arrHandler } from './arr.js';
import { serve, type MediaHandler, type MediaServer } from './http.js';
import { prowlarrHandler, syncIndexers } from './prowlarr.js';
import { gluetunHandler, qbittorrentHandler } from './qbittorrent.js';
import { SERVICE_PORTS } from './reach.js';
import { jellyfinHandler, jellyseerrHandler, plexHandler } from './servers.js';
import { healthyWorld, key, type ArrKind, type MediaWorld } from './world.js';

export type { MediaWorld } from './world.js';

export interface MediaFaults {
  /** the app's API key is regenerated (config.xml follows); every other app keeps the old one */
  rotateApiKey(app: ArrKind | 'prowlarr'): Promise<void>;
  /** qBittorrent saves under /downloads, a path the *arr apps do not have */
  pathMismatch(): void;
  /** Gluetun's tunnel is down (its firewall drops the download pod's traffic) */
  vpnDown(): void;
  /** the download pod's traffic leaves through the home connection */
  vpnLeaking(): void;
  /** Prowlarr has no application for this *arr, and an indexer added since that the *arr does not have */
  prowlarrOutOfSync(app: ArrKind): void;
}

export interface LabMedia {
  world: MediaWorld;
  /** "namespace/service:port" => the loopback port of the fake behind it */
  backends: Map<string, number>;
  faults: MediaFaults;
  /** the loopback URL of one app (for URL-configured stacks, as on a Docker Compose host) */
  url(app: string): string;
  stop(): Promise<void>;
}

/** <Config> as the *arr apps write it (Sonarr src/NzbDrone.Core/Configuration/ConfigFileProvider.cs) */
const configXml = (port: number, apiKey: string, name: string) =>
  `<Config>\n  <BindAddress>*</BindAddress>\n  <Port>${port}</Port>\n  <SslPort>9898</SslPort>\n  <EnableSsl>False</EnableSsl>\n  <LaunchBrowser>True</LaunchBrowser>\n  <ApiKey>${apiKey}</ApiKey>\n  <AuthenticationMethod>Forms</AuthenticationMethod>\n  <AuthenticationRequired>DisabledForLocalAddresses</AuthenticationRequired>\n  <Branch>main</Branch>\n  <LogLevel>info</LogLevel>\n  <UrlBase></UrlBase>\n  <InstanceName>${name}</InstanceName>\n</Config>\n`;

export async function startMedia(namespace: string, volumePath: (ns: string, pvc: string) => string): Promise<LabMedia> {
  const world = healthyWorld(namespace);
  const handlers: [string, number, MediaHandler][] = [
    ...world.arrs.map((a) => [a.kind, a.port, arrHandler(world, a.kind)] as [string, number, MediaHandler]),
    ['prowlarr', 9696, prowlarrHandler(world)], ['qbittorrent', 8080, qbittorrentHandler(world)], ['qbittorrent', 8000, gluetunHandler(world)],
    ['jellyfin', 8096, jellyfinHandler(world)], ['plex', 32400, plexHandler(world)], ['jellyseerr', 5055, jellyseerrHandler(world)],
  ];
  const servers: MediaServer[] = [];
  const backends = new Map<string, number>();
  const urls = new Map<string, string>();
  for (const [svc, port, h] of handlers) {
    const s = await serve(h);
    servers.push(s);
    backends.set(`${namespace}/${svc}:${port}`, s.port);
    urls.set(port === 8000 ? 'gluetun' : svc, `http://127.0.0.1:${s.port}`);
  }
  const writeConfig = async (app: string) => {
    const a = world.arrs.find((x) => x.kind === app);
    const [port, apiKey, name] = a ? [a.port, a.apiKey, a.name] : [9696, world.prowlarr.apiKey, 'Prowlarr'];
    const dir = volumePath(namespace, `${app}-config`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'config.xml'), configXml(port, apiKey, name));
  };
  for (const app of [...world.arrs.map((a) => a.kind), 'prowlarr']) await writeConfig(app);
  syncIndexers(world);
  const faults: MediaFaults = {
    rotateApiKey: async (app) => {
      if (app === 'prowlarr') world.prowlarr.apiKey = key();
      else world.arrs.find((a) => a.kind === app)!.apiKey = key();
      await writeConfig(app);
    },
    pathMismatch: () => {
      const q = world.qbittorrent;
      q.savePath = '/downloads';
      for (const c of Object.values(q.categories)) c.savePath = `/downloads/${c.name}`;
      q.sees = ['/config', '/downloads'];
    },
    vpnDown: () => { world.gluetun.status = 'stopped'; },
    vpnLeaking: () => { world.leaking = true; },
    prowlarrOutOfSync: (app) => {
      const arr = world.arrs.find((a) => a.kind === app)!;
      world.prowlarr.applications = world.prowlarr.applications.filter((x) => !x.baseUrl.includes(`//${arr.host}:`));
      world.prowlarr.indexers.push({ id: Math.max(...world.prowlarr.indexers.map((i) => i.id)) + 1, name: 'EZTV', enable: true, protocol: 'torrent' });
      syncIndexers(world);
    },
  };
  return {
    world, backends, faults,
    url: (app) => { const u = urls.get(app); if (!u) throw new Error(`lab media: no app ${app} (one of ${[...urls.keys()].join(', ')})`); return u; },
    stop: async () => { await Promise.all(servers.map((s) => s.close())); },
  };
}

export { SERVICE_PORTS };
