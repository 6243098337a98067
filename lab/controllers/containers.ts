// The kubelet's side of Job pods: once every persistentVolumeClaim the pod mounts is Bound (else it stays Pending in
// ContainerCreating with a FailedMount event, as an unmountable volume does) and podStartMs has passed, each container's
// command+args runs on the host (lab/controllers/host-exec.ts) against the PVC folders, one container after the other
// (real pods run them side by side). The pod ends Succeeded when every container exits 0, else Failed; with restartPolicy
// OnFailure failed containers run again in the same pod (restartCount, lastState). Other pods: lab/controllers/kubelet.ts.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { Store } from '../store/store.js';
import type { KObject } from '../store/types.js';
import { volumePath } from '../volsync/context.js';
import { runOnHost, type Mount } from './host-exec.js';
import { processUser } from './volume-owners.js';
import { isJobPod } from './jobs.js';
import { nodeReady } from './placement.js';
import { failedMountEvent, podStatus, type Outcome, type PodRun } from './pod-status.js';
import type { Controller, ControllerContext } from './types.js';
import { podKey, writeStatus } from './util.js';

const HOST_TIMEOUT_S = 60;
const MAX_ATTEMPTS = 20;

export class JobPodKubelet implements Controller {
  readonly name = 'job-pod-kubelet';
  private readonly runs = new Map<string, PodRun>();
  private readonly warned = new Set<string>();

  constructor(private readonly ctx: ControllerContext, private readonly dir: string) {}

