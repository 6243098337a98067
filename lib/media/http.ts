// HTTP to the media stack's services: straight to a URL, or through `kubectl proxy` and the API server's service proxy
// for a Kubernetes Service. Every call has a deadline, follows the run's interrupt, and is logged (service, method,
// path without its query, status, milliseconds) for the run record; keys travel in headers (or, for Jellyfin behind
// the service proxy, in a query parameter that is never logged).
import type { TaskContext } from '../engine/types.ts';
import type { MediaKind, MediaServiceConfig } from '../config/media.ts';

export interface Endpoint {
  name: string;
  kind: MediaKind;
  /** the URL every path is appended to */
  base: string;
  /** what the operator configured: the URL or namespace/service:port */
  where: string;
  viaProxy: boolean;
  /** namespace and Service name when it is one */
  service?: { namespace: string; name: string; port: string };
}

export interface Answer { status: number; body: any; text: string; headers: Headers }
export interface HttpLogEntry { service: string; method: string; path: string; status: number | null; ms: number }

/** The service cannot be reached at all (connection refused, timeout, no endpoints behind the Service). */
export class Unreachable extends Error {
  constructor(readonly endpoint: Endpoint, why: string) {
    super(`${endpoint.name} (${endpoint.where}) unreachable: ${why}`);
    this.name = 'Unreachable';
  }
}

export function endpointOf(name: string, kind: MediaKind, s: MediaServiceConfig, namespace: string, proxyBase: string | undefined): Endpoint {
  if (s.url) return { name, kind, base: s.url.replace(/\/+$/, ''), where: s.url, viaProxy: false };
  const [nsPart, rest] = s.service!.includes('/') ? s.service!.split('/') as [string, string] : [namespace, s.service!];
  const [svc, port] = rest.split(':') as [string, string];
  if (!proxyBase) throw new Error('a Service endpoint needs kubectl proxy');
  // the API server's service proxy path (kubernetes.io/docs/tasks/access-application-cluster/access-cluster-services/)
  return { name, kind, base: `${proxyBase}/api/v1/namespaces/${nsPart}/services/${svc}:${port}/proxy`, where: `${nsPart}/${svc}:${port}`, viaProxy: true, service: { namespace: nsPart, name: svc, port } };
}

export class MediaHttp {
  readonly log: HttpLogEntry[] = [];
  constructor(private readonly ctx: TaskContext, private readonly timeoutMs = 15_000) {}

  async request(ep: Endpoint, method: string, path: string, o: { headers?: Record<string, string>; query?: Record<string, string>; json?: unknown; form?: Record<string, string> } = {}): Promise<Answer> {
    const q = o.query ? `?${new URLSearchParams(o.query)}` : '';
    const started = performance.now();
    const entry: HttpLogEntry = { service: ep.name, method, path, status: null, ms: 0 };
    this.log.push(entry);
    const headers: Record<string, string> = { Accept: 'application/json', ...o.headers };
    let body: string | undefined;
    if (o.json !== undefined) { headers['Content-Type'] = 'application/json'; body = JSON.stringify(o.json); }
    if (o.form) { headers['Content-Type'] = 'application/x-www-form-urlencoded'; body = new URLSearchParams(o.form).toString(); }
    let res: Response;
    try {
      res = await fetch(`${ep.base}${path}${q}`, { method, headers, ...(body !== undefined ? { body } : {}), redirect: 'manual', signal: AbortSignal.any([this.ctx.signal, AbortSignal.timeout(this.timeoutMs)]) });
    } catch (err) {
      entry.ms = Math.round(performance.now() - started);
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const why = e.name === 'TimeoutError' ? `no answer within ${this.timeoutMs / 1000} s` : e.cause?.code ?? e.cause?.message ?? e.message;
      throw new Unreachable(ep, why);
    }
    const text = await res.text();
    entry.status = res.status;
    entry.ms = Math.round(performance.now() - started);
    let parsed: any;
    try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
    // the API server's own answer (a Status), not the app's: no Ready pod behind the Service, or none at all
    if (ep.viaProxy && parsed?.kind === 'Status' && parsed?.apiVersion === 'v1' && res.status >= 400) throw new Unreachable(ep, `the API server answered ${res.status}: ${parsed.message ?? parsed.reason}`);
    return { status: res.status, body: parsed, text, headers: res.headers };
  }
}
