// GET pods/<name>/log: the container picked as the API server picks it (pkg/registry/core/pod/strategy.go LogLocation),
// the kubelet's refusals (pkg/kubelet/kubelet_pods.go validateContainerLogStatus, which the API server passes on as
// 400 BadRequest), then
// what the container printed, as text/plain. tailLines and limitBytes apply; timestamps and sinceSeconds are ignored;
// follow=true of a running container streams what it printed so far, then new output, until it stops (or the client
// goes); of a container not running yet it waits until it has run and returns everything.
import type { ServerResponse } from 'node:http';
import { errors } from '../store/errors.js';
import type { KObject } from '../store/types.js';
import type { ApiContext } from './context.js';
import { BASE_HEADERS } from './respond.js';

const FOLLOW_MAX_MS = 10 * 60_000;

export async function podLog(ctx: ApiContext, res: ServerResponse, ns: string, name: string, q: URLSearchParams): Promise<void> {
  let pod = ctx.store.get('pods', ns, name);
  const container = pickContainer(pod, q.get('container') ?? '');
  // LogLocation: a pod without a node yet has no log location, and the reply is an empty stream
  if (!pod.spec?.nodeName) return sendText(res, '');
  const previous = q.get('previous') === 'true';
  if (q.get('follow') === 'true' && !previous) {
    const st = (pod.status?.containerStatuses ?? []).find((s: any) => s.name === container);
    if (st?.state?.running) return streamFollow(ctx, res, ns, name, container, q);
    const followed = await follow(ctx, res, ns, name, container);
    if (!followed) return;
    pod = followed;
  }
  checkLogStatus(pod, container, previous);
  sendText(res, limit(ctx.podLogs?.(pod, container, previous) ?? '', q));
}

/** follow of a running container, as the kubelet streams it: what it printed so far at once, then each new part as it
 *  comes, until the container stops, the client goes or FOLLOW_MAX_MS passes */
async function streamFollow(ctx: ApiContext, res: ServerResponse, ns: string, name: string, container: string, q: URLSearchParams): Promise<void> {
  res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  let gone = false;
  res.once('close', () => { gone = true; });
  let sent = 0;
  const flush = (pod: KObject) => {
    const text = ctx.podLogs?.(pod, container, false) ?? '';
    const out = sent === 0 ? limit(text, q) : text.slice(sent);
    if (out) res.write(out);
    sent = text.length;
  };
  const deadline = Date.now() + FOLLOW_MAX_MS;
  for (;;) {
    const pod = ctx.store.find('pods', ns, name);
    if (pod) flush(pod);
    const st = (pod?.status?.containerStatuses ?? []).find((s: any) => s.name === container);
    if (gone || !pod || !st?.state?.running || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!gone) res.end();
}

function pickContainer(pod: KObject, asked: string): string {
  const name = pod.metadata.name!;
  const names: string[] = (pod.spec?.containers ?? []).map((c: any) => c.name);
  const init: string[] = (pod.spec?.initContainers ?? []).map((c: any) => c.name);
  const ephemeral: string[] = (pod.spec?.ephemeralContainers ?? []).map((c: any) => c.name);
  if (asked) {
    if (![...names, ...init, ...ephemeral].includes(asked)) throw errors.badRequest(`container ${asked} is not valid for pod ${name}`);
    return asked;
  }
  if (names.length === 1) return names[0]!;
  if (!names.length) throw errors.badRequest(`a container name must be specified for pod ${name}`);
  const more = init.length ? ` or one of the init containers: [${init.join(' ')}]` : '';
  throw errors.badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]${more}`);
}

function checkLogStatus(pod: KObject, container: string, previous: boolean): void {
  const name = pod.metadata.name!;
  const all: any[] = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])];
  const st = all.find((s) => s.name === container);
  if (!st) throw errors.badRequest(`container "${container}" in pod "${name}" is not available`);
  const last = st.lastState?.terminated;
  if (previous) {
    if (!last?.containerID) throw errors.badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    return;
  }
  if (st.state?.running || st.state?.terminated || last) return;
  if (st.state?.waiting) throw errors.badRequest(`container "${container}" in pod "${name}" is waiting to start: ${st.state.waiting.reason}`);
}

/** Waits while the container runs; undefined when the client went away. */
async function follow(ctx: ApiContext, res: ServerResponse, ns: string, name: string, container: string): Promise<KObject | undefined> {
  let gone = false;
  res.once('close', () => { gone = true; });
  const deadline = Date.now() + FOLLOW_MAX_MS;
  for (;;) {
    const pod = ctx.store.find('pods', ns, name);
    if (!pod) throw errors.notFound({ group: '', resource: 'pods', name });
    const st = (pod.status?.containerStatuses ?? []).find((s: any) => s.name === container);
    if (!st?.state?.running || Date.now() > deadline) return pod;
    await new Promise((r) => setTimeout(r, 50));
    if (gone) return undefined;
  }
}

function limit(text: string, q: URLSearchParams): string {
  let out = text;
  const tail = q.get('tailLines');
  if (tail !== null && /^\d+$/.test(tail)) {
    const lines = out.split('\n');
    const trailing = lines.at(-1) === '' ? lines.pop() : undefined;
    out = lines.slice(Math.max(0, lines.length - Number(tail))).join('\n') + (trailing !== undefined && Number(tail) > 0 ? '\n' : '');
  }
  const bytes = q.get('limitBytes');
  if (bytes !== null && /^\d+$/.test(bytes)) out = Buffer.from(out).subarray(0, Number(bytes)).toString('utf8');
  return out;
}

function sendText(res: ServerResponse, text: string): void {
  res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
