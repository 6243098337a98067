// Does an *arr see the download client's finished downloads where the client says they are? The client reports a
// path inside its own container (category savePath, absolute as is or relative to save_path, else save_path: qBittorrent
// WebUI API /app/preferences and /torrents/categories); the *arr rewrites it with its remote path mappings (host equal to
// the client's host, case-insensitive; remotePath a prefix: Sonarr RemotePathMappingService.RemapRemoteToLocal) and
// then opens it in its own container. For two Kubernetes Services the answer comes from their pods: the volume the
// client's path lies on, and where the *arr's pod mounts that same volume.
import { fail, ok, type Finding } from '../health/findings.ts';
import type { TaskContext } from '../engine/types.ts';
import type { KubeObject } from '../tools/kube-types.ts';
import { fieldOf, type DownloadClientResource } from './arr-checks.ts';
import { servicePods } from './keys.ts';
import { title, type MediaStack, type Service } from './stack.ts';

const CATEGORY_FIELD: Record<string, string> = { sonarr: 'tvCategory', radarr: 'movieCategory', lidarr: 'musicCategory' };
const slash = (p: string) => (p.endsWith('/') ? p : `${p}/`);
const under = (path: string, root: string) => path === root || path.startsWith(slash(root));

export interface QbitPaths { savePath: string; categories: Record<string, { name: string; savePath: string }> }

export function categoryPath(q: QbitPaths, category: string | undefined): string {
  const c = category ? q.categories[category]?.savePath : undefined;
  if (!c) return q.savePath.replace(/\/+$/, '');
  return (c.startsWith('/') ? c : `${slash(q.savePath)}${c}`).replace(/\/+$/, '');
}

export interface Mapping { host: string; remotePath: string; localPath: string }
export function remap(mappings: Mapping[], host: string, path: string): { path: string; mapping?: Mapping } {
  for (const m of mappings) {
    if (m.host.toLowerCase() !== host.toLowerCase() || !slash(path).startsWith(slash(m.remotePath))) continue;
    return { path: (slash(m.localPath) + slash(path).slice(slash(m.remotePath).length)).replace(/\/+$/, '') || '/', mapping: m };
  }
  return { path };
}

type PodSpec = { containers: { name: string; image?: string; volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[] }[]; volumes?: { name: string; persistentVolumeClaim?: { claimName: string; readOnly?: boolean }; nfs?: { server: string; path: string }; hostPath?: { path: string } }[] };

interface PodMount { container: string; image?: string; mountPath: string; readOnly: boolean; /** the volume, as people name it: "claim media-data", "NFS nas:/export" (with its subPath) */ source: string }

/** every volume mount of the pod's containers, with the volume it is */
function mountsOf(pod: KubeObject<PodSpec>): PodMount[] {
  return pod.spec!.containers.flatMap((c) => (c.volumeMounts ?? []).map((m) => {
    const v = pod.spec!.volumes?.find((x) => x.name === m.name);
    const source = v?.persistentVolumeClaim ? `claim ${v.persistentVolumeClaim.claimName}` : v?.nfs ? `NFS ${v.nfs.server}:${v.nfs.path}` : v?.hostPath ? `host path ${v.hostPath.path}` : `volume ${m.name}`;
    return { container: c.name, ...(c.image ? { image: c.image } : {}), mountPath: m.mountPath, readOnly: m.readOnly === true || v?.persistentVolumeClaim?.readOnly === true, source: m.subPath ? `${source} (subPath ${m.subPath})` : source };
  }));
}

/** the mount `path` lies on (the longest mountPath that holds it) */
const mountOf = (mounts: PodMount[], path: string) => mounts.filter((m) => under(path, m.mountPath)).sort((a, b) => b.mountPath.length - a.mountPath.length)[0];

export async function pathFindings(ctx: TaskContext, stack: MediaStack, arr: Service, clients: DownloadClientResource[], qbit: Service | undefined, q: QbitPaths | undefined): Promise<Finding[]> {
  return (await pathVerdicts(ctx, stack, arr, clients, qbit, q)).map((v) => v.finding);
}

