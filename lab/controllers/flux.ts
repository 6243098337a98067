// Flux: Kustomizations (kustomize.toolkit.fluxcd.io/v1), HelmReleases (helm.toolkit.fluxcd.io/v2) and GitRepositories
// (source.toolkit.fluxcd.io/v1), for the kinds the API serves.
// - spec.suspend: suspended objects keep their status and do nothing (events flux-suspended / flux-resumed);
// - not suspended: a new reconcile.fluxcd.io/requestedAt annotation (what `flux reconcile` sets), a
//   new generation or a missing Ready => status.lastHandledReconcileAt (and lastHandledForceAt for forceAt), Ready=True
//   ReconciliationSucceeded, observedGeneration (event flux-reconciled); a Kustomization also gets lastAppliedRevision
//   and lastAttemptedRevision (REVISION), a HelmRelease lastAttemptedRevision (its chart version), a GitRepository an
//   artifact for REVISION (what `flux reconcile` prints and `flux get` shows);
// - a non-suspended HelmRelease owns the Deployments/StatefulSets labelled meta.helm.sh/release-name=<release>,
//   meta.helm.sh/release-namespace=<ns> and puts their replicas back (drift correction) about a second after someone
//   changes them. Desired replicas: spec.values.replicaCount, else spec.values.controllers.main.replicas (bjw-s
//   app-template); neither set => replicas are not enforced.
// Every replica change of a Deployment/StatefulSet is logged as app-scaled (detail: the new replicas).
import { groupResource } from '../kinds/types.js';
import type { KObject, StoreEvent } from '../store/types.js';
import type { Controller, ControllerContext } from './types.js';
import { setCondition, writeStatus } from './util.js';

/** the one Git revision the lab's sources serve */
export const REVISION = 'main@sha1:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c';
const SHA = REVISION.slice('main@sha1:'.length);

// source-controller: Ready "stored artifact for revision '<rev>'", status.artifact{digest,lastUpdateTime,path,revision,size,url}
const artifact = (o: KObject, at: string) => {
  const path = `gitrepository/${o.metadata.namespace}/${o.metadata.name}/${SHA}.tar.gz`;
  return { digest: `sha256:${SHA}${SHA.slice(0, 24)}`, lastUpdateTime: at, path, revision: REVISION, size: 48213, url: `http://source-controller.flux-system.svc.cluster.local./${path}` };
};

const KINDS = [
  { resource: 'gitrepositories.source.toolkit.fluxcd.io', kind: 'gitrepository', message: (_o: KObject) => `stored artifact for revision '${REVISION}'`, extra: (o: KObject, at: string) => ({ artifact: artifact(o, at) }) },
  { resource: 'helmrepositories.source.toolkit.fluxcd.io', kind: 'helmrepository', message: (_o: KObject) => 'stored artifact: revision \'sha256:9d1f0e2c\'', extra: () => ({}) },
  { resource: 'ocirepositories.source.toolkit.fluxcd.io', kind: 'ocirepository', message: (_o: KObject) => `stored artifact for digest '${REVISION}'`, extra: (o: KObject, at: string) => ({ artifact: artifact(o, at) }) },
  { resource: 'kustomizations.kustomize.toolkit.fluxcd.io', kind: 'kustomization', message: (_o: KObject) => 'Applied revision: main@sha1:0f1e2d3c', extra: () => ({ lastAppliedRevision: REVISION, lastAttemptedRevision: REVISION }) },
  { resource: 'helmreleases.helm.toolkit.fluxcd.io', kind: 'helmrelease', message: (o: KObject) => `Helm upgrade succeeded for release ${targetNs(o)}/${releaseName(o)}.v${(o.status?.history?.length ?? 1) + 1} with chart ${o.spec?.chart?.spec?.chart ?? 'app'}@${o.spec?.chart?.spec?.version ?? '1.0.0'}`, extra: (o: KObject) => ({ lastAttemptedRevision: o.spec?.chart?.spec?.version ?? '1.0.0' }) },
];
const WORKLOADS = ['deployments.apps', 'statefulsets.apps'];
const REQUESTED = 'reconcile.fluxcd.io/requestedAt';
const FORCE = 'reconcile.fluxcd.io/forceAt';
export const DRIFT_CORRECTION_MS = 1000;

