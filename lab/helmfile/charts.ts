// The lab's chart catalogue: what `helm template` renders for a chart, keyed by the chart's name (the last path
// segment of the helmfile's `chart:`). Each chart has its CRDs (crds.ts) and a few ordinary objects -- the workload
// named after the chart plus its ServiceAccount/ConfigMap/Service -- shaped like the upstream charts' defaults
// (cilium/cilium install/kubernetes/cilium, coredns/helm, spegel-org/spegel charts/spegel, cert-manager deploy/charts,
// external-secrets deploy/charts, controlplaneio-fluxcd/charts). A chart the catalogue does not know renders one
// Deployment named after the release, as a generic app chart would.
import type { KObject } from '../store/types.js';
import { CRDS, type CrdDef } from './crds.js';

export interface ChartRelease {
  name: string;
  namespace: string;
  /** the chart reference as the helmfile gives it (oci://..., repo/chart, ./path) */
  chart: string;
  version?: string;
  /** the merged values of the release's values files (YAML ones; .gotmpl files are not rendered) */
  values?: Record<string, unknown>;
}

interface Workload {
  kind: 'Deployment' | 'DaemonSet';
  name: string;
  image: string;
  replicas?: number;
  /** tolerate every taint (a CNI agent, a registry mirror) */
  tolerateAll?: boolean;
  hostNetwork?: boolean;
  /** schedulable on control planes (CriticalAddonsOnly + control-plane NoSchedule, as coredns and the Flux operator) */
  controlPlane?: boolean;
}

interface ChartDef {
  appVersion: (chartVersion: string) => string;
  crds: CrdDef[];
  workloads: Workload[];
  configMaps?: string[];
  services?: string[];
  /** other objects (a flux-instance's FluxInstance) */
  extra?: (r: ChartRelease) => KObject[];
}

const bare = (v: string) => v.replace(/^v/, '');

/** helm's values coalescing: maps merge key by key, everything else is replaced */
export function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = b && v && typeof b === 'object' && typeof v === 'object' && !Array.isArray(b) && !Array.isArray(v) ? merge(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

const CATALOGUE: Record<string, ChartDef> = {
  cilium: {
    appVersion: bare, crds: CRDS.cilium!, configMaps: ['cilium-config'],
    workloads: [
      { kind: 'DaemonSet', name: 'cilium', image: 'quay.io/cilium/cilium', tolerateAll: true, hostNetwork: true },
      { kind: 'Deployment', name: 'cilium-operator', image: 'quay.io/cilium/operator-generic', replicas: 1, tolerateAll: true, hostNetwork: true },
    ],
  },
  coredns: {
    appVersion: () => '1.12.1', crds: [], configMaps: ['coredns'], services: ['coredns'],
    workloads: [{ kind: 'Deployment', name: 'coredns', image: 'coredns/coredns', replicas: 1, controlPlane: true }],
  },
  spegel: {
    appVersion: bare, crds: [], configMaps: ['spegel'], services: ['spegel-registry'],
    workloads: [{ kind: 'DaemonSet', name: 'spegel', image: 'ghcr.io/spegel-org/spegel', tolerateAll: true }],
  },
  'cert-manager': {
    appVersion: (v) => `v${bare(v)}`, crds: CRDS['cert-manager']!, services: ['cert-manager', 'cert-manager-webhook'],
    workloads: [['cert-manager', 'controller'], ['cert-manager-cainjector', 'cainjector'], ['cert-manager-webhook', 'webhook']]
      .map(([name, image]) => ({ kind: 'Deployment' as const, name: name!, image: `quay.io/jetstack/cert-manager-${image}`, replicas: 1 })),
  },
  'external-secrets': {
    appVersion: (v) => `v${bare(v)}`, crds: CRDS['external-secrets']!, services: ['external-secrets-webhook'],
    workloads: ['external-secrets', 'external-secrets-webhook', 'external-secrets-cert-controller'].map((name) => ({ kind: 'Deployment' as const, name, image: 'ghcr.io/external-secrets/external-secrets', replicas: 1 })),
  },
  'flux-operator': {
    appVersion: (v) => `v${bare(v)}`, crds: CRDS['flux-operator']!, services: ['flux-operator'],
    workloads: [{ kind: 'Deployment', name: 'flux-operator', image: 'ghcr.io/controlplaneio-fluxcd/flux-operator', replicas: 1, controlPlane: true }],
  },
  'flux-instance': {
    appVersion: (v) => `v${bare(v)}`, crds: [], workloads: [],
    // charts/flux-instance/templates/instance.yaml: a FluxInstance named "flux" (the operator's singleton) whose spec
    // is the chart's `instance` values (distribution, components, cluster, sync)
    extra: (r) => [{
      apiVersion: 'fluxcd.controlplane.io/v1', kind: 'FluxInstance', metadata: { name: 'flux', namespace: r.namespace },
      spec: merge({
        distribution: { version: '2.x', registry: 'ghcr.io/fluxcd' },
        components: ['source-controller', 'kustomize-controller', 'helm-controller', 'notification-controller'],
        cluster: { type: 'kubernetes', networkPolicy: true, domain: 'cluster.local' },
      }, (r.values?.instance ?? {}) as Record<string, unknown>),
    }],
  },
  'prometheus-operator-crds': { appVersion: () => 'v0.83.0', crds: CRDS['prometheus-operator-crds']!, workloads: [] },
};

/** `oci://ghcr.io/x/charts/cilium` / `cilium/cilium` / `./charts/app` => "cilium" / "cilium" / "app" */
export function chartName(chart: string): string {
  return chart.replace(/\/+$/, '').split('/').pop()!.replace(/:.*$/, '');
}

function def(r: ChartRelease): ChartDef {
  return CATALOGUE[chartName(r.chart)] ?? { appVersion: () => r.version ?? '0.1.0', crds: [], workloads: [{ kind: 'Deployment', name: r.name, image: `ghcr.io/example/${r.name}`, replicas: 1 }] };
}

export const chartVersion = (r: ChartRelease) => bare(r.version ?? '0.1.0');
export const appVersion = (r: ChartRelease) => def(r).appVersion(r.version ?? '0.1.0');
export const chartCrds = (r: ChartRelease): CrdDef[] => def(r).crds;

/** the labels every rendered object carries (helm's common labels) */
export function chartLabels(r: ChartRelease, component?: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': component ?? chartName(r.chart), 'app.kubernetes.io/instance': r.name,
    'app.kubernetes.io/managed-by': 'Helm', 'app.kubernetes.io/version': appVersion(r), 'helm.sh/chart': `${chartName(r.chart)}-${chartVersion(r)}`,
  };
}

