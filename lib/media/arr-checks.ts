// The checks of one Sonarr/Radarr/Lidarr (API v3/v1; field names from Sonarr src/Sonarr.Api.V3): the key accepted
// (/system/status), the app's own health warnings (/health: source, type, message), root folders accessible
// (/rootfolder), an enabled download client whose test passes (/downloadclient, POST /downloadclient/testall: 400 and
// validationFailures when one fails) and indexers whose test passes (/indexer, /indexer/testall).
import { fail, ok, warn, type Finding } from '../health/findings.ts';
import { httpProblem } from './guard.ts';
import { title, type MediaStack, type Service } from './stack.ts';

export interface ProviderField { name: string; value: unknown }
export interface DownloadClientResource { id: number; name: string; enable: boolean; implementation: string; fields: ProviderField[] }
export const fieldOf = (r: { fields: ProviderField[] }, name: string) => r.fields.find((f) => f.name === name)?.value;

/** The key and the app answer: false when nothing else can be checked. */
export async function arrReachable(stack: MediaStack, s: Service, out: Finding[]): Promise<boolean> {
  const r = await stack.api(s, 'GET', '/system/status');
  if (r.status !== 200) { out.push(fail(s.name, r.status === 401 ? 'api key' : 'reachable', httpProblem(s, r.status, `${s.endpoint.where}/system/status`))); return false; }
  out.push(ok(s.name, 'reachable', `${r.body?.appName ?? title(s.kind)} ${r.body?.version ?? '?'} at ${s.endpoint.where}, key from ${s.key?.source}`));
  return true;
}

export async function healthFindings(stack: MediaStack, s: Service): Promise<Finding[]> {
  const r = await stack.api(s, 'GET', '/health');
  if (r.status !== 200) return [fail(s.name, 'health', httpProblem(s, r.status, '/health'))];
  const items = (r.body ?? []) as { source: string; type: string; message: string }[];
  const out = items.filter((h) => h.type === 'error' || h.type === 'warning')
    .map((h) => (h.type === 'error' ? fail : warn)(s.name, `health ${h.source}`, h.message));
  return out.length ? out : [ok(s.name, 'health', `no warning from ${title(s.kind)}`)];
}

export async function rootFolderFindings(stack: MediaStack, s: Service): Promise<{ findings: Finding[]; folders: string[] }> {
  const r = await stack.api(s, 'GET', '/rootfolder');
  const folders = (r.body ?? []) as { path: string; accessible: boolean; freeSpace?: number }[];
  if (!folders.length) return { folders: [], findings: [fail(s.name, 'root folders', 'no root folder: expected at least one (Settings > Media Management)')] };
  return { folders: folders.map((f) => f.path), findings: folders.map((f) => (f.accessible
    ? ok(s.name, 'root folders', `${f.path} accessible${f.freeSpace !== undefined ? `, ${Math.round(f.freeSpace / 1e9)} GB free` : ''}`)
    : fail(s.name, 'root folders', `${f.path} not accessible to ${title(s.kind)}: expected the folder to exist on a volume the app mounts`))) };
}

async function testAll(stack: MediaStack, s: Service, what: 'downloadclient' | 'indexer', names: Map<number, string>): Promise<string[]> {
  const r = await stack.api(s, 'POST', `/${what}/testall`);
  if (r.status === 200) return [];
  if (r.status !== 400) return [httpProblem(s, r.status, `/${what}/testall`)];
  return ((r.body ?? []) as { id: number; isValid: boolean; validationFailures: { errorMessage: string }[] }[])
    .filter((t) => !t.isValid).map((t) => `${names.get(t.id) ?? `#${t.id}`}: ${t.validationFailures.map((v) => v.errorMessage).join('; ')}`);
}

export async function downloadClientFindings(stack: MediaStack, s: Service): Promise<{ findings: Finding[]; clients: DownloadClientResource[] }> {
  const clients = ((await stack.api(s, 'GET', '/downloadclient')).body ?? []) as DownloadClientResource[];
  const on = clients.filter((c) => c.enable);
  if (!on.length) return { clients, findings: [fail(s.name, 'download client', 'no enabled download client: expected one (Settings > Download Clients)')] };
  const failures = await testAll(stack, s, 'downloadclient', new Map(on.map((c) => [c.id, c.name])));
  return {
    clients,
    findings: failures.length ? failures.map((m) => fail(s.name, 'download client', `test failed: ${m}`))
      : [ok(s.name, 'download client', on.map((c) => `${c.name} (${fieldOf(c, 'host')}:${fieldOf(c, 'port')})`).join(', ') + ' test passed')],
  };
}

export async function indexerFindings(stack: MediaStack, s: Service): Promise<Finding[]> {
  const indexers = ((await stack.api(s, 'GET', '/indexer')).body ?? []) as { id: number; name: string; enableRss: boolean; enableAutomaticSearch: boolean }[];
  const on = indexers.filter((i) => i.enableRss || i.enableAutomaticSearch);
  if (!on.length) return [fail(s.name, 'indexers', 'no enabled indexer: expected Prowlarr to sync its indexers here')];
  const failures = await testAll(stack, s, 'indexer', new Map(on.map((i) => [i.id, i.name])));
  return failures.length ? failures.map((m) => fail(s.name, 'indexers', `test failed: ${m}`)) : [ok(s.name, 'indexers', `${on.length} enabled, test passed`)];
}
