// Expands a topology into the objects the store starts with: namespaces, CRDs for the custom kinds, Talos nodes,
// workloads, PodDisruptionBudgets and any extra manifests.
import { randomUUID } from 'node:crypto';
import { customKinds } from './kinds/custom.js';
import { crdObject } from './kinds/crd.js';
import type { Registry } from './kinds/registry.js';
import { prepareForCreate } from './kinds/strategy.js';
import { groupResource } from './kinds/types.js';
import type { Store } from './store/store.js';
import type { KObject } from './store/types.js';
import type { Topology, TopologyWorkload } from './topology.js';

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export function nodeObject(t: Topology, n: Topology['nodes'][number], kubernetesVersion: string): KObject {
  const cp = n.role === 'controlplane';
  const k3s = t.distribution === 'k3s';
  // k3s labels its servers control-plane/master (and etcd with embedded etcd) "true" and taints nothing
  // (k3s-io/k3s pkg/nodeconfig, docs.k3s.io/installation/configuration); Talos taints control planes NoSchedule
  // unless cluster.allowSchedulingOnControlPlanes
  const roleLabels: Record<string, string> = !cp ? {} : k3s
    ? { 'node-role.kubernetes.io/control-plane': 'true', 'node-role.kubernetes.io/master': 'true', ...(t.k3s.datastore === 'etcd' ? { 'node-role.kubernetes.io/etcd': 'true' } : {}) }
    : { 'node-role.kubernetes.io/control-plane': '' };
  const taint = cp && !k3s && !t.node.allowSchedulingOnControlPlanes;
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name: n.name,
      labels: {
        'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux', ...roleLabels, ...(k3s ? { 'node.kubernetes.io/instance-type': 'k3s' } : {}), ...n.labels,
      },
      annotations: k3s ? { 'k3s.io/internal-ip': n.address, 'k3s.io/hostname': n.name } : { 'talos.dev/owned-labels': '["node-role.kubernetes.io/control-plane"]' },
    },
    spec: { podCIDR: `10.244.${n.address.split('.')[3]}.0/24`, ...(taint ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } : {}) },
    status: {
      addresses: [{ type: 'InternalIP', address: n.address }, { type: 'Hostname', address: n.name }],
      capacity: { cpu: '4', memory: '16338980Ki', pods: '110', 'ephemeral-storage': '101590Mi' },
      allocatable: { cpu: '3950m', memory: '15646756Ki', pods: '110', 'ephemeral-storage': '95630Mi' },
      conditions: ['MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => ({
        type, status: 'False', reason: `KubeletHas${type === 'PIDPressure' ? 'SufficientPID' : type === 'DiskPressure' ? 'NoDiskPressure' : 'SufficientMemory'}`, message: '',
      })),
      nodeInfo: {
        machineID: randomUUID().replace(/-/g, ''), systemUUID: randomUUID(), bootID: randomUUID(),
        kernelVersion: k3s ? '6.8.0-49-generic' : t.node.kernelVersion, osImage: k3s ? 'Ubuntu 24.04.1 LTS' : `Talos (${n.talos?.version ?? t.versions.talos})`,
        containerRuntimeVersion: k3s ? 'containerd://1.7.23-k3s2' : t.node.containerRuntimeVersion,
        kubeletVersion: kubernetesVersion, kubeProxyVersion: kubernetesVersion, operatingSystem: 'linux', architecture: 'amd64',
      },
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    },
  };
}

function workloadObject(w: TopologyWorkload): KObject {
  const labels = { app: w.name, ...w.labels };
  const podSpec: Record<string, unknown> = {
    containers: [{
      name: w.name, image: w.image,
      ...(w.emptyDir || w.volumeClaim ? { volumeMounts: [...(w.emptyDir ? [{ name: 'cache', mountPath: '/cache' }] : []), ...(w.volumeClaim ? [{ name: 'data', mountPath: '/data' }] : [])] } : {}),
    }],
    ...(w.emptyDir ? { volumes: [{ name: 'cache', emptyDir: {} }] } : {}),
    ...(w.tolerateAll ? { tolerations: [{ operator: 'Exists' }] } : {}),
    ...(w.hostNetwork ? { hostNetwork: true } : {}),
    ...(w.nodeSelector ? { nodeSelector: w.nodeSelector } : {}),
  };
  const spec: Record<string, unknown> = { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } };
  if (w.kind !== 'DaemonSet') spec.replicas = w.replicas ?? 1;
  if (w.kind === 'StatefulSet') {
    spec.serviceName = w.name;
    if (w.volumeClaim) spec.volumeClaimTemplates = [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: w.volumeClaim } } } }];
  }
  return { apiVersion: 'apps/v1', kind: w.kind, metadata: { name: w.name, namespace: w.namespace, labels }, spec };
}

/** Registers one node (a maintenance machine that just got its configuration joins the cluster). */
export function seedNode(store: Store, registry: Registry, t: Topology, name: string, kubernetesVersion: string): void {
  const n = t.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`lab topology: no node ${name}`);
  const o = nodeObject(t, n, kubernetesVersion);
  prepareForCreate(registry.byKind('v1', 'Node')!, o);
  o.status = nodeObject(t, n, kubernetesVersion).status;
  store.create('nodes', o);
}

/** Creates one object with its defaults; a seeded object may come with a status (pods excepted). */
export function seedObject(store: Store, registry: Registry, o: KObject): KObject {
  const kind = registry.byKind(o.apiVersion!, o.kind!);
  if (!kind) throw new Error(`lab topology: no kind ${o.kind} in ${o.apiVersion}`);
  const status = o.status;
  prepareForCreate(kind, o);
  if (status !== undefined && kind.kind !== 'Pod') o.status = status;
  return store.create(groupResource(kind), o);
}

/** Creates everything the topology describes (plus `extra` objects, e.g. the prepared VolSync apps). Custom kinds get their CRD objects first. */
export function seed(store: Store, registry: Registry, t: Topology, kubernetesVersion: string, extra: KObject[] = []): void {
  const create = (o: KObject) => void seedObject(store, registry, o);
  const namespaces = [...t.namespaces, ...t.persistentVolumeClaims.map((p) => p.namespace), ...extra.map((o) => o.metadata.namespace).filter((n): n is string => !!n)];
  for (const ns of [...SYSTEM_NAMESPACES, ...new Set(namespaces.filter((n) => !SYSTEM_NAMESPACES.includes(n)))]) {
    create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } } });
  }
  for (const c of customKinds) create(crdObject(c));
  for (const n of t.nodes) if (!n.talos?.maintenance && n.k3s?.installed !== false) create(nodeObject(t, n, n.k3s?.version ?? kubernetesVersion));
  for (const w of t.workloads) create(workloadObject(w));
  for (const p of t.disruptionBudgets) {
    create({
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: p.name, namespace: p.namespace },
      spec: { selector: { matchLabels: p.selector }, ...(p.minAvailable !== undefined ? { minAvailable: p.minAvailable } : { maxUnavailable: p.maxUnavailable }) },
    });
  }
  for (const p of t.persistentVolumeClaims) {
    create({
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: p.name, namespace: p.namespace },
      spec: { accessModes: p.accessModes, resources: { requests: { storage: p.capacity } }, ...(p.storageClassName ? { storageClassName: p.storageClassName } : {}) },
    });
  }
  for (const o of extra) create(structuredClone(o));
  for (const o of t.objects) create(structuredClone(o) as KObject);
}
