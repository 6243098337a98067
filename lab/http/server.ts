// The lab's Kubernetes API server: plain HTTP on 127.0.0.1, the endpoints of reference/kubectl-protocol.md
// "Minimal endpoint set", plus the /_lab/ side channel. While kube-apiserver is not up (an empty lab before `talosctl
// bootstrap`), every non-/_lab/ request has its connection destroyed: clients see EOF / connection reset.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { ApiContext } from './context.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.js';
import { openapiGroupVersion, openapiIndex, parseOpenapiPath } from './openapi.js';
import { handleExecUpgrade } from './exec.js';
import { handleResource } from './resource.js';
import { sendError, sendJson } from './respond.js';
import { parseResourcePath, resolveRoute } from './route.js';
import { isServiceProxy, proxyService } from './service-proxy.js';

export interface ServerOptions {
  /** whether kube-apiserver answers (default: always); /_lab/ answers regardless */
  available?: () => boolean;
  /** kube-apiserver is restarting (a fault, or a lone control plane rebooting): 503 ServiceUnavailable, as an API
   *  server answers while it is not ready (or a load balancer in front of it with no healthy backend) */
  serviceUnavailable?: () => boolean;
}

export function createApiServer(ctx: ApiContext, opts: ServerOptions = {}): Server {
  const server = createServer((req, res) => {
    // kubectl sends no credentials over plain HTTP (client-go tools/clientcmd/client_config.go: user identification
    // only when the transport is TLS), so a ServiceAccount's kubeconfig carries its token in the server URL's path:
    // http://127.0.0.1:PORT/_sa/<token>. The prefix is taken off here; the authorizer reads the token.
    takeToken(req);
    if (opts.available && !opts.available() && !(req.url ?? '').startsWith('/_lab/')) return void req.socket.destroy();
    if (opts.serviceUnavailable?.() && !(req.url ?? '').startsWith('/_lab/')) {
      // apimachinery pkg/api/errors NewServiceUnavailable: reason ServiceUnavailable, code 503
      return void sendJson(res, 503, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server is currently unable to handle the request', reason: 'ServiceUnavailable', code: 503 });
    }
    route(ctx, req, res).catch((err) => sendError(res, err));
  });
  // kubectl exec (>= 1.30) upgrades to a websocket: lab/http/exec.ts
  server.on('upgrade', (req, socket, head) => {
    takeToken(req);
    if (opts.available && !opts.available()) return void socket.destroy();
    handleExecUpgrade(ctx, req, socket, head);
  });
  server.keepAliveTimeout = 60_000;
  server.requestTimeout = 0; // a fake CLI holds its request while a long command (upgrade --wait) runs
  return server;
}

/** The ServiceAccount token a kubeconfig carries in its server URL's path (/_sa/<token>/...) goes to the authorizer. */
function takeToken(req: IncomingMessage): void {
  const sa = /^\/_sa\/([^/?]+)(.*)$/.exec(req.url ?? '');
  if (!sa) return;
  (req as { labToken?: string }).labToken = decodeURIComponent(sa[1]!);
  req.url = sa[2] && sa[2].startsWith('/') ? sa[2] : `/${sa[2] ?? ''}`;
}

async function route(ctx: ApiContext, req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://lab');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const q = url.searchParams;
  if (path.startsWith('/_lab/') && ctx.labApi && (await ctx.labApi(req, res, path))) return;
  if (path === '/version') return sendJson(res, 200, versionInfo(ctx.gitVersion));
  if (path === '/healthz' || path === '/livez' || path === '/readyz') {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache, private' });
    return void res.end('ok');
  }
  // plain JSON discovery; kubectl falls back to it from aggregated discovery (kubectl-protocol.md "Discovery")
  if (path === '/api') return sendJson(res, 200, apiVersions(ctx.serverAddress()));
  if (path === '/apis') return sendJson(res, 200, apiGroupList(ctx.registry));
  if (path === '/openapi/v3') return sendJson(res, 200, openapiIndex(ctx.registry));
  if (path.startsWith('/openapi/v3/')) {
    const gv = parseOpenapiPath(path);
    const doc = gv && openapiGroupVersion(ctx.registry, gv[0], gv[1]);
    if (doc) return sendJson(res, 200, doc);
  }
  if (isServiceProxy(url.pathname)) return proxyService(ctx, req, res, url.pathname, url.search);
  const parsed = parseResourcePath(path);
  if (parsed) {
    const { group, version, rest } = parsed;
    if (rest.length === 0) {
      const list = apiResourceList(ctx.registry, group, version);
      if (list) return sendJson(res, 200, list);
    } else if (rest.length > 0) {
      const r = resolveRoute(group, version, rest, ctx.registry);
      ctx.authorizer?.check(req, r, q);
      return handleResource(ctx, req, res, r, q);
    }
  }
  const m = /^\/apis\/([^/]+)$/.exec(path);
  const g = m && apiGroup(ctx.registry, m[1]!);
  if (g) return sendJson(res, 200, g);
  // /openapi/v2 and anything else: the mux's plain 404 (kubectl-protocol.md: v2 must 404 so kubectl uses v3)
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache, private', 'X-Content-Type-Options': 'nosniff' });
  res.end('404 page not found\n');
}