/** the chart's main workload takes values.replicaCount (the common chart convention), the others their default */
function replicas(r: ChartRelease, w: Workload): number {
  const n = r.values?.replicaCount;
  return w.name === chartName(r.chart) && typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : w.replicas ?? 1;
}

function workloadObject(r: ChartRelease, w: Workload): KObject {
  const labels = chartLabels(r, w.name);
  const selector = { 'app.kubernetes.io/name': w.name, 'app.kubernetes.io/instance': r.name };
  const tolerations = w.tolerateAll ? [{ operator: 'Exists' }]
    : w.controlPlane ? [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }] : undefined;
  const podSpec = {
    serviceAccountName: w.name, containers: [{ name: w.name, image: `${w.image}:${appVersion(r)}` }],
    ...(tolerations ? { tolerations } : {}), ...(w.hostNetwork ? { hostNetwork: true } : {}),
  };
  return {
    apiVersion: 'apps/v1', kind: w.kind, metadata: { name: w.name, namespace: r.namespace, labels },
    spec: { ...(w.kind === 'Deployment' ? { replicas: replicas(r, w) } : {}), selector: { matchLabels: selector }, template: { metadata: { labels: { ...selector } }, spec: podSpec } },
  };
}

/** The chart's templates rendered: [source path, object], CRDs excluded (see chartCrds). */
export function renderChart(r: ChartRelease): { source: string; object: KObject }[] {
  const d = def(r);
  const name = chartName(r.chart);
  const meta = (n: string) => ({ name: n, namespace: r.namespace, labels: chartLabels(r, n) });
  const out: { source: string; object: KObject }[] = [];
  for (const w of d.workloads) out.push({ source: `${name}/templates/${w.name}/serviceaccount.yaml`, object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(w.name) } });
  for (const cm of d.configMaps ?? []) out.push({ source: `${name}/templates/${cm}/configmap.yaml`, object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(cm), data: {} } });
  for (const svc of d.services ?? []) {
    out.push({ source: `${name}/templates/${svc}/service.yaml`, object: { apiVersion: 'v1', kind: 'Service', metadata: meta(svc), spec: { type: 'ClusterIP', selector: { 'app.kubernetes.io/name': svc, 'app.kubernetes.io/instance': r.name }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] } } });
  }
  for (const w of d.workloads) out.push({ source: `${name}/templates/${w.name}/${w.kind.toLowerCase()}.yaml`, object: workloadObject(r, w) });
  for (const o of d.extra?.(r) ?? []) out.push({ source: `${name}/templates/${o.kind!.toLowerCase()}.yaml`, object: o });
  return out;
}
