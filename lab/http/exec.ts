// GET pods/<name>/exec upgraded to a websocket: the streaming protocol kubectl >= 1.30 speaks first
// (kubernetes/client-go tools/remotecommand/websocket.go; channel protocol k8s.io/apimachinery
// pkg/util/remotecommand/constants.go: v5.channel.k8s.io, v4.channel.k8s.io). Every binary message starts with its
// channel: 0 stdin, 1 stdout, 2 stderr, 3 error (a metav1.Status JSON: Success, or Failure with reason
// NonZeroExitCode and a cause {reason: ExitCode, message: "<n>"}: pkg/kubelet/cri/streaming/remotecommand/
// websocket.go + httpstream.go), 4 resize, 255 close. The lab runs the command to its end (no stdin, no TTY) and sends
// its output on stdout (stdout and stderr interleaved). A refusal before the upgrade is an HTTP error with a Status
// body, which kubectl prints as `unable to upgrade connection: <message>` after its SPDY fallback
// (client-go transport/spdy/spdy.go), so the SPDY request gets the same answer.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { errors, StatusError, type StatusBody } from '../store/errors.js';
import type { ApiContext } from './context.js';
import { parseResourcePath, resolveRoute } from './route.js';

const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const wss = new WebSocketServer({
  noServer: true,
  handleProtocols: (offered) => PROTOCOLS.find((p) => offered.has(p)) ?? false,
});

export function handleExecUpgrade(ctx: ApiContext, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  try {
    const url = new URL(req.url ?? '/', 'http://lab');
    const q = url.searchParams;
    const parsed = parseResourcePath(url.pathname.replace(/\/+$/, ''));
    const route = parsed && resolveRoute(parsed.group, parsed.version, parsed.rest, ctx.registry);
    if (!route || route.kind?.resource !== 'pods' || route.kind.group !== '' || route.subresource !== 'exec' || !route.name || !route.namespace) {
      throw errors.notFound({ group: '', resource: 'upgrade', name: url.pathname });
    }
    // RBAC for exec: "create" on pods/exec (kubernetes/kubernetes KEP-4006 and the 1.35 change for websockets)
    ctx.authorizer?.check(Object.assign(Object.create(req), { method: 'POST' }), route, q);
    const pod = ctx.store.get('pods', route.namespace, route.name);
    if (!ctx.podExec) throw errors.badRequest('this lab runs no containers');
    const container = ctx.podExec.check(pod, q.get('container') ?? '');
    const argv = q.getAll('command');
    if (!argv.length) throw errors.badRequest('you must specify at least 1 command');
    if (!/websocket/i.test(String(req.headers.upgrade ?? ''))) {
      throw errors.badRequest('the lab API server streams exec over websockets only (kubectl 1.30 or newer)');
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const abort = new AbortController();
      ws.on('close', () => abort.abort());
      ws.on('error', () => abort.abort());
      void ctx.podExec!.run(pod, container, argv, abort.signal).then((r) => {
        if (r.output) ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(r.output)]));
        const status = r.exitCode === 0 ? { metadata: {}, status: 'Success' } : {
          metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], exit code ${r.exitCode}`,
          reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(r.exitCode) }] },
        };
        ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify(status))]));
        ws.close(1000);
      });
    });
  } catch (err) {
    const body: StatusBody = err instanceof StatusError ? err.body : errors.internal(err instanceof Error ? err.message : String(err)).body;
    const text = JSON.stringify(body);
    socket.end(`HTTP/1.1 ${body.code} ${STATUS_CODES[body.code] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nCache-Control: no-cache, private\r\nConnection: close\r\n\r\n${text}`);
  }
}
