// An app as VolSync backs it up: its ReplicationSource, the PVC it copies, the Secret holding the restic repository,
// the workload that mounts the PVC and the Flux objects that manage it (community layout: Kustomization <app> in
// flux-system, HelmRelease <app> in the app's namespace; flags can override).
import { Restic } from '../tools/restic.ts';
import { Buffer } from 'node:buffer';
import type { TaskContext } from '../engine/types.ts';
import { StepFailure } from '../engine/types.ts';
import type { KubeObject } from '../tools/kube-types.ts';
import type { RepoEnv } from '../tools/restic.ts';
import { moverOf, moverSpec, RS, type Mover, type ReplicationSource } from './types.ts';
import { resolveEnvRefs } from '../secrets/env-refs.ts';

export interface Workload { kind: 'deployment' | 'statefulset'; name: string; namespace: string; replicas: number; selector: string }
export interface VolsyncApp {
  name: string;
  namespace: string;
  source: ReplicationSource;
  pvc: string;
  secret: string;
  /** restic, or kopia (VolSync objects only: rackhand does not open kopia repositories) */
  mover: Mover;
  /** every ReplicationSource of the same PVC (this one included) and whether it is paused, from the same list */
  pvcSources?: { name: string; paused: boolean }[];
}

/** Finds the ReplicationSource named like the app (in --namespace, else in any namespace: it must be unique). */
export async function findApp(ctx: TaskContext, app: string, namespace?: string): Promise<VolsyncApp> {
  const list = await ctx.kubectl.list<ReplicationSource>(RS, namespace ? { namespace } : { allNamespaces: true });
  const matches = list.filter((r) => r.metadata.name === app);
  if (matches.length === 0) {
    const known = list.map((r) => `${r.metadata.namespace}/${r.metadata.name}`).join(', ') || 'none';
    throw new StepFailure(`no ReplicationSource "${app}"${namespace ? ` in namespace ${namespace}` : ''} (found: ${known})`, 'kubectl get replicationsources -A');
  }
  if (matches.length > 1) throw new StepFailure(`ReplicationSource "${app}" exists in several namespaces (${matches.map((m) => m.metadata.namespace).join(', ')}): pass --namespace`);
  const source = matches[0]!;
  const mover = moverOf(source);
  if (!mover) throw new StepFailure(`ReplicationSource ${source.metadata.namespace}/${app} has neither spec.restic.repository nor spec.kopia.repository (rackhand knows the restic and kopia movers)`);
  const ns = source.metadata.namespace!;
  const pvcSources = list.filter((r) => r.metadata.namespace === ns && r.spec?.sourcePVC === source.spec!.sourcePVC)
    .map((r) => ({ name: r.metadata.name, paused: r.spec?.paused === true }));
  return { name: app, namespace: ns, source, pvc: source.spec!.sourcePVC, secret: moverSpec(source)!.repository, mover, pvcSources };
}

/** Every app backed up by a restic or kopia ReplicationSource, in any namespace (--all). */
export async function allApps(ctx: TaskContext): Promise<VolsyncApp[]> {
  return (await ctx.kubectl.list<ReplicationSource>(RS, { allNamespaces: true })).flatMap((s) => {
    const mover = moverOf(s);
    return mover ? [{ name: s.metadata.name, namespace: s.metadata.namespace!, source: s, pvc: s.spec!.sourcePVC, secret: moverSpec(s)!.repository, mover }] : [];
  });
}

/** --all for tasks that open repositories themselves: the restic apps; kopia apps are named and left out. */
export async function resticApps(ctx: TaskContext): Promise<VolsyncApp[]> {
  const apps = await allApps(ctx);
  const kopia = apps.filter((a) => a.mover === 'kopia').map((a) => `${a.namespace}/${a.name}`);
  if (kopia.length) ctx.log.warning(`left out (kopia mover; rackhand opens restic repositories only): ${kopia.join(', ')}`);
  return apps.filter((a) => a.mover === 'restic');
}

