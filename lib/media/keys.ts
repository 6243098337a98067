// Where each media service's key comes from, resolved once per run: 1Password references in one batch (the secrets
// layer), Kubernetes Secrets, or the <ApiKey> of the app's config.xml read from its own pod with kubectl exec (the
// *arr apps write it there: Sonarr src/NzbDrone.Core/Configuration/ConfigFileProvider.cs). Every value is registered
// with the executor's redactor before use; messages name the source, never the value.
import type { TaskContext } from '../engine/types.ts';
import { secretSource } from '../secrets/onepassword.ts';
import type { SecretSourceConfig } from '../config/media.ts';
import type { KubeObject } from '../tools/kube-types.ts';
import type { Endpoint } from './http.ts';

export interface Resolved { value?: string; source: string; error?: string }

export const describeSource = (s: SecretSourceConfig): string =>
  typeof s === 'string' ? s : 'secret' in s ? `Secret ${s.secret} key ${s.key}` : `${s.configXml} in the app's pod`;

type Pod = KubeObject<{ containers: { name: string; image?: string; volumeMounts?: { mountPath: string }[] }[] }, { phase?: string }>;

const SERVICE_PODS = new WeakMap<TaskContext, Map<string, Promise<Pod[]>>>();

/** Pods behind a Service (its selector) that are Running, read once per run (keys, paths and mounts all ask). */
export function servicePods(ctx: TaskContext, namespace: string, service: string): Promise<Pod[]> {
  let perRun = SERVICE_PODS.get(ctx);
  if (!perRun) SERVICE_PODS.set(ctx, (perRun = new Map()));
  const key = `${namespace}/${service}`;
  let p = perRun.get(key);
  if (!p) { p = readServicePods(ctx, namespace, service); perRun.set(key, p); p.catch(() => perRun!.delete(key)); }
  return p;
}

async function readServicePods(ctx: TaskContext, namespace: string, service: string): Promise<Pod[]> {
  const svc = await ctx.kubectl.get<KubeObject<{ selector?: Record<string, string> }>>('service', service, namespace);
  const sel = svc?.spec?.selector;
  if (!sel || !Object.keys(sel).length) return [];
  const pods = await ctx.kubectl.list<Pod>('pods', { namespace, labels: Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(',') });
  return pods.filter((p) => p.status?.phase === 'Running');
}

async function fromConfigXml(ctx: TaskContext, ep: Endpoint, path: string): Promise<string> {
  if (!ep.service) throw new Error('configXml needs a Service');
  const [pod] = await servicePods(ctx, ep.service.namespace, ep.service.name);
  if (!pod) throw new Error(`no Running pod behind Service ${ep.service.namespace}/${ep.service.name} to read ${path} from`);
  const dir = path.replace(/\/[^/]*$/, '') || '/';
  const container = pod.spec!.containers.find((c) => (c.volumeMounts ?? []).some((m) => dir === m.mountPath || dir.startsWith(`${m.mountPath}/`))) ?? pod.spec!.containers[0]!;
  const r = await ctx.kubectl.execIn(ep.service.namespace, pod.metadata.name, container.name, ['cat', path]);
  if (r.exitCode !== 0) throw new Error(`could not read ${path} in pod ${pod.metadata.name}: ${(r.stderr || r.stdout).trim().split('\n').pop() ?? `exit ${r.exitCode}`}`);
  const xml = r.stdout;
  const key = /<ApiKey>\s*([^<\s]+)\s*<\/ApiKey>/.exec(xml)?.[1];
  if (!key) throw new Error(`${path} in pod ${pod.metadata.name} has no <ApiKey>`);
  return key;
}

async function fromSecret(ctx: TaskContext, ref: { secret: string; key: string }, namespace: string): Promise<string> {
  const [ns, name] = ref.secret.includes('/') ? ref.secret.split('/') as [string, string] : [namespace, ref.secret];
  const s = await ctx.kubectl.get<KubeObject & { data?: Record<string, string> }>('secret', name, ns);
  if (!s) throw new Error(`Secret ${ns}/${name} not found`);
  const v = s.data?.[ref.key];
  if (v === undefined) throw new Error(`Secret ${ns}/${name} has no key ${ref.key}`);
  return Buffer.from(v, 'base64').toString('utf8').trim();
}

/** Resolves every source asked for; a failure is kept per source (the service's checks report it), not thrown. */
export async function resolveSources(ctx: TaskContext, wanted: { id: string; source: SecretSourceConfig; endpoint: Endpoint }[], namespace: string): Promise<Map<string, Resolved>> {
  const out = new Map<string, Resolved>();
  const refs = wanted.filter((w) => typeof w.source === 'string').map((w) => w.source as string);
  let opValues: Map<string, string> | undefined;
  let opError: string | undefined;
  if (refs.length) opValues = await secretSource(ctx.exec, ctx.env).resolve(refs).catch((err: Error) => { opError = err.message; return undefined; });
  await Promise.all(wanted.map(async (w) => {
    const source = describeSource(w.source);
    try {
      const value = typeof w.source === 'string' ? opValues?.get(w.source) ?? (() => { throw new Error(opError ?? 'not resolved'); })()
        : 'secret' in w.source ? await fromSecret(ctx, w.source, namespace) : await fromConfigXml(ctx, w.endpoint, w.source.configXml);
      ctx.exec.registerSecret(value);
      out.set(w.id, { value, source });
    } catch (err) {
      out.set(w.id, { source, error: (err as Error).message });
    }
  }));
  return out;
}
