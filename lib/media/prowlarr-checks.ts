// Prowlarr against the *arr apps it feeds (Prowlarr src/Prowlarr.Api.V1): an application per configured *arr whose
// baseUrl reaches that *arr, at syncLevel fullSync (disabled|addOnly|fullSync), whose test passes
// (/applications/testall); every enabled Prowlarr indexer present in each fullSync *arr as "<Name> (Prowlarr)" (how
// Prowlarr names the indexers it creates: src/NzbDrone.Core/Applications/Sonarr/Sonarr.cs); a test search answered.
import { fail, ok, warn, type Finding } from '../health/findings.ts';
import { httpProblem } from './guard.ts';
import { fieldOf, type ProviderField } from './arr-checks.ts';
import { isArr, title, type MediaStack, type Service } from './stack.ts';

interface AppResource { id: number; name: string; implementation: string; syncLevel: string; fields: ProviderField[] }

/** host:port the *arr is reached at from inside the cluster (Service DNS) or its URL */
export function arrAddress(s: Service): { host: string; port: number } {
  if (s.endpoint.service) return { host: `${s.endpoint.service.name}.${s.endpoint.service.namespace}.svc.cluster.local`, port: Number(s.endpoint.service.port) };
  const u = new URL(s.config.url!);
  return { host: u.hostname, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)) };
}

/** whether a configured baseUrl (what Prowlarr calls) reaches this *arr: same port, and the same host or Service name */
export function reaches(baseUrl: string, s: Service): boolean {
  let u: URL;
  try { u = new URL(baseUrl); } catch { return false; }
  const a = arrAddress(s);
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  if (port !== a.port) return false;
  if (u.hostname === a.host) return true;
  const svc = s.endpoint.service;
  return !!svc && (u.hostname === svc.name || u.hostname === `${svc.name}.${svc.namespace}` || u.hostname === `${svc.name}.${svc.namespace}.svc`);
}

export async function prowlarrFindings(stack: MediaStack, p: Service): Promise<Finding[]> {
  const out: Finding[] = [];
  const st = await stack.api(p, 'GET', '/system/status');
  if (st.status !== 200) return [fail(p.name, st.status === 401 ? 'api key' : 'reachable', httpProblem(p, st.status, `${p.endpoint.where}/system/status`))];
  out.push(ok(p.name, 'reachable', `Prowlarr ${st.body?.version ?? '?'} at ${p.endpoint.where}, key from ${p.key?.source}`));
  const indexers = ((await stack.api(p, 'GET', '/indexer')).body ?? []) as { id: number; name: string; enable: boolean }[];
  const on = indexers.filter((i) => i.enable);
  out.push(on.length ? ok(p.name, 'indexers', `${on.length} enabled: ${on.map((i) => i.name).join(', ')}`) : fail(p.name, 'indexers', 'no enabled indexer'));
  const apps = ((await stack.api(p, 'GET', '/applications')).body ?? []) as AppResource[];
  const test = await stack.api(p, 'POST', '/applications/testall');
  const testFailures = new Map<number, string>(((test.status === 400 ? test.body : []) as { id: number; isValid: boolean; validationFailures: { errorMessage: string }[] }[])
    .filter((t) => !t.isValid).map((t) => [t.id, t.validationFailures.map((v) => v.errorMessage).join('; ')]));
  for (const arr of stack.services.filter((s) => isArr(s.kind))) {
    const app = apps.find((a) => a.implementation.toLowerCase() === arr.kind && reaches(String(fieldOf(a, 'baseUrl') ?? ''), arr));
    const a = arrAddress(arr);
    if (!app) {
      out.push(fail(p.name, 'applications', `no ${title(arr.kind)} application for ${arr.name}: expected one with baseUrl http://${a.host}:${a.port} and syncLevel fullSync`));
      out.push(...await syncFindings(stack, p, arr, on));
      continue;
    }
    if (app.syncLevel !== 'fullSync') out.push(warn(p.name, 'applications', `${app.name}: syncLevel ${app.syncLevel}, expected fullSync (indexer changes do not reach ${arr.name})`));
    if (testFailures.has(app.id)) out.push(fail(p.name, 'applications', `${app.name}: test failed: ${testFailures.get(app.id)}`));
    out.push(...await syncFindings(stack, p, arr, on));
  }
  if (on.length) {
    const r = await stack.api(p, 'GET', '/search?query=test&type=search&limit=10');
    const n = Array.isArray(r.body) ? r.body.length : 0;
    out.push(r.status !== 200 ? fail(p.name, 'search', httpProblem(p, r.status, 'a test search')) : n ? ok(p.name, 'search', `a test search answered ${n} result(s)`) : warn(p.name, 'search', `a test search on ${on.length} enabled indexer(s) answered nothing`));
  }
  return out;
}

async function syncFindings(stack: MediaStack, p: Service, arr: Service, on: { name: string }[]): Promise<Finding[]> {
  const have = ((await stack.api(arr, 'GET', '/indexer')).body ?? []) as { name: string }[];
  const missing = on.filter((i) => !have.some((h) => h.name === `${i.name} (Prowlarr)`)).map((i) => `${i.name} (Prowlarr)`);
  return missing.length
    ? [fail(p.name, 'sync', `${arr.name} lacks ${missing.join(', ')}: expected every enabled Prowlarr indexer there (Prowlarr: Sync App Indexers)`)]
    : [ok(p.name, 'sync', `${arr.name} has all ${on.length} Prowlarr indexer(s)`)];
}
