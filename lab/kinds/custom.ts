// Custom kinds as data: adding one is a few lines. Each is served like a CRD-backed resource and a real
// CustomResourceDefinition object is seeded for it (reference/kubectl-protocol.md: kubectl lists CRDs for CRs).
// Printer columns copied from the projects' CRDs (fluxcd/kustomize-controller config/crd, backube/volsync config/crd).

export interface CustomKind {
  group: string;
  version: string;
  kind: string;
  plural: string;
  shortNames?: string[];
  categories?: string[];
  namespaced?: boolean; // default true
  printerColumns?: { name: string; type: 'string' | 'integer' | 'number' | 'boolean' | 'date'; jsonPath: string; priority?: number }[];
  /** labels of the CRD object */
  labels?: Record<string, string>;
}

const readyColumns: CustomKind['printerColumns'] = [
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  { name: 'Status', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].message' },
];

const syncColumns = (source?: string): CustomKind['printerColumns'] => [
  ...(source ? [{ name: 'Source', type: 'string' as const, jsonPath: source }] : []),
  { name: 'Last sync', type: 'string', jsonPath: '.status.lastSyncTime' },
  { name: 'Duration', type: 'string', jsonPath: '.status.lastSyncDuration' },
  { name: 'Next sync', type: 'string', jsonPath: '.status.nextSyncTime' },
];

// the labels `flux install` puts on its CRDs (what `flux check` selects them by: app.kubernetes.io/part-of=flux)
const flux = (component: string) => ({ 'app.kubernetes.io/component': component, 'app.kubernetes.io/instance': 'flux-system', 'app.kubernetes.io/part-of': 'flux', 'app.kubernetes.io/version': 'v2.7.0' });

export const customKinds: CustomKind[] = [
  { group: 'kustomize.toolkit.fluxcd.io', version: 'v1', kind: 'Kustomization', plural: 'kustomizations', shortNames: ['ks'], printerColumns: readyColumns, labels: flux('kustomize-controller') },
  { group: 'helm.toolkit.fluxcd.io', version: 'v2', kind: 'HelmRelease', plural: 'helmreleases', shortNames: ['hr'], printerColumns: readyColumns, labels: flux('helm-controller') },
  // fluxcd/source-controller config/crd: URL, Age, Ready, Status
  { group: 'source.toolkit.fluxcd.io', version: 'v1', kind: 'GitRepository', plural: 'gitrepositories', shortNames: ['gitrepo'], printerColumns: [{ name: 'URL', type: 'string', jsonPath: '.spec.url' }, ...readyColumns!], labels: flux('source-controller') },
  { group: 'source.toolkit.fluxcd.io', version: 'v1', kind: 'HelmRepository', plural: 'helmrepositories', shortNames: ['helmrepo'], printerColumns: [{ name: 'URL', type: 'string', jsonPath: '.spec.url' }, ...readyColumns!], labels: flux('source-controller') },
  { group: 'source.toolkit.fluxcd.io', version: 'v1', kind: 'OCIRepository', plural: 'ocirepositories', shortNames: ['ocirepo'], printerColumns: [{ name: 'URL', type: 'string', jsonPath: '.spec.url' }, ...readyColumns!], labels: flux('source-controller') },
  // argoproj/argo-cd manifests/crds: Sync Status, Health Status (Application); none extra (ApplicationSet)
  { group: 'argoproj.io', version: 'v1alpha1', kind: 'Application', plural: 'applications', shortNames: ['app', 'apps'], printerColumns: [{ name: 'Sync Status', type: 'string', jsonPath: '.status.sync.status' }, { name: 'Health Status', type: 'string', jsonPath: '.status.health.status' }] },
  { group: 'argoproj.io', version: 'v1alpha1', kind: 'ApplicationSet', plural: 'applicationsets', shortNames: ['appset', 'appsets'], printerColumns: [] },
  // external-secrets/external-secrets config/crds: Store, Refresh Interval, Status, Ready (ExternalSecret)
  { group: 'external-secrets.io', version: 'v1', kind: 'ExternalSecret', plural: 'externalsecrets', shortNames: ['es'], printerColumns: [{ name: 'Store', type: 'string', jsonPath: '.spec.secretStoreRef.name' }, { name: 'Refresh Interval', type: 'string', jsonPath: '.spec.refreshInterval' }, { name: 'Status', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason' }, { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' }] },
  { group: 'external-secrets.io', version: 'v1', kind: 'ClusterSecretStore', plural: 'clustersecretstores', shortNames: ['css'], namespaced: false, printerColumns: [] },
  { group: 'volsync.backube', version: 'v1alpha1', kind: 'ReplicationSource', plural: 'replicationsources', printerColumns: syncColumns('.spec.sourcePVC') },
  { group: 'volsync.backube', version: 'v1alpha1', kind: 'ReplicationDestination', plural: 'replicationdestinations', printerColumns: syncColumns() },
];
