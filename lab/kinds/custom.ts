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

export const customKinds: CustomKind[] = [
  { group: 'kustomize.toolkit.fluxcd.io', version: 'v1', kind: 'Kustomization', plural: 'kustomizations', shortNames: ['ks'], printerColumns: readyColumns },
  { group: 'helm.toolkit.fluxcd.io', version: 'v2', kind: 'HelmRelease', plural: 'helmreleases', shortNames: ['hr'], printerColumns: readyColumns },
  { group: 'volsync.backube', version: 'v1alpha1', kind: 'ReplicationSource', plural: 'replicationsources', printerColumns: syncColumns('.spec.sourcePVC') },
  { group: 'volsync.backube', version: 'v1alpha1', kind: 'ReplicationDestination', plural: 'replicationdestinations', printerColumns: syncColumns() },
];