const targetNs = (hr: KObject) => hr.spec?.targetNamespace ?? hr.metadata.namespace!;
const releaseName = (hr: KObject) => hr.spec?.releaseName ?? (hr.spec?.targetNamespace ? `${hr.spec.targetNamespace}-${hr.metadata.name}` : hr.metadata.name!);

export function desiredReplicas(hr: KObject): number | undefined {
  const v = hr.spec?.values;
  const n = v?.replicaCount ?? v?.controllers?.main?.replicas;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

export class FluxController implements Controller {
  readonly name = 'flux';
  /** "namespace/name" of HelmReleases stuck in a failed upgrade: Ready=False UpgradeFailed until suspended and
   *  resumed (helm-controller gives up retrying after its remediation retries; a suspend/resume resets them) */
  readonly stuck = new Set<string>();
  private readonly suspended = new Map<string, boolean>();

  /** makes a HelmRelease stuck (see `stuck`) and says so in its status at once */
  stick(release: string): void {
    this.stuck.add(release);
    const [ns, name] = release.split('/');
    const o = this.ctx.store.find('helmreleases.helm.toolkit.fluxcd.io', ns, name!);
    if (!o) return;
    const st = o.status ?? {};
    writeStatus(this.ctx.store, 'helmreleases.helm.toolkit.fluxcd.io', o, { ...st, conditions: setCondition(st.conditions, { type: 'Ready', status: 'False', reason: 'UpgradeFailed', message: 'Helm upgrade failed for release: context deadline exceeded', observedGeneration: o.metadata.generation }, this.ctx.clock.now()) });
    this.event(o, 'helmreleases.helm.toolkit.fluxcd.io', 'Warning', 'UpgradeFailed', `Helm upgrade failed for release ${targetNs(o)}/${releaseName(o)} with chart ${o.spec?.chart?.spec?.chart ?? 'app'}@${o.spec?.chart?.spec?.version ?? '1.0.0'}: context deadline exceeded`, this.ctx.clock.now());
  }
  private readonly drift = new Map<string, number>(); // workload uid => when to correct

  constructor(private readonly ctx: ControllerContext) {
    ctx.store.listen((ev) => this.onWrite(ev));
  }

  private onWrite(ev: StoreEvent): void {
    if (ev.type !== 'MODIFIED' || !WORKLOADS.includes(ev.resource)) return;
    const before = ev.prev?.spec?.replicas;
    const after = ev.object.spec?.replicas;
    if (before !== after) this.ctx.record('app-scaled', `${ev.object.metadata.namespace}/${ev.object.metadata.name}`, String(after));
  }

  reconcile(): void {
    const { store, clock, record } = this.ctx;
    const now = clock.now();
    const served = new Set(this.ctx.registry.all().map(groupResource));
    for (const k of KINDS) {
      if (!served.has(k.resource)) continue;
      for (const o of store.list(k.resource).items) {
        const uid = o.metadata.uid!;
        const id = `${k.kind}/${o.metadata.namespace}/${o.metadata.name}`;
        const suspend = Boolean(o.spec?.suspend);
        const was = this.suspended.get(uid);
        this.suspended.set(uid, suspend);
        if (was !== undefined && was !== suspend) record(suspend ? 'flux-suspended' : 'flux-resumed', id);
        if (suspend || o.metadata.deletionTimestamp) continue;
        const st = o.status ?? {};
        const key = `${o.metadata.namespace}/${o.metadata.name}`;
        if (k.kind === 'helmrelease' && this.stuck.has(key)) {
          // a suspend (seen suspended, or a newer generation since it got stuck: suspend and resume both change the spec)
          // resets helm-controller's remediation retries
          if (was === true || (o.metadata.generation ?? 0) > (st.observedGeneration ?? 0)) { this.stuck.delete(key); } else {
            const wasFailing = (st.conditions ?? []).some((c: any) => c.type === 'Ready' && c.reason === 'UpgradeFailed');
            writeStatus(store, k.resource, o, { ...st, conditions: setCondition(st.conditions, { type: 'Ready', status: 'False', reason: 'UpgradeFailed', message: 'Helm upgrade failed for release: context deadline exceeded', observedGeneration: o.metadata.generation }, now) });
            if (!wasFailing) this.event(o, k.resource, 'Warning', 'UpgradeFailed', `Helm upgrade failed for release ${targetNs(o)}/${releaseName(o)} with chart ${o.spec?.chart?.spec?.chart ?? 'app'}@${o.spec?.chart?.spec?.version ?? '1.0.0'}: context deadline exceeded`, now);
            continue;
          }
        }
        const requested = o.metadata.annotations?.[REQUESTED];
        const force = o.metadata.annotations?.[FORCE];
        const ready = (st.conditions ?? []).find((c: any) => c.type === 'Ready');
        const wantsRequest = requested !== undefined && requested !== st.lastHandledReconcileAt;
        const wantsForce = k.kind === 'helmrelease' && force !== undefined && force !== st.lastHandledForceAt;
        const extra = k.extra(o, new Date(now).toISOString().replace(/\.\d+Z$/, 'Z'));
        // kustomize-controller / helm-controller checkDependencies, when the object reconciles (an interval, a request, a
        // new generation; never in between): every spec.dependsOn object must exist, have observed its generation and
        // be Ready, else Ready=False DependencyNotReady "dependency '<ns>/<name>' is not ready" and a retry later
        // (fluxcd/kustomize-controller internal/controller/kustomization_controller.go)
        const blocked = this.blockedBy(k.resource, o);
        if (blocked && (wantsRequest || wantsForce || ready?.status !== 'True' || st.observedGeneration !== o.metadata.generation)) {
          const cond = (st.conditions ?? []).find((c: any) => c.type === 'Ready');
          const message = `dependency '${blocked}' is not ready`;
          if (cond?.reason !== 'DependencyNotReady' || cond.message !== message) {
            writeStatus(store, k.resource, o, { ...st, conditions: setCondition(st.conditions, { type: 'Ready', status: 'False', reason: 'DependencyNotReady', message, observedGeneration: st.observedGeneration }, now) });
            record('flux-dependency-not-ready', id, blocked);
            this.event(o, k.resource, 'Normal', 'DependencyNotReady', `Dependencies do not meet ready condition (${message}), retrying in 30s`, now);
          }
          continue;
        }
        if (wantsRequest || wantsForce || ready?.status !== 'True' || st.observedGeneration !== o.metadata.generation) {
          writeStatus(store, k.resource, o, {
            ...st, ...extra, observedGeneration: o.metadata.generation,
            ...(requested !== undefined ? { lastHandledReconcileAt: requested } : {}),
            ...(wantsForce ? { lastHandledForceAt: force } : {}),
            conditions: setCondition(st.conditions, { type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: k.message(o), observedGeneration: o.metadata.generation }, now),
          });
          record('flux-reconciled', id, requested ?? `generation ${o.metadata.generation}`);
          this.event(o, k.resource, 'Normal', k.kind === 'helmrelease' ? 'UpgradeSucceeded' : k.resource.startsWith('kustomizations.') ? 'ReconciliationSucceeded' : 'NewArtifact', k.message(o), now);
        } else if (Object.keys(extra).some((key) => st[key] === undefined)) {
          writeStatus(store, k.resource, o, { ...st, ...extra }); // a seeded status without revisions: filled in, nothing reconciled
        }
        if (k.kind === 'helmrelease') this.enforce(o, now);
      }
    }
  }

  /** A core/v1 Event about the object, as the Flux controllers record them through their event recorder
   *  (fluxcd/pkg runtime/events: involvedObject, reason, type Normal or Warning, reportingController). */
  private event(o: KObject, resource: string, type: 'Normal' | 'Warning', reason: string, message: string, now: number): void {
    const component = resource.startsWith('kustomizations.') ? 'kustomize-controller' : resource.startsWith('helmreleases.') ? 'helm-controller' : 'source-controller';
    const at = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
    const ns = o.metadata.namespace!;
    const name = `${o.metadata.name}.${(this.eventSeq++).toString(16).padStart(12, '0')}`;
    this.ctx.store.create('events', {
      apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: ns },
      involvedObject: { apiVersion: o.apiVersion, kind: o.kind, namespace: ns, name: o.metadata.name, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion },
      reason, type, message, count: 1, firstTimestamp: at, lastTimestamp: at,
      source: { component }, reportingComponent: component, reportingInstance: `${component}-lab`,
    });
    // the controller's own log line: controller-runtime's JSON logger as the Flux controllers configure it (level, ts,
    // msg, controller, controllerGroup, controllerKind, the object under its Kind and as name/namespace, reconcileID)
    const group = resource.split('.').slice(1).join('.');
    const line = {
      level: type === 'Warning' ? 'error' : 'info', ts: new Date(now).toISOString(), msg: message,
      controller: o.kind!.toLowerCase(), controllerGroup: group, controllerKind: o.kind,
      [o.kind!]: { name: o.metadata.name, namespace: ns }, namespace: ns, name: o.metadata.name,
      reconcileID: `${(this.eventSeq).toString(16)}-lab`, ...(type === 'Warning' ? { error: message } : {}),
    };
    const log = this.logs.get(component) ?? [];
    log.push(JSON.stringify(line));
    if (log.length > 5000) log.splice(0, log.length - 5000);
    this.logs.set(component, log);
  }

  /** what each Flux controller logged (kustomize-controller, helm-controller, source-controller), JSON lines */
  readonly logs = new Map<string, string[]>();

  /** a Flux controller pod's log (its Deployment labels it app=<controller>, as Flux's install manifests do), or
   *  undefined for any other pod */
  podLog(pod: KObject): string | undefined {
    const app = pod.metadata.labels?.app;
    if (!app || !['kustomize-controller', 'helm-controller', 'source-controller'].includes(app)) return undefined;
    const lines = this.logs.get(app) ?? [];
    return lines.length ? `${lines.join('\n')}\n` : '';
  }

  private eventSeq = Date.now();

  /** the first dependency of `o` that is missing or not Ready at its generation ("ns/name"), else undefined */
  private blockedBy(resource: string, o: KObject): string | undefined {
    if (!resource.startsWith('kustomizations.') && !resource.startsWith('helmreleases.')) return undefined;
    for (const d of (o.spec?.dependsOn ?? []) as { name: string; namespace?: string }[]) {
      const ns = d.namespace ?? o.metadata.namespace!;
      const dep = this.ctx.store.find(resource, ns, d.name);
      const ready = (dep?.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
      if (!dep || dep.status?.observedGeneration !== dep.metadata.generation || ready?.status !== 'True') return `${ns}/${d.name}`;
    }
    return undefined;
  }

  private served(resource: string): boolean {
    return this.ctx.registry.all().some((d) => groupResource(d) === resource);
  }

  private enforce(hr: KObject, now: number): void {
    const want = desiredReplicas(hr);
    if (want === undefined) return;
    const { store } = this.ctx;
    for (const resource of WORKLOADS) {
      for (const w of store.list(resource, { namespace: targetNs(hr) }).items) {
        const a = w.metadata.annotations ?? {};
        if (a['meta.helm.sh/release-name'] !== releaseName(hr) || a['meta.helm.sh/release-namespace'] !== targetNs(hr)) continue;
        const uid = w.metadata.uid!;
        if ((w.spec?.replicas ?? 1) === want) { this.drift.delete(uid); continue; }
        const at = this.drift.get(uid);
        if (at === undefined) {
          this.drift.set(uid, now + DRIFT_CORRECTION_MS);
          this.ctx.clock.after(DRIFT_CORRECTION_MS + 5, this.ctx.requestSync);
        } else if (now >= at) {
          this.drift.delete(uid);
          store.update(resource, { ...w, spec: { ...w.spec, replicas: want } });
        }
      }
    }
  }
}
