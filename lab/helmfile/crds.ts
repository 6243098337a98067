// The CustomResourceDefinitions the lab's charts carry, as data: real groups, plural names, kinds, scopes, short
// names and versions (from each project's CRDs: cilium/cilium pkg/k8s/apis/cilium.io/client/crds, cert-manager
// deploy/crds, external-secrets config/crds/bases, controlplaneio-fluxcd/flux-operator config/crd/bases,
// prometheus-operator example/prometheus-operator-crd, fluxcd/*-controller config/crd/bases, gateway-api, cloudnative-pg). Schemas are reduced to
// x-kubernetes-preserve-unknown-fields: the lab stores custom resources as they come.
import { customKinds } from '../kinds/custom.js';
import type { KObject } from '../store/types.js';

export interface CrdDef {
  group: string;
  kind: string;
  plural: string;
  /** served versions, the storage version first */
  versions: string[];
  namespaced?: boolean; // default true
  shortNames?: string[];
  categories?: string[];
  printerColumns?: { name: string; type: string; jsonPath: string; priority?: number }[];
}

const age = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };
const ready = [age, { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' }, { name: 'Status', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].message' }];
const cilium = (kind: string, plural: string, extra: Partial<CrdDef> = {}): CrdDef => ({ group: 'cilium.io', kind, plural, versions: ['v2'], categories: ['cilium'], ...extra });

