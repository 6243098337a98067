// Argo CD as far as rackhand's pausing of it matters: Applications (argoproj.io/v1alpha1) report Synced/Healthy, and
// one with spec.syncPolicy.automated.selfHeal puts its workloads' replicas back about a second after someone changes
// them (argo-cd controller/appcontroller.go: self-heal re-syncs an OutOfSync app; the desired replicas here come from
// spec.source.helm.valuesObject: replicaCount, else controllers.main.replicas of bjw-s app-template). Its workloads are
// those tracked to it: label argocd.argoproj.io/instance=<app> (label tracking) or annotation
// argocd.argoproj.io/tracking-id "<app>:<group>/<kind>:<ns>/<name>" (annotation tracking, the default since 3.0).
// An ApplicationSet puts the template's spec.syncPolicy back on every Application it owns (ownerReferences) unless
// its spec.ignoreApplicationDifferences lists /spec/syncPolicy (applicationset controller, "Ignore certain changes to
// Applications", Argo CD 2.9+). Events: argo-self-healed, argo-appset-reverted.
import { groupResource } from '../kinds/types.js';
import type { KObject } from '../store/types.js';
import type { Controller, ControllerContext } from './types.js';
import { writeStatus } from './util.js';

export const APP = 'applications.argoproj.io';
export const APPSET = 'applicationsets.argoproj.io';
const WORKLOADS = ['deployments.apps', 'statefulsets.apps'];
const SELF_HEAL_MS = 1000;
const REVISION_SHA = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c';

function desiredReplicas(app: KObject): number | undefined {
  const v = app.spec?.source?.helm?.valuesObject;
  const n = v?.replicaCount ?? v?.controllers?.main?.replicas;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

export function trackedTo(w: KObject): string | undefined {
  return w.metadata.labels?.['argocd.argoproj.io/instance'] ?? w.metadata.annotations?.['argocd.argoproj.io/tracking-id']?.split(':')[0];
}

export class ArgoController implements Controller {
  readonly name = 'argo';
  private readonly drift = new Map<string, number>();

  constructor(private readonly ctx: ControllerContext) {}

  private served(resource: string): boolean {
    return this.ctx.registry.all().some((d) => groupResource(d) === resource);
  }

  reconcile(): void {
    if (!this.served(APP)) return;
    const { store, clock, record } = this.ctx;
    const now = clock.now();
    if (this.served(APPSET)) {
      for (const set of store.list(APPSET).items) {
        const ignored = ((set.spec?.ignoreApplicationDifferences ?? []) as { jsonPointers?: string[] }[]).some((d) => (d.jsonPointers ?? []).some((p) => p === '/spec/syncPolicy' || p === '/spec/syncPolicy/automated'));
        const want = set.spec?.template?.spec?.syncPolicy;
        // the Applications its list generator names are its own (it created them: ownerReferences to the set)
        const names = ((set.spec?.generators ?? []) as { list?: { elements?: Record<string, string>[] } }[]).flatMap((g) => g.list?.elements ?? [])
          .map((e) => String(set.spec?.template?.metadata?.name ?? '').replace(/\{\{\s*\.?(\w+)\s*\}\}/g, (_m, k: string) => e[k] ?? ''));
        for (const n of names) {
          const app = store.find(APP, set.metadata.namespace, n);
          if (app && !(app.metadata.ownerReferences ?? []).some((r) => r.uid === set.metadata.uid)) {
            store.update(APP, { ...app, metadata: { ...app.metadata, ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', name: set.metadata.name!, uid: set.metadata.uid!, controller: true, blockOwnerDeletion: true }] } });
          }
        }
        if (ignored) continue;
        for (const app of store.list(APP, { namespace: set.metadata.namespace }).items) {
          if (!(app.metadata.ownerReferences ?? []).some((r) => r.kind === 'ApplicationSet' && r.name === set.metadata.name)) continue;
          if (JSON.stringify(app.spec?.syncPolicy ?? null) === JSON.stringify(want ?? null)) continue;
          store.update(APP, { ...app, spec: { ...app.spec, syncPolicy: want } });
          record('argo-appset-reverted', `${app.metadata.namespace}/${app.metadata.name}`, set.metadata.name);
        }
      }
    }
    for (const app of store.list(APP).items) {
      const selfHeal = app.spec?.syncPolicy?.automated?.selfHeal === true;
      const want = desiredReplicas(app);
      const ns = app.spec?.destination?.namespace;
      const tracked = ns ? WORKLOADS.flatMap((resource) => store.list(resource, { namespace: ns }).items.filter((w) => trackedTo(w) === app.metadata.name).map((w) => ({ resource, w }))) : [];
      // an operation (what `argocd app sync` and a patch of .operation start: argo-cd docs "Sync Options"/FAQ) applies
      // Git's state and is recorded in status.operationState, then removed
      if (app.operation?.sync) {
        for (const { resource, w } of tracked) if (want !== undefined && (w.spec?.replicas ?? 1) !== want) store.update(resource, { ...w, spec: { ...w.spec, replicas: want } });
        const at = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
        const cur = store.get(APP, app.metadata.namespace, app.metadata.name!);
        const { operation: op, ...rest } = cur as KObject & { operation?: unknown };
        store.update(APP, rest as KObject);
        writeStatus(store, APP, store.get(APP, app.metadata.namespace, app.metadata.name!), {
          ...(cur.status ?? {}), sync: { status: 'Synced', revision: REVISION_SHA }, health: { status: 'Healthy' },
          operationState: { phase: 'Succeeded', message: 'successfully synced (all tasks run)', operation: op, startedAt: at, finishedAt: at, syncResult: { revision: REVISION_SHA } },
        });
        record('argo-synced', `${app.metadata.namespace}/${app.metadata.name}`, String((app.operation.initiatedBy as { username?: string } | undefined)?.username ?? ''));
        continue;
      }
      const outOfSync = want !== undefined && tracked.some(({ w }) => (w.spec?.replicas ?? 1) !== want);
      const syncStatus = outOfSync ? 'OutOfSync' : 'Synced';
      // status.resources: each tracked object with its own sync status (argo-cd v1alpha1 ResourceStatus)
      const resources = tracked.map(({ w }) => ({ group: 'apps', version: 'v1', kind: w.kind, namespace: w.metadata.namespace, name: w.metadata.name, status: want !== undefined && (w.spec?.replicas ?? 1) !== want ? 'OutOfSync' : 'Synced', health: { status: 'Healthy' } }));
      if (app.status?.sync?.status !== syncStatus || JSON.stringify(app.status?.resources ?? []) !== JSON.stringify(resources)) {
        writeStatus(store, APP, app, { ...(app.status ?? {}), sync: { status: syncStatus, revision: REVISION_SHA }, health: { status: app.status?.health?.status ?? 'Healthy' }, resources });
      }
      if (want === undefined || !ns) continue;
      for (const { resource, w } of tracked) {
        {
          const uid = w.metadata.uid!;
          if ((w.spec?.replicas ?? 1) === want || !selfHeal) { this.drift.delete(uid); continue; }
          const at = this.drift.get(uid);
          if (at === undefined) {
            this.drift.set(uid, now + SELF_HEAL_MS);
            clock.after(SELF_HEAL_MS + 5, this.ctx.requestSync);
          } else if (now >= at) {
            this.drift.delete(uid);
            store.update(resource, { ...w, spec: { ...w.spec, replicas: want } });
            record('argo-self-healed', `${ns}/${w.metadata.name}`, `${app.metadata.name}: replicas ${want}`);
          }
        }
      }
    }
  }
}
