// The read-only checks of health:cluster, each over one kind of object, each returning findings with the value that
// fails. Fields: core/v1 Node, Pod and PersistentVolumeClaim status; Flux readiness as lib/flux/ready.ts reads it;
// Argo CD status.sync/health (argo-cd v1alpha1 types.go); cert-manager Certificate status.notAfter, renewalTime and
// the Ready condition (cert-manager.io/docs/reference/api-docs: CertificateStatus); VolSync ReplicationSource
// status.lastSyncTime and latestMoverStatus.result (volsync api/v1alpha1).
import { podProblem } from '../cluster-state.ts';
import type { TaskContext } from '../engine/types.ts';
import { fluxObjects } from '../flux/ready.ts';
import { APP } from '../gitops/argo.ts';
import { formatDuration } from '../patterns.ts';
import { condition, type Node, type Pod } from '../tools/kube-types.ts';
import type { KubeObject } from '../tools/kube-types.ts';
import { fail, ok, warn, type Finding } from './findings.ts';

const ref = (o: KubeObject) => `${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
const age = (iso: string | undefined, now: number) => (iso ? formatDuration(now - Date.parse(iso)) : '?');

export async function nodeFindings(ctx: TaskContext): Promise<Finding[]> {
  return (await ctx.kubectl.list<Node>('nodes')).map((n) => {
    const ready = condition(n, 'Ready');
    if (ready?.status !== 'True') return fail('nodes', n.metadata.name, `not Ready: ${ready?.reason ?? 'no Ready condition'}${ready?.message ? ` (${ready.message})` : ''}`);
    if (n.spec?.unschedulable) return warn('nodes', n.metadata.name, 'Ready but cordoned (SchedulingDisabled)');
    return ok('nodes', n.metadata.name, `Ready, kubelet ${n.status?.nodeInfo?.kubeletVersion ?? '?'}`);
  });
}

export async function podFindings(ctx: TaskContext): Promise<Finding[]> {
  const pods = await ctx.kubectl.list<Pod>('pods', { allNamespaces: true });
  const bad = pods.map(podProblem).filter((p) => p !== undefined);
  const out = bad.map((p) => fail('pods', `${p.namespace}/${p.name}`, `${p.phase}${p.reason ? `: ${p.reason}` : ''}${p.node ? ` on ${p.node}` : ''}`));
  // restarting often while Running: CrashLoopBackOff between crashes looks Running
  for (const p of pods) {
    const restarts = Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => c.restartCount));
    if (restarts >= 5 && !bad.some((b) => b.name === p.metadata.name && b.namespace === p.metadata.namespace)) out.push(warn('pods', ref(p), `${restarts} container restarts`));
  }
  return out.length ? out : [ok('pods', `${pods.length} pods`, 'every pod Running and Ready, or Succeeded')];
}

type Pvc = KubeObject<{ storageClassName?: string }, { phase?: string }>;
type StorageClass = KubeObject & { provisioner: string };
// the default StorageClass is the one annotated storageclass.kubernetes.io/is-default-class: "true"
// (kubernetes.io/docs/concepts/storage/storage-classes/#default-storageclass)
const DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
export async function volumeFindings(ctx: TaskContext, now = Date.now()): Promise<Finding[]> {
  const [pvcs, classes] = await Promise.all([ctx.kubectl.list<Pvc>('persistentvolumeclaims', { allNamespaces: true }), ctx.kubectl.list<StorageClass>('storageclasses.storage.k8s.io')]);
  const bad = pvcs.filter((p) => p.status?.phase !== 'Bound').map((p) => fail('volumes', ref(p), `PersistentVolumeClaim ${p.status?.phase ?? 'Pending'} for ${age(p.metadata.creationTimestamp, now)} (storage class ${p.spec?.storageClassName ?? 'default'})`));
  const out = bad.length ? bad : [ok('volumes', `${pvcs.length} claims`, 'every PersistentVolumeClaim Bound')];
  if (classes.length) {
    const defaults = classes.filter((c) => c.metadata.annotations?.[DEFAULT_CLASS] === 'true').map((c) => c.metadata.name);
    if (defaults.length > 1) out.push(warn('volumes', 'StorageClasses', `${defaults.length} default StorageClasses (${defaults.join(', ')}): a claim without storageClassName gets the newest`));
    else if (!defaults.length && pvcs.some((p) => !p.spec?.storageClassName)) out.push(warn('volumes', 'StorageClasses', `no default StorageClass, and claims without storageClassName wait for one`));
    else out.push(ok('volumes', 'StorageClasses', `${classes.map((c) => `${c.metadata.name} (${c.provisioner})`).join(', ')}${defaults.length ? `; default ${defaults[0]}` : ''}`));
  }
  return out;
}

type App = KubeObject & { status?: { sync?: { status?: string }; health?: { status?: string; message?: string } } };
export async function gitopsFindings(ctx: TaskContext): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const { state: s } of await fluxObjects(ctx)) {
    const object = `${s.kind} ${s.namespace}/${s.name}`;
    if (s.suspended) out.push(warn('gitops', object, 'suspended'));
    else if (!s.ready) out.push(fail('gitops', object, `not Ready: ${s.reason}${s.message ? ` (${s.message.replace(/\s+/g, ' ').slice(0, 160)})` : ''}`));
  }
  for (const a of (await ctx.kubectl.listServed<App>(APP, { allNamespaces: true })) ?? []) {
    const sync = a.status?.sync?.status ?? 'Unknown';
    const health = a.status?.health?.status ?? 'Unknown';
    if (sync !== 'Synced' || health !== 'Healthy') out.push(fail('gitops', `Application ${ref(a)}`, `${sync}, ${health}${a.status?.health?.message ? `: ${a.status.health.message}` : ''}`));
  }
  return out.length ? out : [ok('gitops', 'Flux and Argo CD', 'every object Ready / Synced and Healthy')];
}

type Cert = KubeObject<{ secretName?: string; dnsNames?: string[] }, { notAfter?: string; renewalTime?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] }>;
/** `warnMs`: a certificate expiring sooner is a warning; a renewalTime that passed more than `stuckMs` ago is a
 *  renewal that did not happen (cert-manager renews at renewalTime and moves it forward) */
export async function certificateFindings(ctx: TaskContext, o: { warnMs: number; stuckMs: number }, now = Date.now()): Promise<Finding[]> {
  const certs = await ctx.kubectl.listServed<Cert>('certificates.cert-manager.io', { allNamespaces: true });
  if (!certs) return [ok('certificates', 'cert-manager', 'not installed (no Certificate kind)')];
  const out: Finding[] = [];
  for (const c of certs) {
    const ready = (c.status?.conditions ?? []).find((x) => x.type === 'Ready');
    const name = `Certificate ${ref(c)}`;
    const notAfter = c.status?.notAfter ? Date.parse(c.status.notAfter) : undefined;
    const renewal = c.status?.renewalTime ? Date.parse(c.status.renewalTime) : undefined;
    if (ready?.status !== 'True') out.push(fail('certificates', name, `not Ready: ${ready?.reason ?? 'no Ready condition'}${ready?.message ? ` (${ready.message})` : ''}`));
    else if (notAfter !== undefined && notAfter < now) out.push(fail('certificates', name, `expired ${c.status!.notAfter}`));
    else if (renewal !== undefined && now - renewal > o.stuckMs) out.push(fail('certificates', name, `renewal stuck: renewalTime ${c.status!.renewalTime} passed ${formatDuration(now - renewal)} ago; expires ${c.status?.notAfter ?? '?'}`));
    else if (notAfter !== undefined && notAfter - now < o.warnMs) out.push(warn('certificates', name, `expires ${c.status!.notAfter} (in ${formatDuration(notAfter - now)})`));
    else out.push(ok('certificates', name, `valid until ${c.status?.notAfter ?? '?'}`));
  }
  return out.length ? out : [ok('certificates', 'cert-manager', 'no Certificate')];
}

type Rs = KubeObject<{ paused?: boolean }, { lastSyncTime?: string; latestMoverStatus?: { result?: string } }>;
export async function backupFindings(ctx: TaskContext, o: { maxAgeMs: number }, now = Date.now()): Promise<Finding[]> {
  const sources = await ctx.kubectl.listServed<Rs>('replicationsources.volsync.backube', { allNamespaces: true });
  if (!sources) return [ok('backups', 'VolSync', 'not installed')];
  return sources.map((s) => {
    const name = `ReplicationSource ${ref(s)}`;
    if (s.spec?.paused) return warn('backups', name, 'paused');
    if (!s.status?.lastSyncTime) return fail('backups', name, 'never completed a backup');
    if (s.status.latestMoverStatus?.result === 'Failed') return fail('backups', name, `last backup failed (last success ${s.status.lastSyncTime})`);
    const ageMs = now - Date.parse(s.status.lastSyncTime);
    return ageMs > o.maxAgeMs ? fail('backups', name, `last backup ${formatDuration(ageMs)} ago, older than ${formatDuration(o.maxAgeMs)}`) : ok('backups', name, `last backup ${formatDuration(ageMs)} ago`);
  });
}

/** etcd: every control plane a member and healthy (Talos, through talosctl: lib/checks/talos.ts); k3s' embedded etcd
 *  is not reachable from here and is said so */
export async function etcdFindings(ctx: TaskContext): Promise<Finding[]> {
  if (ctx.cluster.distribution !== 'talos') return [ok('etcd', ctx.cluster.name, `not checked (${ctx.cluster.distribution}: cluster:snapshot checks its etcd)`)];
  const { etcdHealthyCheck } = await import('../checks/talos.ts');
  const r = await etcdHealthyCheck.run(ctx).catch((err: Error) => ({ ok: false, message: err.message }));
  return [r.ok ? ok('etcd', 'members', r.message) : fail('etcd', 'members', r.message)];
}

type CnpgCluster = KubeObject<{ backup?: { barmanObjectStore?: unknown }; plugins?: { name: string }[] }, { lastSuccessfulBackup?: string; firstRecoverabilityPoint?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] }>;
type CnpgBackup = KubeObject<{ cluster?: { name: string } }, { phase?: string; stoppedAt?: string }>;
/** CloudNativePG (postgresql.cnpg.io/v1): a Cluster with a backup configured (spec.backup.barmanObjectStore, or the
 *  barman-cloud plugin in spec.plugins) needs continuous archiving working (condition ContinuousArchiving, reason
 *  ContinuousArchivingFailing when not: cnpg api/v1 cluster_conditions.go) and a completed base backup younger than
 *  maxAge (its newest Backup with status.phase completed and stoppedAt, else status.lastSuccessfulBackup). */
export async function cnpgFindings(ctx: TaskContext, o: { maxAgeMs: number }, now = Date.now()): Promise<Finding[]> {
  const clusters = await ctx.kubectl.listServed<CnpgCluster>('clusters.postgresql.cnpg.io', { allNamespaces: true });
  if (!clusters) return [ok('backups', 'CloudNativePG', 'not installed')];
  const backups = (await ctx.kubectl.listServed<CnpgBackup>('backups.postgresql.cnpg.io', { allNamespaces: true })) ?? [];
  return clusters.map((c) => {
    const name = `Cluster ${ref(c)}`;
    const configured = !!c.spec?.backup?.barmanObjectStore || (c.spec?.plugins ?? []).some((p) => /barman/.test(p.name));
    if (!configured) return warn('backups', name, 'no backup configured (spec.backup or the barman-cloud plugin)');
    const archiving = (c.status?.conditions ?? []).find((x) => x.type === 'ContinuousArchiving');
    if (archiving?.status === 'False') return fail('backups', name, `WAL archiving failing: ${archiving.reason ?? ''}${archiving.message ? ` (${archiving.message})` : ''}`);
    const done = backups.filter((b) => b.metadata.namespace === c.metadata.namespace && b.spec?.cluster?.name === c.metadata.name && b.status?.phase === 'completed' && b.status.stoppedAt)
      .map((b) => Date.parse(b.status!.stoppedAt!)).sort((a, b) => b - a);
    const last = done[0] ?? (c.status?.lastSuccessfulBackup ? Date.parse(c.status.lastSuccessfulBackup) : undefined);
    if (last === undefined) return fail('backups', name, 'no completed base backup');
    const ageMs = now - last;
    return ageMs > o.maxAgeMs ? fail('backups', name, `last base backup ${formatDuration(ageMs)} ago, older than ${formatDuration(o.maxAgeMs)}`)
      : ok('backups', name, `last base backup ${formatDuration(ageMs)} ago, archiving ${archiving?.status === 'True' ? 'working' : 'not reported'}`);
  });
}