  reconcile(): void {
    const { store, clock } = this.ctx;
    const now = clock.now();
    const nodes = new Map(store.list('nodes').items.map((n) => [n.metadata.name!, n]));
    const live = new Set<string>();
    for (const pod of store.list('pods').items) {
      if (!isJobPod(pod)) continue;
      const uid = pod.metadata.uid!;
      live.add(uid);
      if (pod.metadata.deletionTimestamp) {
        this.runs.get(uid)?.abort.abort();
        continue;
      }
      const node = nodes.get(pod.spec?.nodeName ?? '');
      if (!node || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
      let run = this.runs.get(uid);
      if (!run) {
        const missing = this.unmountable(pod);
        if (missing || !nodeReady(node)) {
          writeStatus(store, 'pods', pod, podStatus(pod, node, undefined, now));
          if (missing) this.failedMount(pod, node, missing, now);
          continue;
        }
        run = { startAt: now + this.ctx.options.podStartMs * clock.scale, results: new Map(), previous: new Map(), restarts: new Map(), done: false, abort: new AbortController() };
        this.runs.set(uid, run);
        clock.after(this.ctx.options.podStartMs, this.ctx.requestSync);
      }
      if (run.startedAt === undefined && now >= run.startAt) {
        run.startedAt = now;
        void this.execute(pod, run);
      }
      writeStatus(store, 'pods', pod, podStatus(pod, node, run, now));
    }
    for (const [uid, run] of this.runs) {
      if (live.has(uid)) continue;
      run.abort.abort();
      this.runs.delete(uid);
    }
  }

  /** What a container printed (stdout and stderr), for the pods/log subresource. undefined: not a Job pod. */
  logs(pod: KObject, container: string, previous = false): string | undefined {
    const run = this.runs.get(pod.metadata.uid!);
    if (!run) return isJobPod(pod) ? '' : undefined;
    return (previous ? run.previous : run.results).get(container)?.log ?? '';
  }

  /** Kills whatever still runs (lab.stop()). */
  stop(): void {
    for (const run of this.runs.values()) run.abort.abort();
  }

  /** the first persistentVolumeClaim of the pod that does not exist or is not Bound */
  private unmountable(pod: KObject): string | undefined {
    for (const v of pod.spec?.volumes ?? []) {
      const claim: string | undefined = v.persistentVolumeClaim?.claimName;
      if (!claim) continue;
      const pvc = this.ctx.store.find('persistentvolumeclaims', pod.metadata.namespace, claim);
      if (!pvc || pvc.metadata.deletionTimestamp || pvc.status?.phase !== 'Bound') return claim;
    }
    return undefined;
  }

  private async execute(pod: KObject, run: PodRun): Promise<void> {
    const containers: any[] = pod.spec?.containers ?? [];
    // a host process never outlives 60 s (or the pod's own activeDeadlineSeconds); a Job's deadline kills it earlier
    // through the pod deletion (run.abort)
    const deadline = pod.spec?.activeDeadlineSeconds;
    const timeoutMs = Math.min(deadline ?? HOST_TIMEOUT_S, HOST_TIMEOUT_S) * 1000;
    // init containers first, in order (the kubelet runs each to completion before the next), then the containers
    const all: any[] = [...(pod.spec?.initContainers ?? []), ...containers];
    for (let attempt = 1; ; attempt++) {
      for (const c of all) {
        if (run.results.has(c.name)) continue; // succeeded in an earlier attempt
        if (run.abort.signal.aborted) return;
        const env = containerEnv(pod, c, this.ctx.store);
        const startedAt = Date.now();
        const r = await runOnHost({
          argv: expand([...(c.command ?? []), ...(c.args ?? [])], env), mounts: containerMounts(this.ctx, this.dir, pod, c), rootfs: join(this.dir, 'rootfs'),
          ...(c.workingDir ? { workingDir: c.workingDir } : {}), env, timeoutMs, signal: run.abort.signal,
          user: processUser(pod, c), readOnlyRootFilesystem: c.securityContext?.readOnlyRootFilesystem === true,
          ...(this.ctx.internet ? { internet: (url: string) => this.ctx.internet!(pod, url) } : {}),
        });
        if (run.abort.signal.aborted) return;
        if (r.refused) this.ctx.record('job-exec-refused', podKey(pod), `${c.name}: ${r.refused}`);
        if (r.timedOut) this.ctx.record('job-exec-timeout', podKey(pod), c.name);
        const outcome: Outcome = { exitCode: r.exitCode, startedAt, finishedAt: Date.now(), log: r.log, ...(r.message ? { message: r.message } : {}) };
        // terminationMessagePolicy FallbackToLogsOnError: the log's tail (80 lines, 2048 bytes) becomes the message
        if (r.exitCode !== 0 && !r.message && c.terminationMessagePolicy === 'FallbackToLogsOnError') outcome.message = r.log.split('\n').slice(-81).join('\n').slice(-2048);
        run.results.set(c.name, outcome);
        this.ctx.requestSync();
        // a failed init container stops the pod there (with restartPolicy Never): the containers never start
        if (r.exitCode !== 0 && (pod.spec?.initContainers ?? []).some((x: any) => x.name === c.name)) break;
      }
      const failed = all.filter((c) => run.results.has(c.name) && run.results.get(c.name)!.exitCode !== 0);
      if (!failed.length || pod.spec?.restartPolicy !== 'OnFailure' || attempt >= MAX_ATTEMPTS) break;
      for (const c of failed) {
        run.previous.set(c.name, run.results.get(c.name)!);
        run.restarts.set(c.name, (run.restarts.get(c.name) ?? 0) + 1);
        run.results.delete(c.name);
      }
      this.ctx.requestSync();
      await new Promise<void>((ok) => this.ctx.clock.after(this.ctx.options.podStartMs, ok));
    }
    run.done = true;
    this.ctx.requestSync();
  }

  private failedMount(pod: KObject, node: KObject, claim: string, now: number): void {
    const key = `${pod.metadata.uid}/${claim}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    const ns = pod.metadata.namespace!;
    this.ctx.record('pod-volume-missing', podKey(pod), claim);
    try {
      this.ctx.store.create('events', failedMountEvent(pod, node, claim, this.ctx.store.find('persistentvolumeclaims', ns, claim), now));
    } catch {
      // a terminating namespace takes no new events
    }
  }
}

/** The container's environment as the kubelet builds it when the container starts: envFrom (Secrets and ConfigMaps,
 *  with their prefix), then env (literal values, valueFrom secretKeyRef and configMapKeyRef read from the store),
 *  HOSTNAME, HOME. Without a store only literal values. */
export function containerEnv(pod: KObject, c: any, store?: Store): Record<string, string> {
  const env: Record<string, string> = { HOSTNAME: pod.metadata.name!, HOME: '/root', LC_ALL: 'C' };
  const ns = pod.metadata.namespace;
  const dataOf = (kind: 'secrets' | 'configmaps', name: string): Record<string, string> => {
    const o = store?.find(kind, ns, name);
    if (!o) return {};
    return kind === 'secrets' ? Object.fromEntries(Object.entries((o.data ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])) : (o.data ?? {});
  };
  for (const f of c.envFrom ?? []) {
    const data = f.secretRef ? dataOf('secrets', f.secretRef.name) : f.configMapRef ? dataOf('configmaps', f.configMapRef.name) : {};
    for (const [k, v] of Object.entries(data)) env[`${f.prefix ?? ''}${k}`] = v;
  }
  for (const e of c.env ?? []) {
    if (typeof e.value === 'string') env[e.name] = e.value;
    const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
    if (ref) { const v = dataOf(e.valueFrom.secretKeyRef ? 'secrets' : 'configmaps', ref.name)[ref.key]; if (v !== undefined) env[e.name] = v; }
  }
  return env;
}

/** $(VAR) in command and args, $$ escaping it (third_party/forked/golang/expansion, as the kubelet expands them). */
export function expand(argv: string[], env: Record<string, string>): string[] {
  return argv.map((a) => a.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name?: string) => (m === '$$' ? '$' : env[name!] ?? m)));
}

/** A Secret or ConfigMap volume as its files (each key, or the items asked for), written from the object as it is
 *  now: the kubelet's periodic sync, taken as immediate. */
function projected(ctx: ControllerContext, dir: string, pod: KObject, v: any): string {
  const folder = join(dir, 'projected', pod.metadata.uid!, v.name);
  const src = v.secret ? ctx.store.find('secrets', pod.metadata.namespace, v.secret.secretName) : ctx.store.find('configmaps', pod.metadata.namespace, v.configMap.name);
  const data: Record<string, string> = v.secret
    ? Object.fromEntries(Object.entries((src?.data ?? {}) as Record<string, string>).map(([k, b]) => [k, Buffer.from(b, 'base64').toString('utf8')]))
    : (src?.data ?? {});
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const items: { key: string; path: string }[] = (v.secret ?? v.configMap).items ?? Object.keys(data).map((k) => ({ key: k, path: k }));
  for (const it of items) {
    if (data[it.key] === undefined) continue;
    mkdirSync(join(folder, posix.dirname(it.path)), { recursive: true });
    writeFileSync(join(folder, it.path), data[it.key]!);
  }
  return folder;
}

/** the folder that stands for an NFS export (an inline `nfs:` volume): DIR/nfs/<server>/<path> */
export const nfsPath = (dir: string, server: string, path: string) => join(dir, 'nfs', server.replace(/[^\w.-]/g, '_'), posix.normalize(`/${path}`));

/** A container's volumeMounts as lab folders: PVCs, emptyDirs, NFS exports, Secret and ConfigMap volumes (other kinds are not
 *  materialised: their paths are empty). */
export function containerMounts(ctx: ControllerContext, dir: string, pod: KObject, container: any): Mount[] {
  const volumes: any[] = pod.spec?.volumes ?? [];
  return (container.volumeMounts ?? []).flatMap((m: any) => {
    const v = volumes.find((x) => x.name === m.name);
    const base = v?.persistentVolumeClaim ? volumePath(dir, pod.metadata.namespace!, v.persistentVolumeClaim.claimName)
      : v?.emptyDir ? join(dir, 'emptydirs', pod.metadata.uid!, v.name)
      : v?.nfs ? nfsPath(dir, v.nfs.server, v.nfs.path)
      : v?.secret || v?.configMap ? projected(ctx, dir, pod, v) : undefined;
    if (!base) return [];
    const readOnly = m.readOnly === true || v?.persistentVolumeClaim?.readOnly === true || v?.nfs?.readOnly === true;
    const owner = v?.persistentVolumeClaim ? ctx.volumeOwners?.get(base) : undefined;
    return [{ mountPath: posix.normalize(m.mountPath).replace(/(.)\/$/, '$1'), hostPath: m.subPath ? join(base, m.subPath) : base, readOnly, ...(owner ? { owner } : {}) }];
  });
}
