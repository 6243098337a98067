// The API server's service proxy: /api/v1/namespaces/<ns>/services/[<scheme>:]<name>[:<port>]/proxy/<path> forwards the
// request to the Service's port (kube-apiserver pkg/registry/core/service/storage ResourceLocation: the port by name or
// number, empty = the first; apimachinery util/net SplitSchemeNamePort), answering 503 `no endpoints available for
// service "<name>"` when no Ready pod backs it (pkg/proxy/... ResourceLocation). In the lab a Service port is backed by
// a fake on a loopback port (lab/media) when one is registered for it.
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { isPodReady } from '../kinds/pdb.js';
import { labelSelectorMatcher } from '../store/selectors.js';
import { errors } from '../store/errors.js';
import type { ApiContext } from './context.js';
import { sendJson } from './respond.js';

const PROXY = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/]+)\/proxy(\/.*)?$/;

export function isServiceProxy(path: string): boolean { return PROXY.test(path); }

function unavailable(res: ServerResponse, message: string): void {
  sendJson(res, 503, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'ServiceUnavailable', code: 503 });
}

export async function proxyService(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, rawPath: string, search: string): Promise<void> {
  const [, ns, id, rest] = PROXY.exec(rawPath)!.map((s) => (s === undefined ? s : decodeURIComponent(s))) as [string, string, string, string?];
  const parts = id.split(':');
  const [name, port] = parts.length === 3 ? [parts[1]!, parts[2]!] : parts.length === 2 && /^https?$/.test(parts[0]!) ? [parts[1]!, ''] : [parts[0]!, parts[1] ?? ''];
  const svc = ctx.store.find('services', ns, name);
  if (!svc) throw errors.notFound({ group: '', resource: 'services', name });
  const sp = ((svc.spec?.ports ?? []) as { name?: string; port: number }[]).find((p) => !port || p.name === port || String(p.port) === port);
  if (!sp) return unavailable(res, `no endpoints available for service "${name}"`);
  const selector = svc.spec?.selector as Record<string, string> | undefined;
  const matches = labelSelectorMatcher(selector ? { matchLabels: selector } : undefined);
  const ready = ctx.store.list('pods', { namespace: ns }).items.some((p) => matches(p.metadata.labels) && isPodReady(p));
  const backend = ctx.serviceBackend?.(ns, name, sp.port);
  if (!ready || backend === undefined) return unavailable(res, `no endpoints available for service "${name}"`);
  const headers = { ...req.headers };
  delete headers.host;
  // kube-apiserver removes the Authorization header once it has authenticated the request (apiserver
  // pkg/endpoints/filters/authentication.go), so a backend never sees one through the proxy
  delete headers.authorization;
  delete headers.connection;
  await new Promise<void>((done) => {
    const out = request({ host: '127.0.0.1', port: backend, method: req.method, path: `${rest ?? '/'}${search}`, headers }, (r: IncomingMessage) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
      r.on('end', done);
    });
    out.on('error', (err) => { unavailable(res, `error trying to reach service: ${err.message}`); done(); });
    req.pipe(out);
  });
}
