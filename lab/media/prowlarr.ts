// A fake Prowlarr (API v1, Prowlarr/Prowlarr src/Prowlarr.Api.V1): system/status, health (ApplicationStatusCheck when
// an application cannot be reached with its key), applications (syncLevel disabled|addOnly|fullSync, fields
// prowlarrUrl/baseUrl/apiKey with the key masked; testall; create and update), indexer, search, and the command
// ApplicationIndexerSync that pushes every enabled indexer into each fullSync application as "<Name> (Prowlarr)".
import { json, text, type MediaAnswer, type MediaRequest } from './http.js';
import { keyOf } from './arr.js';
import { arrAt, hostPort } from './reach.js';
import type { MediaWorld, ProwlarrApp } from './world.js';

const MASK = '********';
const appResource = (a: ProwlarrApp) => ({
  id: a.id, name: a.name, syncLevel: a.syncLevel, implementation: a.implementation, implementationName: a.implementation, configContract: `${a.implementation}Settings`, tags: [],
  fields: [{ name: 'prowlarrUrl', value: a.prowlarrUrl }, { name: 'baseUrl', value: a.baseUrl }, { name: 'apiKey', value: MASK }, { name: 'syncCategories', value: [5000, 5030, 5040] }],
});

/** why the application cannot be synced, or undefined */
export function appFailure(w: MediaWorld, a: ProwlarrApp): string | undefined {
  let target;
  try { target = arrAt(w, ...hostPort(a.baseUrl)); } catch { return `Invalid URL ${a.baseUrl}`; }
  if (!target) return `Unable to complete application test, cannot connect to ${a.implementation}: ${a.baseUrl}`;
  if (target.apiKey !== a.apiKey) return `Unable to complete application test, ${a.implementation} returned 401 Unauthorized (API key)`;
  return undefined;
}

/** ApplicationIndexerSync: the indexers of every reachable fullSync application become Prowlarr's enabled indexers */
export function syncIndexers(w: MediaWorld): void {
  for (const app of w.prowlarr.applications) {
    if (app.syncLevel !== 'fullSync' || appFailure(w, app)) continue;
    const arr = arrAt(w, ...hostPort(app.baseUrl))!;
    arr.indexers = w.prowlarr.indexers.filter((i) => i.enable).map((i, n) => ({ id: n + 1, name: `${i.name} (Prowlarr)`, prowlarrId: i.id, enable: true, apiKey: w.prowlarr.apiKey }));
  }
}

function fieldsOf(body: any): Record<string, unknown> {
  return Object.fromEntries(((body?.fields ?? []) as { name: string; value: unknown }[]).map((f) => [f.name, f.value]));
}

export function prowlarrHandler(w: MediaWorld) {
  return (req: MediaRequest): MediaAnswer => {
    const p = w.prowlarr;
    if (req.path === '/ping') return json(200, { status: 'OK' });
    if (!req.path.startsWith('/api/v1')) return text(404, '');
    if (keyOf(req) !== p.apiKey) return text(401, '');
    const path = req.path.slice('/api/v1'.length);
    const id = Number(/\/(\d+)$/.exec(path)?.[1]);
    switch (`${req.method} ${path.replace(/\/\d+$/, '/{id}')}`) {
      case 'GET /system/status': return json(200, { appName: 'Prowlarr', instanceName: 'Prowlarr', version: p.version, urlBase: '', isDocker: true, authentication: 'forms', branch: 'master' });
      case 'GET /health': {
        const failing = p.applications.filter((a) => a.syncLevel !== 'disabled' && appFailure(w, a));
        return json(200, failing.length ? [{ id: 1, source: 'ApplicationStatusCheck', type: 'warning', message: `Applications unavailable due to failures: ${failing.map((a) => a.name).join(', ')}`, wikiUrl: 'https://wiki.servarr.com/prowlarr/system#applications-are-unavailable-due-to-failures' }] : []);
      }
      case 'GET /applications': return json(200, p.applications.map(appResource));
      case 'POST /applications/testall': {
        const r = p.applications.map((a) => ({ id: a.id, isValid: !appFailure(w, a), validationFailures: appFailure(w, a) ? [{ propertyName: 'ApiKey', errorMessage: appFailure(w, a), severity: 'error' }] : [] }));
        return json(r.every((x) => x.isValid) ? 200 : 400, r);
      }
      case 'POST /applications':
      case 'PUT /applications/{id}': {
        const f = fieldsOf(req.body);
        const old = req.method === 'PUT' ? p.applications.find((a) => a.id === id) : undefined;
        if (req.method === 'PUT' && !old) return json(404, { message: 'NotFound' });
        const app: ProwlarrApp = {
          id: old?.id ?? Math.max(0, ...p.applications.map((a) => a.id)) + 1,
          name: String(req.body?.name ?? old?.name), implementation: (req.body?.implementation ?? old?.implementation) as ProwlarrApp['implementation'],
          syncLevel: (req.body?.syncLevel ?? old?.syncLevel ?? 'fullSync') as ProwlarrApp['syncLevel'],
          prowlarrUrl: String(f.prowlarrUrl ?? old?.prowlarrUrl), baseUrl: String(f.baseUrl ?? old?.baseUrl),
          apiKey: f.apiKey === MASK || f.apiKey === undefined ? old?.apiKey ?? '' : String(f.apiKey),
        };
        if (old) p.applications[p.applications.indexOf(old)] = app; else p.applications.push(app);
        syncIndexers(w);
        return json(old ? 202 : 201, appResource(app));
      }
      case 'DELETE /applications/{id}': {
        p.applications = p.applications.filter((a) => a.id !== id);
        return json(200, {});
      }
      case 'GET /indexer': return json(200, p.indexers.map((i) => ({ id: i.id, name: i.name, enable: i.enable, protocol: i.protocol, priority: 25, appProfileId: 1, implementation: 'Cardigann', tags: [] })));
      case 'GET /search': {
        const q = req.query.get('query') ?? '';
        const on = p.indexers.filter((i) => i.enable);
        return json(200, q ? on.map((i, n) => ({ guid: `lab-${i.id}-${n}`, title: `${q} S01E01 1080p`, indexerId: i.id, indexer: i.name, size: 1_500_000_000, protocol: i.protocol, categories: [{ id: 5000, name: 'TV' }] })) : []);
      }
      case 'POST /command': {
        if (req.body?.name === 'ApplicationIndexerSync') syncIndexers(w);
        return json(201, { id: 1, name: req.body?.name, status: 'completed', queued: new Date().toISOString() });
      }
      default: return json(404, { message: 'NotFound' });
    }
  };
}