export const CRDS: Record<string, CrdDef[]> = {
  cilium: [
    cilium('CiliumNetworkPolicy', 'ciliumnetworkpolicies', { shortNames: ['cnp', 'ciliumnp'], categories: ['cilium', 'ciliumpolicy'] }),
    cilium('CiliumClusterwideNetworkPolicy', 'ciliumclusterwidenetworkpolicies', { namespaced: false, shortNames: ['ccnp'], categories: ['cilium', 'ciliumpolicy'] }),
    cilium('CiliumEndpoint', 'ciliumendpoints', { shortNames: ['cep', 'ciliumep'] }),
    cilium('CiliumNode', 'ciliumnodes', { namespaced: false, shortNames: ['cn', 'ciliumn'] }),
    cilium('CiliumIdentity', 'ciliumidentities', { namespaced: false, shortNames: ['ciliumid'] }),
    cilium('CiliumLoadBalancerIPPool', 'ciliumloadbalancerippools', { namespaced: false, shortNames: ['ippools', 'ippool', 'lbippool', 'lbippools'], versions: ['v2', 'v2alpha1'] }),
    cilium('CiliumL2AnnouncementPolicy', 'ciliuml2announcementpolicies', { namespaced: false, shortNames: ['l2announcement'], versions: ['v2alpha1'] }),
    cilium('CiliumBGPClusterConfig', 'ciliumbgpclusterconfigs', { namespaced: false, shortNames: ['cbgpcluster'], versions: ['v2', 'v2alpha1'] }),
    cilium('CiliumBGPPeerConfig', 'ciliumbgppeerconfigs', { namespaced: false, shortNames: ['cbgppeer'], versions: ['v2', 'v2alpha1'] }),
    cilium('CiliumBGPAdvertisement', 'ciliumbgpadvertisements', { namespaced: false, shortNames: ['cbgpadvert'], versions: ['v2', 'v2alpha1'] }),
  ],
  'cert-manager': [
    { group: 'cert-manager.io', kind: 'Certificate', plural: 'certificates', versions: ['v1'], shortNames: ['cert', 'certs'], categories: ['cert-manager'], printerColumns: [{ name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' }, { name: 'Secret', type: 'string', jsonPath: '.spec.secretName' }, age] },
    { group: 'cert-manager.io', kind: 'CertificateRequest', plural: 'certificaterequests', versions: ['v1'], shortNames: ['cr', 'crs'], categories: ['cert-manager'] },
    { group: 'cert-manager.io', kind: 'Issuer', plural: 'issuers', versions: ['v1'], categories: ['cert-manager'] },
    { group: 'cert-manager.io', kind: 'ClusterIssuer', plural: 'clusterissuers', versions: ['v1'], namespaced: false, categories: ['cert-manager'] },
    { group: 'acme.cert-manager.io', kind: 'Order', plural: 'orders', versions: ['v1'], categories: ['cert-manager', 'cert-manager-acme'] },
    { group: 'acme.cert-manager.io', kind: 'Challenge', plural: 'challenges', versions: ['v1'], categories: ['cert-manager', 'cert-manager-acme'] },
  ],
  'external-secrets': [
    { group: 'external-secrets.io', kind: 'ExternalSecret', plural: 'externalsecrets', versions: ['v1', 'v1beta1'], shortNames: ['es'], categories: ['external-secrets'], printerColumns: [{ name: 'Store', type: 'string', jsonPath: '.spec.secretStoreRef.name' }, { name: 'Refresh Interval', type: 'string', jsonPath: '.spec.refreshInterval' }, { name: 'Status', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason' }, { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' }] },
    { group: 'external-secrets.io', kind: 'ClusterExternalSecret', plural: 'clusterexternalsecrets', versions: ['v1', 'v1beta1'], namespaced: false, shortNames: ['ces'], categories: ['external-secrets'] },
    { group: 'external-secrets.io', kind: 'SecretStore', plural: 'secretstores', versions: ['v1', 'v1beta1'], shortNames: ['ss'], categories: ['external-secrets'] },
    { group: 'external-secrets.io', kind: 'ClusterSecretStore', plural: 'clustersecretstores', versions: ['v1', 'v1beta1'], namespaced: false, shortNames: ['css'], categories: ['external-secrets'] },
    { group: 'external-secrets.io', kind: 'PushSecret', plural: 'pushsecrets', versions: ['v1alpha1'], categories: ['external-secrets'] },
  ],
  // kubernetes-sigs/gateway-api config/crd/standard
  'gateway-api': [
    { group: 'gateway.networking.k8s.io', kind: 'GatewayClass', plural: 'gatewayclasses', versions: ['v1'], namespaced: false, shortNames: ['gc'], categories: ['gateway-api'] },
    { group: 'gateway.networking.k8s.io', kind: 'Gateway', plural: 'gateways', versions: ['v1'], shortNames: ['gtw'], categories: ['gateway-api'] },
    { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', plural: 'httproutes', versions: ['v1'], categories: ['gateway-api'] },
  ],
  // cloudnative-pg/cloudnative-pg config/crd/bases
  'cloudnative-pg': [
    { group: 'postgresql.cnpg.io', kind: 'Cluster', plural: 'clusters', versions: ['v1'], categories: ['cnpg'] },
    { group: 'postgresql.cnpg.io', kind: 'Backup', plural: 'backups', versions: ['v1'], categories: ['cnpg'] },
    { group: 'postgresql.cnpg.io', kind: 'ScheduledBackup', plural: 'scheduledbackups', versions: ['v1'], categories: ['cnpg'] },
  ],
  'flux-operator': [
    { group: 'fluxcd.controlplane.io', kind: 'FluxInstance', plural: 'fluxinstances', versions: ['v1'], shortNames: ['fi'], printerColumns: ready },
    { group: 'fluxcd.controlplane.io', kind: 'FluxReport', plural: 'fluxreports', versions: ['v1'], shortNames: ['frep'], printerColumns: ready },
    { group: 'fluxcd.controlplane.io', kind: 'ResourceSet', plural: 'resourcesets', versions: ['v1'], shortNames: ['rset'], printerColumns: ready },
    { group: 'fluxcd.controlplane.io', kind: 'ResourceSetInputProvider', plural: 'resourcesetinputproviders', versions: ['v1'], shortNames: ['rsip'], printerColumns: ready },
  ],
  'prometheus-operator-crds': [
    { group: 'monitoring.coreos.com', kind: 'ServiceMonitor', plural: 'servicemonitors', versions: ['v1'], shortNames: ['smon'], categories: ['prometheus-operator'] },
    { group: 'monitoring.coreos.com', kind: 'PodMonitor', plural: 'podmonitors', versions: ['v1'], shortNames: ['pmon'], categories: ['prometheus-operator'] },
    { group: 'monitoring.coreos.com', kind: 'PrometheusRule', plural: 'prometheusrules', versions: ['v1'], shortNames: ['promrule'], categories: ['prometheus-operator'] },
    { group: 'monitoring.coreos.com', kind: 'Probe', plural: 'probes', versions: ['v1'], shortNames: ['prb'], categories: ['prometheus-operator'] },
  ],
};

/** a custom kind a non-empty lab seeds (lab/kinds/custom.ts), as a CrdDef */
function seeded(kind: string): CrdDef {
  const c = customKinds.find((k) => k.kind === kind)!;
  return { group: c.group, kind: c.kind, plural: c.plural, versions: [c.version], ...(c.shortNames ? { shortNames: c.shortNames } : {}), ...(c.printerColumns ? { printerColumns: c.printerColumns } : {}) };
}

/** What the flux-operator installs for a FluxInstance (the Flux toolkit CRDs). Kustomization and HelmRelease carry
 *  the printer columns of lab/kinds/custom.ts, so an empty lab ends up serving them exactly as a seeded one does. */
export const FLUX_TOOLKIT_CRDS: CrdDef[] = [
  { group: 'source.toolkit.fluxcd.io', kind: 'GitRepository', plural: 'gitrepositories', versions: ['v1'], shortNames: ['gitrepo'], printerColumns: [{ name: 'URL', type: 'string', jsonPath: '.spec.url' }, ...ready] },
  { group: 'source.toolkit.fluxcd.io', kind: 'OCIRepository', plural: 'ocirepositories', versions: ['v1'], shortNames: ['ocirepo'], printerColumns: [{ name: 'URL', type: 'string', jsonPath: '.spec.url' }, ...ready] },
  { group: 'source.toolkit.fluxcd.io', kind: 'HelmRepository', plural: 'helmrepositories', versions: ['v1'], shortNames: ['helmrepo'], printerColumns: [{ name: 'URL', type: 'string', jsonPath: '.spec.url' }, ...ready] },
  { group: 'source.toolkit.fluxcd.io', kind: 'HelmChart', plural: 'helmcharts', versions: ['v1'], shortNames: ['hc'], printerColumns: ready },
  seeded('Kustomization'),
  seeded('HelmRelease'),
  { group: 'notification.toolkit.fluxcd.io', kind: 'Provider', plural: 'providers', versions: ['v1beta3'], printerColumns: [age] },
  { group: 'notification.toolkit.fluxcd.io', kind: 'Alert', plural: 'alerts', versions: ['v1beta3'], printerColumns: [age] },
  { group: 'notification.toolkit.fluxcd.io', kind: 'Receiver', plural: 'receivers', versions: ['v1'], printerColumns: ready },
];

/** An apiextensions.k8s.io/v1 CustomResourceDefinition manifest, as a chart's crds/ folder holds it (no status). */
export function crdManifest(d: CrdDef, labels: Record<string, string> = {}): KObject {
  const names = {
    kind: d.kind, listKind: `${d.kind}List`, plural: d.plural, singular: d.kind.toLowerCase(),
    ...(d.shortNames ? { shortNames: d.shortNames } : {}), ...(d.categories ? { categories: d.categories } : {}),
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name: `${d.plural}.${d.group}`, ...(Object.keys(labels).length ? { labels } : {}) },
    spec: {
      group: d.group, names, scope: d.namespaced === false ? 'Cluster' : 'Namespaced',
      versions: d.versions.map((name, i) => ({
        name, served: true, storage: i === 0,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        subresources: { status: {} },
        ...(d.printerColumns ? { additionalPrinterColumns: d.printerColumns } : {}),
      })),
    },
  };
}
