// Watch streams: chunked JSON lines {"type","object"}. RV 0/"" starts with synthetic ADDED events for the current
// state; another RV replays the history after it (410 Expired in-stream when compacted). Headers are flushed at once
// and client disconnects are seen on res 'close' (reference/kubectl-protocol.md "watch").
import type { ServerResponse } from 'node:http';
import { errors } from '../store/errors.js';
import { parseFieldSelector, parseLabelSelector } from '../store/selectors.js';
import type { KObject, StoreEvent } from '../store/types.js';
import { groupResource, type KindDef } from '../kinds/types.js';
import type { ApiContext } from './context.js';
import { includeObjectOf } from './list.js';
import { BASE_HEADERS } from './respond.js';
import { acceptsTable, renderTable } from './table.js';

export function watchResource(ctx: ApiContext, res: ServerResponse, kind: KindDef, namespace: string | undefined, q: URLSearchParams, accept: string | undefined): void {
  const gr = groupResource(kind);
  const labels = parseLabelSelector(q.get('labelSelector') ?? '');
  const fields = parseFieldSelector(q.get('fieldSelector') ?? '', ['metadata.name', 'metadata.namespace', ...(kind.fieldSelectors ?? [])]);
  const matches = (o: KObject | undefined) =>
    !!o && (namespace === undefined || o.metadata.namespace === namespace) && labels(o.metadata.labels) && fields(o);
  const table = acceptsTable(accept);
  let first = true;

  res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();

  const write = (type: string, object: unknown) => {
    if (table && type !== 'ERROR' && type !== 'BOOKMARK') {
      object = renderTable(kind, [object as KObject], {
        version: table, include: includeObjectOf(q), now: ctx.now(), resourceVersion: (object as KObject).metadata.resourceVersion ?? '', withColumns: first,
      });
      first = false;
    }
    res.write(JSON.stringify({ type, object }) + '\n');
  };
  // an object moving in or out of the selection is ADDED / DELETED for this watcher (cacher.go watchCacheEvent)
  const deliver = (ev: StoreEvent) => {
    if (ev.resource !== gr) return;
    const now = ev.type === 'DELETED' ? false : matches(ev.object);
    const before = ev.type === 'ADDED' ? false : matches(ev.prev);
    if (now && !before) write('ADDED', ev.object);
    else if (now && before) write('MODIFIED', ev.object);
    else if (!now && before) write('DELETED', ev.object);
  };

  const rv = q.get('resourceVersion') ?? '';
  if (rv === '' || rv === '0') {
    for (const o of ctx.store.list(gr, namespace !== undefined ? { namespace } : {}).items) if (matches(o)) write('ADDED', o);
  } else {
    const backlog = ctx.store.history.since(Number(rv));
    if (backlog === 'expired') {
      write('ERROR', errors.expired(`too old resource version: ${rv} (${ctx.store.resourceVersion})`).body);
      res.end();
      return;
    }
    for (const ev of backlog) deliver(ev);
  }
  const unsubscribe = ctx.store.listen(deliver);

  const timers: NodeJS.Timeout[] = [];
  const timeout = Number(q.get('timeoutSeconds') ?? 1800);
  timers.push(setTimeout(() => res.end(), timeout * 1000));
  if (q.get('allowWatchBookmarks') === 'true') {
    const kindMeta = { kind: kind.kind, apiVersion: kind.group ? `${kind.group}/${kind.version}` : kind.version };
    timers.push(setInterval(() => write('BOOKMARK', { ...kindMeta, metadata: { resourceVersion: String(ctx.store.resourceVersion) } }), 5000));
  }
  res.on('close', () => {
    unsubscribe();
    for (const t of timers) clearTimeout(t);
  });
}