/** Why a task that opens the repository itself cannot do it for a kopia app. */
export function kopiaRefusal(app: VolsyncApp): StepFailure {
  return new StepFailure(`${app.namespace}/${app.name} is backed up by the kopia mover: this task reads the repository itself, and rackhand opens restic repositories only (volsync:snapshot, volsync:status and volsync:restore work through VolSync's objects)`,
    `kopia repository connect from-config, then kopia snapshot list (credentials in Secret ${app.namespace}/${app.secret})`);
}

/** The repository Secret's keys, decoded: restic env vars 1:1 as VolSync copies them into the mover. Every value
 *  is registered with the redactor before it can reach a log line. */
export async function repositoryEnv(ctx: TaskContext, app: VolsyncApp): Promise<RepoEnv> {
  const configured = ctx.cluster.backups?.apps?.[app.name]?.credentials;
  if (configured) return resolveEnvRefs(ctx, configured, `credentials of ${app.namespace}/${app.name} (backups.apps.${app.name}.credentials)`);
  const secret = await ctx.kubectl.get<KubeObject & { data?: Record<string, string> }>('secret', app.secret, app.namespace);
  if (!secret) throw new StepFailure(`repository Secret ${app.namespace}/${app.secret} of ${app.name} does not exist`, `kubectl get secret -n ${app.namespace} ${app.secret}`);
  const env: RepoEnv = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) {
    env[k] = Buffer.from(v, 'base64').toString('utf8');
    if (k !== 'RESTIC_REPOSITORY' && !k.endsWith('_ACCESS_KEY_ID')) ctx.exec.registerSecret(env[k]);
  }
  if (!env.RESTIC_REPOSITORY || !(env.RESTIC_PASSWORD || env.RESTIC_PASSWORD_FILE || env.RESTIC_PASSWORD_COMMAND)) {
    throw new StepFailure(`Secret ${app.namespace}/${app.secret} needs RESTIC_REPOSITORY and RESTIC_PASSWORD`);
  }
  return env;
}

interface WorkloadObject extends KubeObject<{ replicas?: number; selector?: { matchLabels?: Record<string, string> }; template?: { spec?: { volumes?: { persistentVolumeClaim?: { claimName?: string } }[] } } }> {}

/** The Deployment or StatefulSet whose pod template mounts the PVC. */
export async function findWorkload(ctx: TaskContext, app: VolsyncApp): Promise<Workload | undefined> {
  for (const kind of ['deployment', 'statefulset'] as const) {
    const items = await ctx.kubectl.list<WorkloadObject>(`${kind}s.apps`, { namespace: app.namespace });
    const w = items.find((i) => i.spec?.template?.spec?.volumes?.some((v) => v.persistentVolumeClaim?.claimName === app.pvc));
    if (w) {
      const labels = w.spec?.selector?.matchLabels ?? {};
      return {
        kind, name: w.metadata.name, namespace: app.namespace, replicas: w.spec?.replicas ?? 1,
        selector: Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(','),
      };
    }
  }
  return undefined;
}

const resticCache = new WeakMap<object, Map<string, Promise<Restic>>>();

/** One restic wrapper per app and run (its credentials read once), so what preflight read (snapshots, locks) the
 *  steps reuse. */
export function resticFor(ctx: TaskContext, app: VolsyncApp): Promise<Restic> {
  let perRun = resticCache.get(ctx.data);
  if (!perRun) resticCache.set(ctx.data, (perRun = new Map()));
  const key = `${app.namespace}/${app.name}`;
  if (app.mover === 'kopia') return Promise.reject(kopiaRefusal(app));
  let r = perRun.get(key);
  if (!r) {
    r = repositoryEnv(ctx, app).then((env) => new Restic(ctx.exec, env));
    r.catch(() => perRun!.delete(key));
    perRun.set(key, r);
  }
  return r;
}
