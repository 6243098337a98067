// media:fix's repairs, planned from the stack as it is now (never from remembered state): a stale *arr key in
// Jellyseerr/Overseerr (PUT /api/v1/settings/<kind>/<id>), a stale key in a Prowlarr application (PUT
// /api/v1/applications/<id>), a missing Prowlarr application (POST /api/v1/applications, then the command
// ApplicationIndexerSync), a missing remote path mapping in an *arr (POST /remotepathmapping). Each repair knows its
// inverse; a previous value that is a key is kept in a 0600 file beside the run records, never in the record itself.
// Prowlarr masks stored keys ("********"), so a Prowlarr key repair cannot be undone to the old value: it says so.
import type { TaskContext } from '../engine/types.ts';
import { downloadClientFindings } from './arr-checks.ts';
import { qbitFindings } from './app-checks.ts';
import { pathVerdicts, type Mapping } from './paths.ts';
import { arrAddress, reaches } from './prowlarr-checks.ts';
import { isArr, title, type MediaStack, type Service } from './stack.ts';

export type UndoOp =
  | { op: 'seerr-key'; service: string; kind: 'sonarr' | 'radarr'; id: number; secret: string }
  | { op: 'delete-app'; service: string; id: number; name: string }
  | { op: 'delete-mapping'; service: string; id: number; mapping: Mapping }
  | { op: 'none'; service: string; why: string };

export interface Fix {
  service: string;
  setting: string;
  before: string;
  after: string;
  /** previous values the inverse needs that are keys: kept (0600) before apply() runs, never in the run record */
  secrets?: Record<string, string>;
  /** applies it and says how to put it back */
  apply(): Promise<UndoOp>;
}

// categories Prowlarr syncs by default per application (Prowlarr src/NzbDrone.Core/Applications/*/*Settings.cs)
const SYNC_CATEGORIES: Record<string, number[]> = { sonarr: [5000, 5010, 5020, 5030, 5040, 5045, 5050], radarr: [2000, 2010, 2020, 2030, 2040, 2045, 2050, 2060], lidarr: [3000, 3010, 3030, 3040, 3050, 3060] };

const expectOk = (status: number, what: string) => { if (status < 200 || status >= 300) throw new Error(`${what}: HTTP ${status}`); };

async function seerrFixes(stack: MediaStack, s: Service): Promise<Fix[]> {
  const out: Fix[] = [];
  for (const kind of ['sonarr', 'radarr'] as const) {
    const arrs = stack.of(kind).filter((a) => a.key?.value);
    if (!arrs.length) continue;
    const r = await stack.call(s, 'GET', `/api/v1/settings/${kind}`);
    if (r.status !== 200) continue;
    for (const e of (r.body ?? []) as { id: number; name: string; hostname: string; port: number; useSsl: boolean; apiKey: string }[]) {
      const arr = arrs.find((a) => reaches(`${e.useSsl ? 'https' : 'http'}://${e.hostname}:${e.port}`, a));
      if (!arr || e.apiKey === arr.key!.value) continue;
      stack.ctx.exec.registerSecret(e.apiKey);
      const secret = `${s.name}/${kind}/${e.id}`;
      out.push({
        service: s.name, setting: `${title(kind)} server "${e.name}" apiKey`, before: '(a stale key)', after: `${arr.name}'s key (${arr.key!.source})`,
        secrets: { [secret]: e.apiKey },
        apply: async () => {
          const put = await stack.call(s, 'PUT', `/api/v1/settings/${kind}/${e.id}`, { json: { ...e, apiKey: arr.key!.value } });
          expectOk(put.status, `PUT /api/v1/settings/${kind}/${e.id}`);
          return { op: 'seerr-key', service: s.name, kind, id: e.id, secret };
        },
      });
    }
  }
  return out;
}

interface AppResource { id: number; name: string; implementation: string; syncLevel: string; fields: { name: string; value: unknown }[] }

