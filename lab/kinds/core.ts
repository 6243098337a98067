// core/v1 kinds (pkg/registry/core/*; columns from pkg/printers/internalversion/printers.go).
import type { KObject } from '../store/types.js';
import { ageColumn, condition, formatSelector, nameColumn, since } from './printers.js';
import type { KindDef } from './types.js';

const core = { group: '', version: 'v1' } as const;

/** printNode: Ready when True, NotReady for False or Unknown, Unknown without the condition; ",SchedulingDisabled" when cordoned */
function nodeStatus(o: KObject): string {
  const ready = condition(o, 'Ready');
  const s = !ready ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady';
  return o.spec?.unschedulable ? `${s},SchedulingDisabled` : s;
}

/** findNodeRoles: node-role.kubernetes.io/<role> labels and kubernetes.io/role */
function nodeRoles(o: KObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

const address = (o: KObject, type: string) => (o.status?.addresses ?? []).find((a: any) => a.type === type)?.address ?? '<none>';

/** printPod: reason is the phase, a waiting container's reason, or Terminating */
function podStatus(o: KObject): string {
  if (o.metadata.deletionTimestamp) return 'Terminating';
  let reason: string = o.status?.reason ?? o.status?.phase ?? 'Unknown';
  for (const cs of o.status?.containerStatuses ?? []) {
    if (cs.state?.waiting?.reason) reason = cs.state.waiting.reason;
    else if (cs.state?.terminated?.reason) reason = cs.state.terminated.reason;
  }
  return reason;
}

function podReady(o: KObject): string {
  const cs: any[] = o.status?.containerStatuses ?? [];
  return `${cs.filter((c) => c.ready).length}/${(o.spec?.containers ?? []).length}`;
}

export const coreKinds: KindDef[] = [
  {
    ...core, resource: 'nodes', singular: 'node', kind: 'Node', namespaced: false, shortNames: ['no'],
    subresources: ['status'], fieldSelectors: ['spec.unschedulable'],
    columns: [
      nameColumn,
      { name: 'Status', type: 'string', value: nodeStatus },
      { name: 'Roles', type: 'string', value: nodeRoles },
      ageColumn,
      { name: 'Version', type: 'string', value: (o) => o.status?.nodeInfo?.kubeletVersion ?? '' },
      { name: 'Internal-IP', type: 'string', priority: 1, value: (o) => address(o, 'InternalIP') },
      { name: 'External-IP', type: 'string', priority: 1, value: (o) => address(o, 'ExternalIP') },
      { name: 'OS-Image', type: 'string', priority: 1, value: (o) => o.status?.nodeInfo?.osImage ?? '<unknown>' },
      { name: 'Kernel-Version', type: 'string', priority: 1, value: (o) => o.status?.nodeInfo?.kernelVersion ?? '<unknown>' },
      { name: 'Container-Runtime', type: 'string', priority: 1, value: (o) => o.status?.nodeInfo?.containerRuntimeVersion ?? '<unknown>' },
    ],
  },
  {
    ...core, resource: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'], categories: ['all'],
    subresources: ['status', 'eviction'],
    // pkg/registry/core/pod/strategy.go PodToSelectableFields (subset)
    fieldSelectors: ['spec.nodeName', 'status.phase', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.podIP'],
    columns: [
      nameColumn,
      { name: 'Ready', type: 'string', value: podReady },
      { name: 'Status', type: 'string', value: podStatus },
      { name: 'Restarts', type: 'string', value: (o) => String((o.status?.containerStatuses ?? []).reduce((n: number, c: any) => n + (c.restartCount ?? 0), 0)) },
      ageColumn,
      { name: 'IP', type: 'string', priority: 1, value: (o) => o.status?.podIP ?? '<none>' },
      { name: 'Node', type: 'string', priority: 1, value: (o) => o.spec?.nodeName ?? '<none>' },
      { name: 'Nominated Node', type: 'string', priority: 1, value: (o) => o.status?.nominatedNodeName ?? '<none>' },
      { name: 'Readiness Gates', type: 'string', priority: 1, value: () => '<none>' },
    ],
  },
  {
    ...core, resource: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'],
    subresources: ['status'], fieldSelectors: ['status.phase'],
    columns: [nameColumn, { name: 'Status', type: 'string', value: (o) => o.status?.phase ?? 'Active' }, ageColumn],
  },
  {
    ...core, resource: 'configmaps', singular: 'configmap', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'],
    columns: [nameColumn, { name: 'Data', type: 'integer', value: (o) => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length }, ageColumn],
  },
  {
    ...core, resource: 'secrets', singular: 'secret', kind: 'Secret', namespaced: true, fieldSelectors: ['type'],
    columns: [nameColumn, { name: 'Type', type: 'string', value: (o) => o.type ?? 'Opaque' }, { name: 'Data', type: 'integer', value: (o) => Object.keys(o.data ?? {}).length }, ageColumn],
  },
  {
    ...core, resource: 'events', singular: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'],
    fieldSelectors: ['involvedObject.kind', 'involvedObject.name', 'involvedObject.namespace', 'involvedObject.uid', 'reason', 'type', 'source'],
    columns: [
      { name: 'Last Seen', type: 'string', value: (o, now) => since(o.lastTimestamp ?? o.metadata.creationTimestamp, now) },
      { name: 'Type', type: 'string', value: (o) => o.type ?? '' },
      { name: 'Reason', type: 'string', value: (o) => o.reason ?? '' },
      { name: 'Object', type: 'string', value: (o) => `${String(o.involvedObject?.kind ?? '').toLowerCase()}/${o.involvedObject?.name ?? ''}` },
      { name: 'Message', type: 'string', value: (o) => o.message ?? '' },
    ],
  },
  {
    ...core, resource: 'serviceaccounts', singular: 'serviceaccount', kind: 'ServiceAccount', namespaced: true, shortNames: ['sa'],
    columns: [nameColumn, { name: 'Secrets', type: 'string', value: (o) => String((o.secrets ?? []).length) }, ageColumn],
  },
  {
    ...core, resource: 'services', singular: 'service', kind: 'Service', namespaced: true, shortNames: ['svc'], categories: ['all'],
    subresources: ['status'],
    columns: [
      nameColumn,
      { name: 'Type', type: 'string', value: (o) => o.spec?.type ?? 'ClusterIP' },
      { name: 'Cluster-IP', type: 'string', value: (o) => o.spec?.clusterIP ?? '<none>' },
      { name: 'External-IP', type: 'string', value: () => '<none>' },
      { name: 'Port(s)', type: 'string', value: (o) => (o.spec?.ports ?? []).map((p: any) => `${p.port}/${p.protocol ?? 'TCP'}`).join(',') || '<none>' },
      ageColumn,
      { name: 'Selector', type: 'string', priority: 1, value: (o) => formatSelector(o.spec?.selector ? { matchLabels: o.spec.selector } : undefined) },
    ],
  },
  {
    // local-path volumes carry the node they live on in spec.nodeAffinity (rancher/local-path-provisioner provisioner.go)
    ...core, resource: 'persistentvolumes', singular: 'persistentvolume', kind: 'PersistentVolume', namespaced: false, shortNames: ['pv'],
    subresources: ['status'],
    columns: [
      nameColumn,
      { name: 'Capacity', type: 'string', value: (o) => o.spec?.capacity?.storage ?? '' },
      { name: 'Reclaim Policy', type: 'string', value: (o) => o.spec?.persistentVolumeReclaimPolicy ?? 'Retain' },
      { name: 'Status', type: 'string', value: (o) => o.status?.phase ?? 'Available' },
      { name: 'Claim', type: 'string', value: (o) => (o.spec?.claimRef ? `${o.spec.claimRef.namespace}/${o.spec.claimRef.name}` : '') },
      { name: 'StorageClass', type: 'string', value: (o) => o.spec?.storageClassName ?? '' },
      ageColumn,
    ],
  },
  {
    ...core, resource: 'persistentvolumeclaims', singular: 'persistentvolumeclaim', kind: 'PersistentVolumeClaim', namespaced: true, shortNames: ['pvc'],
    subresources: ['status'],
    columns: [
      nameColumn,
      { name: 'Status', type: 'string', value: (o) => o.status?.phase ?? 'Pending' },
      { name: 'Volume', type: 'string', value: (o) => o.spec?.volumeName ?? '' },
      { name: 'Capacity', type: 'string', value: (o) => o.status?.capacity?.storage ?? '' },
      { name: 'Access Modes', type: 'string', value: (o) => (o.status?.accessModes ?? []).map((m: string) => ({ ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' })[m] ?? m).join(',') },
      { name: 'StorageClass', type: 'string', value: (o) => o.spec?.storageClassName ?? '<unset>' },
      ageColumn,
    ],
  },
];
