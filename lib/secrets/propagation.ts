// secrets:verify-propagation's pieces: which 1Password field an ExternalSecret syncs into which Secret key
// (external-secrets.io/v1 spec.data[].remoteRef {key: item, property: field} or spec.dataFrom[].extract.key; the
// store's vault from provider.onepasswordSDK.vault or provider.onepassword.vaults), which pods consume that key (env
// valueFrom.secretKeyRef / envFrom.secretRef, or a secret volume and the file it holds), and how to read what a pod
// sees (printenv, cat). Forcing a sync is the documented annotation (external-secrets docs "Force refresh":
// `kubectl annotate es NAME force-sync=$(date +%s) --overwrite`).
import type { TaskContext } from '../engine/types.ts';
import type { KubeObject } from '../tools/kube-types.ts';

type Es = KubeObject<{
  secretStoreRef?: { name: string; kind?: string };
  target?: { name?: string };
  data?: { secretKey: string; remoteRef: { key: string; property?: string } }[];
  dataFrom?: { extract?: { key: string } }[];
}, { refreshTime?: string }>;
type Store = KubeObject<{ provider?: { onepasswordSDK?: { vault?: string }; onepassword?: { vaults?: Record<string, number> } } }>;

export interface Synced { namespace: string; name: string; vault: string; item: string; field: string; secret: string; key: string }

export async function syncedField(ctx: TaskContext, ref: string, field: string): Promise<Synced | string> {
  const [namespace, name] = ref.split('/') as [string, string];
  const es = await ctx.kubectl.get<Es>('externalsecrets.external-secrets.io', name, namespace);
  if (!es) return `ExternalSecret ${ref} not found`;
  const sref = es.spec?.secretStoreRef;
  const store = sref && await ctx.kubectl.get<Store>(sref.kind === 'SecretStore' ? 'secretstores.external-secrets.io' : 'clustersecretstores.external-secrets.io', sref.name, sref.kind === 'SecretStore' ? namespace : undefined);
  const vault = store?.spec?.provider?.onepasswordSDK?.vault ?? Object.keys(store?.spec?.provider?.onepassword?.vaults ?? {})[0];
  if (!vault) return `ExternalSecret ${ref}: its store ${sref?.kind ?? 'ClusterSecretStore'} ${sref?.name ?? '?'} is not a 1Password store with a vault`;
  const secret = es.spec?.target?.name ?? name;
  const d = (es.spec?.data ?? []).find((x) => x.remoteRef.property === field);
  if (d) return { namespace, name, vault, item: d.remoteRef.key, field, secret, key: d.secretKey };
  const x = (es.spec?.dataFrom ?? []).find((y) => y.extract?.key);
  if (x) return { namespace, name, vault, item: x.extract!.key, field, secret, key: field };
  return `ExternalSecret ${ref} syncs no field "${field}": expected a data entry with remoteRef.property ${field} (a text field kept for this check), or dataFrom.extract of its item`;
}

export interface Consumer { pod: string; container: string; how: 'env' | 'file'; name: string; owner?: string }

type Pod = KubeObject<{
  containers: { name: string; env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[]; envFrom?: { prefix?: string; secretRef?: { name: string } }[]; volumeMounts?: { name: string; mountPath: string; subPath?: string }[] }[];
  volumes?: { name: string; secret?: { secretName: string; items?: { key: string; path: string }[] } }[];
}, { phase?: string }>;

/** Running pods that use the Secret's key, with how: an env variable, or a file of a secret volume. */
export async function consumers(ctx: TaskContext, s: Synced): Promise<Consumer[]> {
  const out: Consumer[] = [];
  for (const p of await ctx.kubectl.list<Pod>('pods', { namespace: s.namespace })) {
    if (p.status?.phase !== 'Running' || p.metadata.deletionTimestamp) continue;
    const owner = p.metadata.ownerReferences?.[0];
    const ownerName = owner?.kind === 'ReplicaSet' ? `deployment/${owner.name.replace(/-[a-z0-9]+$/, '')}` : owner ? `${owner.kind.toLowerCase()}/${owner.name}` : undefined;
    for (const c of p.spec?.containers ?? []) {
      const env = (c.env ?? []).find((e) => e.valueFrom?.secretKeyRef?.name === s.secret && e.valueFrom.secretKeyRef.key === s.key);
      const from = (c.envFrom ?? []).find((e) => e.secretRef?.name === s.secret);
      if (env || from) out.push({ pod: p.metadata.name, container: c.name, how: 'env', name: env ? env.name : `${from!.prefix ?? ''}${s.key}`, ...(ownerName ? { owner: ownerName } : {}) });
      for (const m of c.volumeMounts ?? []) {
        const v = (p.spec?.volumes ?? []).find((x) => x.name === m.name && x.secret?.secretName === s.secret);
        if (!v) continue;
        const path = v.secret!.items ? v.secret!.items.find((i) => i.key === s.key)?.path : s.key;
        if (!path || m.subPath) continue; // a subPath mount never sees updates (kubernetes.io/docs/concepts/configuration/secret)
        out.push({ pod: p.metadata.name, container: c.name, how: 'file', name: `${m.mountPath.replace(/\/$/, '')}/${path}`, ...(ownerName ? { owner: ownerName } : {}) });
      }
    }
  }
  return out;
}

/** what the consumer sees now, or undefined when it cannot be read */
export async function seenBy(ctx: TaskContext, ns: string, c: Consumer): Promise<string | undefined> {
  const r = await ctx.kubectl.execIn(ns, c.pod, c.container, c.how === 'env' ? ['printenv', c.name] : ['cat', c.name]);
  return r.exitCode === 0 ? r.stdout.replace(/\n$/, '') : undefined;
}

export async function secretValue(ctx: TaskContext, s: Synced): Promise<string | undefined> {
  const o = await ctx.kubectl.get<KubeObject & { data?: Record<string, string> }>('secret', s.secret, s.namespace);
  const v = o?.data?.[s.key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

export async function forceSync(ctx: TaskContext, s: Synced): Promise<void> {
  await ctx.kubectl.mutate(['annotate', 'externalsecrets.external-secrets.io', s.name, '--namespace', s.namespace, `force-sync=${Date.now()}`, '--overwrite']);
}