async function prowlarrFixes(stack: MediaStack, p: Service): Promise<Fix[]> {
  const out: Fix[] = [];
  const apps = ((await stack.api(p, 'GET', '/applications')).body ?? []) as AppResource[];
  const test = await stack.api(p, 'POST', '/applications/testall');
  const failing = new Set(((test.status === 400 ? test.body : []) as { id: number; isValid: boolean }[]).filter((t) => !t.isValid).map((t) => t.id));
  const prowlarrUrl = p.endpoint.service ? `http://${p.endpoint.service.name}.${p.endpoint.service.namespace}.svc.cluster.local:${p.endpoint.service.port}` : p.config.url!;
  for (const arr of stack.services.filter((s) => isArr(s.kind) && s.key?.value)) {
    const a = arrAddress(arr);
    const app = apps.find((x) => x.implementation.toLowerCase() === arr.kind && reaches(String(x.fields.find((f) => f.name === 'baseUrl')?.value ?? ''), arr));
    if (!app) {
      out.push({
        service: p.name, setting: `application ${title(arr.kind)}`, before: '(none)', after: `baseUrl http://${a.host}:${a.port}, prowlarrUrl ${prowlarrUrl}, syncLevel fullSync, ${arr.name}'s key`,
        apply: async () => {
          const body = {
            name: title(arr.kind), implementation: title(arr.kind), implementationName: title(arr.kind), configContract: `${title(arr.kind)}Settings`, syncLevel: 'fullSync', tags: [],
            fields: [{ name: 'prowlarrUrl', value: prowlarrUrl }, { name: 'baseUrl', value: `http://${a.host}:${a.port}` }, { name: 'apiKey', value: arr.key!.value }, { name: 'syncCategories', value: SYNC_CATEGORIES[arr.kind] }],
          };
          const r = await stack.api(p, 'POST', '/applications', body);
          expectOk(r.status, 'POST /api/v1/applications');
          // push the indexers now rather than at Prowlarr's next sync
          await stack.api(p, 'POST', '/command', { name: 'ApplicationIndexerSync', forceSync: true });
          return { op: 'delete-app', service: p.name, id: r.body.id, name: title(arr.kind) };
        },
      });
    } else if (failing.has(app.id)) {
      out.push({
        service: p.name, setting: `application ${app.name} apiKey`, before: '(a key the app rejects)', after: `${arr.name}'s key (${arr.key!.source})`,
        apply: async () => {
          const fields = app.fields.map((f) => (f.name === 'apiKey' ? { ...f, value: arr.key!.value } : f));
          const r = await stack.api(p, 'PUT', `/applications/${app.id}`, { ...app, fields });
          expectOk(r.status, `PUT /api/v1/applications/${app.id}`);
          return { op: 'none', service: p.name, why: `Prowlarr masks stored keys: application ${app.name}'s old key is not known` };
        },
      });
    }
  }
  return out;
}

async function pathFixes(stack: MediaStack): Promise<Fix[]> {
  const qbit = stack.of('qbittorrent')[0];
  if (!qbit) return [];
  const q = (await qbitFindings(stack, qbit)).paths;
  const out: Fix[] = [];
  for (const arr of stack.services.filter((s) => isArr(s.kind) && s.key?.value)) {
    const { clients } = await downloadClientFindings(stack, arr);
    for (const v of await pathVerdicts(stack.ctx, stack, arr, clients, qbit, q)) {
      const m = v.suggest;
      if (!m || out.some((f) => f.service === arr.name && f.setting.endsWith(`${m.remotePath} -> ${m.localPath}`))) continue;
      out.push({
        service: arr.name, setting: `remote path mapping ${m.host} ${m.remotePath} -> ${m.localPath}`, before: '(none)', after: 'added',
        apply: async () => {
          const r = await stack.api(arr, 'POST', '/remotepathmapping', m);
          expectOk(r.status, 'POST /remotepathmapping');
          return { op: 'delete-mapping', service: arr.name, id: r.body.id, mapping: m };
        },
      });
    }
  }
  return out;
}

export async function planFixes(_ctx: TaskContext, stack: MediaStack): Promise<Fix[]> {
  const groups = await Promise.all([
    ...[...stack.of('jellyseerr'), ...stack.of('overseerr')].map((s) => seerrFixes(stack, s)),
    ...stack.of('prowlarr').map((p) => prowlarrFixes(stack, p)),
    pathFixes(stack),
  ]);
  return groups.flat();
}

/** Puts one repair back. */
export async function undoFix(stack: MediaStack, u: UndoOp, secrets: Record<string, string>): Promise<void> {
  const s = stack.services.find((x) => x.name === u.service);
  if (!s) throw new Error(`service ${u.service} is no longer in media.services`);
  switch (u.op) {
    case 'none': return;
    // already gone (a second --undo, or removed by hand) is done: 404 NotFound
    case 'delete-app': { const st = (await stack.api(s, 'DELETE', `/applications/${u.id}`)).status; if (st !== 404) expectOk(st, `DELETE /api/v1/applications/${u.id}`); return; }
    case 'delete-mapping': { const st = (await stack.api(s, 'DELETE', `/remotepathmapping/${u.id}`)).status; if (st !== 404) expectOk(st, `DELETE /remotepathmapping/${u.id}`); return; }
    case 'seerr-key': {
      const old = secrets[u.secret];
      if (!old) throw new Error(`the previous key of ${u.service} ${u.kind} server ${u.id} is not in the undo file`);
      stack.ctx.exec.registerSecret(old);
      const entries = ((await stack.call(s, 'GET', `/api/v1/settings/${u.kind}`)).body ?? []) as { id: number }[];
      const e = entries.find((x) => x.id === u.id);
      if (!e) throw new Error(`${u.service} has no ${u.kind} server ${u.id} any more`);
      expectOk((await stack.call(s, 'PUT', `/api/v1/settings/${u.kind}/${u.id}`, { json: { ...e, apiKey: old } })).status, `PUT /api/v1/settings/${u.kind}/${u.id}`);
    }
  }
}

export function describeUndo(u: UndoOp): string {
  switch (u.op) {
    case 'none': return `${u.service}: cannot be undone (${u.why})`;
    case 'delete-app': return `${u.service}: delete application ${u.name} (#${u.id})`;
    case 'delete-mapping': return `${u.service}: delete remote path mapping ${u.mapping.host} ${u.mapping.remotePath} -> ${u.mapping.localPath} (#${u.id})`;
    case 'seerr-key': return `${u.service}: put back the previous apiKey of its ${u.kind} server #${u.id}`;
  }
}
