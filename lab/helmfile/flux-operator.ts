// What the flux-operator does once a FluxInstance exists (controlplaneio-fluxcd/flux-operator internal/controller
// fluxinstance_controller.go, in miniature): installs the Flux toolkit CRDs and the controller Deployments of
// spec.components in the instance's namespace, and -- with spec.sync -- the GitRepository "flux-system" and the
// Kustomization "flux-system"; the lab also adds the Kustomization "cluster-apps" that a home-ops repository's
// flux-system path creates (onedr0p/home-ops kubernetes/flux/cluster). The lab's Flux controller
// (lab/controllers/flux.ts) then turns the Kustomizations Ready; the GitRepository is Ready at once.
import type { Registry } from '../kinds/registry.js';
import type { Store } from '../store/store.js';
import type { KObject } from '../store/types.js';
import { FLUX_TOOLKIT_CRDS, crdManifest } from './crds.js';
import { upsert } from './objects.js';

const COMPONENTS = ['source-controller', 'kustomize-controller', 'helm-controller', 'notification-controller'];
// controller versions of Flux v2.6 (fluxcd/flux2 manifests), the distribution "2.x" resolves to
const VERSIONS: Record<string, string> = { 'source-controller': 'v1.6.0', 'kustomize-controller': 'v1.6.0', 'helm-controller': 'v1.3.0', 'notification-controller': 'v1.6.0', 'image-reflector-controller': 'v0.35.0', 'image-automation-controller': 'v0.41.0' };

function controller(ns: string, name: string, registry: string): KObject {
  const labels = { app: name, 'app.kubernetes.io/component': name, 'app.kubernetes.io/instance': ns, 'app.kubernetes.io/part-of': 'flux', 'app.kubernetes.io/version': 'v2.6.0', 'app.kubernetes.io/managed-by': 'flux-operator' };
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns, labels },
    spec: {
      replicas: 1, selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { serviceAccountName: name, containers: [{ name: 'manager', image: `${registry}/${name}:${VERSIONS[name] ?? 'v1.0.0'}` }] },
      },
    },
  };
}

/** Reconciles one FluxInstance: everything it stands for is created (or updated) and the instance marked Ready. */
export function reconcileFluxInstance(store: Store, registry: Registry, instance: KObject): void {
  const ns = instance.metadata.namespace!;
  const spec = instance.spec ?? {};
  for (const d of FLUX_TOOLKIT_CRDS) upsert(store, registry, crdManifest(d, { 'app.kubernetes.io/part-of': 'flux' }));
  const reg = String(spec.distribution?.registry ?? 'ghcr.io/fluxcd');
  for (const c of (Array.isArray(spec.components) && spec.components.length ? spec.components : COMPONENTS) as string[]) upsert(store, registry, controller(ns, c, reg));
  const sync = spec.sync;
  if (sync?.url) {
    const ref = String(sync.ref ?? 'refs/heads/main');
    const revision = `${ref}@sha1:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c`;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    upsert(store, registry, {
      apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: { name: 'flux-system', namespace: ns },
      spec: { interval: String(sync.interval ?? '1m0s'), url: String(sync.url), ref: ref.startsWith('refs/heads/') ? { branch: ref.slice('refs/heads/'.length) } : { name: ref }, ...(sync.pullSecret ? { secretRef: { name: String(sync.pullSecret) } } : {}) },
      status: {
        artifact: { revision, path: `gitrepository/${ns}/flux-system/0f1e2d3c.tar.gz`, lastUpdateTime: now },
        conditions: [{ type: 'Ready', status: 'True', reason: 'Succeeded', message: `stored artifact for revision '${revision}'`, lastTransitionTime: now }],
      },
    });
    const ks = (name: string, path: string, extra: Record<string, unknown> = {}): KObject => ({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name, namespace: ns },
      spec: { interval: '1h', path, prune: true, sourceRef: { kind: 'GitRepository', name: 'flux-system' }, ...extra },
    });
    upsert(store, registry, ks('flux-system', String(sync.path ?? './kubernetes/flux/cluster')));
    upsert(store, registry, ks('cluster-apps', './kubernetes/apps', { dependsOn: [{ name: 'flux-system' }] }));
  }
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  upsert(store, registry, {
    ...instance,
    status: {
      observedGeneration: instance.metadata.generation,
      conditions: [{ type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: 'Reconciliation finished', lastTransitionTime: now }],
      lastAppliedRevision: `v2.6.0@sha256:${'0'.repeat(64)}`,
    },
  });
}
