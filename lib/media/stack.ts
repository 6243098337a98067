// The media stack of one cluster as rackhand reaches it: each configured service with its endpoint, its key (resolved
// once) and a `call` that authenticates the way that app expects (reference/media-stack-facts.md):
// *arr/Prowlarr/Jellyseerr X-Api-Key; Jellyfin `Authorization: MediaBrowser Token="..."`, or its ApiKey query
// parameter behind the service proxy (kube-apiserver drops Authorization once it authenticated the request:
// apiserver pkg/endpoints/filters/authentication.go); Plex X-Plex-Token; qBittorrent a session cookie from
// /api/v2/auth/login (logged in once: five failures ban the address for an hour); Gluetun X-API-Key when configured.
import type { TaskContext } from '../engine/types.ts';
import { ARR_KINDS, type ArrKind, type MediaConfig, type MediaKind, type MediaServiceConfig } from '../config/media.ts';
import { endpointOf, MediaHttp, Unreachable, type Answer, type Endpoint } from './http.ts';
import { resolveSources, type Resolved } from './keys.ts';

export interface Service {
  name: string;
  kind: MediaKind;
  config: MediaServiceConfig;
  endpoint: Endpoint;
  key?: Resolved;
  password?: Resolved;
}

/** *arr API roots (Sonarr/Radarr v3, Lidarr/Prowlarr v1) */
export const API_ROOT: Partial<Record<MediaKind, string>> = { sonarr: '/api/v3', radarr: '/api/v3', lidarr: '/api/v1', prowlarr: '/api/v1' };
export const isArr = (k: MediaKind): k is ArrKind => (ARR_KINDS as readonly string[]).includes(k);
export const title = (k: MediaKind) => ({ qbittorrent: 'qBittorrent', jellyseerr: 'Jellyseerr', overseerr: 'Overseerr' } as Record<string, string>)[k] ?? k[0]!.toUpperCase() + k.slice(1);

export class MediaStack {
  readonly http: MediaHttp;
  private cookies = new Map<string, Promise<string | undefined>>();
  constructor(readonly ctx: TaskContext, readonly services: Service[], readonly namespace: string) {
    this.http = new MediaHttp(ctx);
  }

  of(kind: MediaKind): Service[] { return this.services.filter((s) => s.kind === kind); }

  /** the service's key, or throws naming where it should have come from */
  keyOf(s: Service): string {
    if (s.key?.value) return s.key.value;
    throw new KeyMissing(s, s.key?.error ?? 'no apiKey configured');
  }

  async call(s: Service, method: string, path: string, o: { json?: unknown; form?: Record<string, string>; query?: Record<string, string>; auth?: boolean } = {}): Promise<Answer> {
    const headers: Record<string, string> = {};
    const query = { ...o.query };
    if (o.auth !== false) {
      switch (s.kind) {
        case 'qbittorrent': { const c = await this.qbitCookie(s); if (c) headers.Cookie = c; break; }
        case 'gluetun': if (s.key?.value) headers['X-API-Key'] = s.key.value; break;
        case 'jellyfin': if (s.endpoint.viaProxy) query.ApiKey = this.keyOf(s); else headers.Authorization = `MediaBrowser Client="rackhand", Device="rackhand", DeviceId="rackhand", Version="0.1.0", Token="${this.keyOf(s)}"`; break;
        case 'plex': headers['X-Plex-Token'] = this.keyOf(s); break;
        default: headers['X-Api-Key'] = this.keyOf(s);
      }
    }
    return this.http.request(s.endpoint, method, path, { headers, ...(Object.keys(query).length ? { query } : {}), ...(o.json !== undefined ? { json: o.json } : {}), ...(o.form ? { form: o.form } : {}) });
  }

  /** the *arr API (root added) */
  api(s: Service, method: string, path: string, json?: unknown): Promise<Answer> {
    return this.call(s, method, `${API_ROOT[s.kind]}${path}`, json !== undefined ? { json } : {});
  }

  private qbitCookie(s: Service): Promise<string | undefined> {
    let c = this.cookies.get(s.name);
    if (!c) {
      c = (async () => {
        if (!s.config.username) return undefined;
        if (!s.password?.value) throw new KeyMissing(s, s.password?.error ?? 'no password configured');
        // qBittorrent WebUI API: POST /api/v2/auth/login, form username/password; "Ok." and a Set-Cookie on success
        const r = await this.http.request(s.endpoint, 'POST', '/api/v2/auth/login', { form: { username: s.config.username, password: s.password.value } });
        const cookie = r.headers.get('set-cookie')?.split(';')[0];
        if (r.status !== 200 || r.text.trim() !== 'Ok.' || !cookie) throw new LoginRejected(s, r.status);
        return cookie;
      })();
      this.cookies.set(s.name, c);
    }
    return c;
  }
}

export class KeyMissing extends Error {
  constructor(readonly service: Service, why: string) { super(`${service.name}: no key: ${why}`); this.name = 'KeyMissing'; }
}
export class LoginRejected extends Error {
  constructor(readonly service: Service, status: number) { super(`${service.name}: login as ${service.config.username} rejected (HTTP ${status}); the password from ${service.password?.source} is not qBittorrent's`); this.name = 'LoginRejected'; }
}

/** The configured stack, keys resolved. `proxyBase`: a running kubectl proxy when any service is a Kubernetes Service. */
export async function loadStack(ctx: TaskContext, media: MediaConfig, proxyBase: string | undefined, only?: (name: string, kind: MediaKind) => boolean): Promise<MediaStack> {
  const namespace = media.namespace ?? 'media';
  const services: Service[] = Object.entries(media.services)
    .map(([name, config]) => ({ name, kind: (config.kind ?? name) as MediaKind, config }))
    .filter((s) => !only || only(s.name, s.kind))
    .map((s) => ({ ...s, endpoint: endpointOf(s.name, s.kind, s.config, namespace, proxyBase) }));
  const wanted = services.flatMap((s) => [
    ...(s.config.apiKey ? [{ id: `${s.name}/apiKey`, source: s.config.apiKey, endpoint: s.endpoint }] : []),
    ...(s.config.password ? [{ id: `${s.name}/password`, source: s.config.password, endpoint: s.endpoint }] : []),
  ]);
  const resolved = await resolveSources(ctx, wanted, namespace);
  for (const s of services) {
    const k = resolved.get(`${s.name}/apiKey`);
    const p = resolved.get(`${s.name}/password`);
    if (k) (s as Service).key = k;
    if (p) (s as Service).password = p;
  }
  return new MediaStack(ctx, services as Service[], namespace);
}

export { Unreachable };