/** Each qBittorrent client of the *arr: the finding, and the remote path mapping that would fix a mismatch. */
export async function pathVerdicts(ctx: TaskContext, stack: MediaStack, arr: Service, clients: DownloadClientResource[], qbit: Service | undefined, q: QbitPaths | undefined): Promise<{ finding: Finding; suggest?: Mapping }[]> {
  const out: { finding: Finding; suggest?: Mapping }[] = [];
  const qclients = clients.filter((c) => c.enable && c.implementation === 'QBittorrent');
  if (!qclients.length || !qbit || !q) return out;
  const mappings = ((await stack.api(arr, 'GET', '/remotepathmapping')).body ?? []) as Mapping[];
  const k8s = arr.endpoint.service && qbit.endpoint.service;
  const [arrPod] = k8s ? await servicePods(ctx, arr.endpoint.service!.namespace, arr.endpoint.service!.name) : [];
  const [qPod] = k8s ? await servicePods(ctx, qbit.endpoint.service!.namespace, qbit.endpoint.service!.name) : [];
  for (const c of qclients) {
    const host = String(fieldOf(c, 'host') ?? '');
    const category = fieldOf(c, CATEGORY_FIELD[arr.kind] ?? '') as string | undefined;
    const saved = categoryPath(q, category);
    const { path: looks, mapping } = remap(mappings, host, saved);
    const what = `qBittorrent saves${category ? ` category ${category}` : ''} to ${saved}`;
    const via = mapping ? ` (remote path mapping ${mapping.host} ${mapping.remotePath} -> ${mapping.localPath})` : '';
    if (!arrPod || !qPod) {
      out.push({ finding: ok(arr.name, 'paths', `${what}; ${title(arr.kind)} looks in ${looks}${via}: not checked against the pods (not both Kubernetes Services); its health check covers it`) });
      continue;
    }
    const m = mountOf(mountsOf(qPod as KubeObject<PodSpec>).filter((x) => !/gluetun/.test(x.image ?? x.container)), saved);
    if (!m) { out.push({ finding: fail(arr.name, 'paths', `${what}, which is on no volume of the qBittorrent pod ${qPod.metadata.name}: downloads are lost when it restarts`) }); continue; }
    const sees = mountsOf(arrPod as KubeObject<PodSpec>).filter((x) => x.source === m.source).map((x) => x.mountPath);
    const rest = saved.slice(m.mountPath.length);
    const expected = sees.map((mp) => `${mp.replace(/\/$/, '')}${rest}`);
    if (!sees.length) { out.push({ finding: fail(arr.name, 'paths', `${what} on ${m.source}, which ${title(arr.kind)}'s pod does not mount: expected a mount of ${m.source} (at ${m.mountPath} to need no mapping)`) }); continue; }
    if (expected.includes(looks)) { out.push({ finding: ok(arr.name, 'paths', `${what} on ${m.source}; ${title(arr.kind)} sees it at ${looks}${via}`) }); continue; }
    const suggest = { host, remotePath: slash(m.mountPath), localPath: slash(sees[0]!) };
    out.push({ ...(mapping ? {} : { suggest }), finding: fail(arr.name, 'paths', `${what} on ${m.source}; ${title(arr.kind)} mounts it at ${sees[0]} and so sees the downloads at ${expected[0]}, but looks in ${looks}${via}: expected a remote path mapping host ${host} ${suggest.remotePath} -> ${suggest.localPath}`) });
  }
  return out;
}

/** Root folders must be writable for imports: for an *arr behind a Service, the mount each lies on in its pod must not
 *  be read-only (volumeMounts[].readOnly, or the claim mounted readOnly). */
export async function rootFolderMountFindings(ctx: TaskContext, arr: Service, folders: string[]): Promise<Finding[]> {
  if (!arr.endpoint.service || !folders.length) return [];
  const [pod] = await servicePods(ctx, arr.endpoint.service.namespace, arr.endpoint.service.name) as KubeObject<PodSpec>[];
  if (!pod) return [];
  const out: Finding[] = [];
  const mounts = mountsOf(pod);
  for (const f of folders) {
    const best = mountOf(mounts, f);
    if (!best) out.push(fail(arr.name, 'root folders', `${f} is on no volume of ${title(arr.kind)}'s pod ${pod.metadata.name}: imports would be lost when it restarts`));
    else if (best.readOnly) out.push(fail(arr.name, 'root folders', `${f} is on a read-only mount (${best.mountPath}) in ${title(arr.kind)}'s pod: expected it writable for imports`));
  }
  return out;
}
