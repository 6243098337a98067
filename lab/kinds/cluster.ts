// The other built-in groups the lab serves: batch, storage.k8s.io, networking.k8s.io, policy, coordination.k8s.io, apiextensions.k8s.io.
import { initializeJob } from './job.js';
import { ageColumn, nameColumn, num, since } from './printers.js';
import type { KindDef } from './types.js';

const intOrString = (v: unknown) => (v === undefined || v === null ? 'N/A' : String(v));

export const clusterKinds: KindDef[] = [
  {
    group: 'batch', version: 'v1', resource: 'jobs', singular: 'job', kind: 'Job', namespaced: true, categories: ['all'],
    generation: true, subresources: ['status'], initialize: initializeJob,
    columns: [
      nameColumn,
      { name: 'Completions', type: 'string', value: (o) => `${num(o.status?.succeeded)}/${o.spec?.completions ?? 1}` },
      { name: 'Duration', type: 'string', value: (o, now) => (o.status?.startTime ? since(o.status.startTime, o.status.completionTime ? Date.parse(o.status.completionTime) : now) : '') },
      ageColumn,
    ],
  },
  {
    group: 'batch', version: 'v1', resource: 'cronjobs', singular: 'cronjob', kind: 'CronJob', namespaced: true, shortNames: ['cj'], categories: ['all'],
    generation: true, subresources: ['status'],
    columns: [
      nameColumn,
      { name: 'Schedule', type: 'string', value: (o) => o.spec?.schedule ?? '' },
      { name: 'Timezone', type: 'string', value: (o) => o.spec?.timeZone ?? '<none>' },
      { name: 'Suspend', type: 'boolean', value: (o) => Boolean(o.spec?.suspend) },
      { name: 'Active', type: 'integer', value: (o) => (o.status?.active ?? []).length },
      { name: 'Last Schedule', type: 'string', value: (o, now) => (o.status?.lastScheduleTime ? since(o.status.lastScheduleTime, now) : '<none>') },
      ageColumn,
    ],
  },
  {
    group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses', singular: 'storageclass', kind: 'StorageClass', namespaced: false, shortNames: ['sc'],
    columns: [
      nameColumn,
      { name: 'Provisioner', type: 'string', value: (o) => o.provisioner ?? '' },
      { name: 'ReclaimPolicy', type: 'string', value: (o) => o.reclaimPolicy ?? 'Delete' },
      { name: 'VolumeBindingMode', type: 'string', value: (o) => o.volumeBindingMode ?? 'Immediate' },
      ageColumn,
    ],
  },
  {
    // kubectl's printer columns for Ingress (pkg/printers/internalversion/printers.go printIngress)
    group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', singular: 'ingress', kind: 'Ingress', namespaced: true, shortNames: ['ing'],
    generation: true, subresources: ['status'],
    columns: [
      nameColumn,
      { name: 'Class', type: 'string', value: (o) => o.spec?.ingressClassName ?? '<none>' },
      { name: 'Hosts', type: 'string', value: (o) => ((o.spec?.rules ?? []) as { host?: string }[]).map((r) => r.host ?? '*').join(',') || '*' },
      { name: 'Address', type: 'string', value: (o) => ((o.status?.loadBalancer?.ingress ?? []) as { ip?: string; hostname?: string }[]).map((i) => i.ip ?? i.hostname).join(',') },
      { name: 'Ports', type: 'string', value: (o) => (o.spec?.tls?.length ? '80, 443' : '80') },
      ageColumn,
    ],
  },
  {
    group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', singular: 'poddisruptionbudget', kind: 'PodDisruptionBudget',
    namespaced: true, shortNames: ['pdb'], generation: true, subresources: ['status'],
    columns: [
      nameColumn,
      { name: 'Min Available', type: 'string', value: (o) => intOrString(o.spec?.minAvailable) },
      { name: 'Max Unavailable', type: 'string', value: (o) => intOrString(o.spec?.maxUnavailable) },
      { name: 'Allowed Disruptions', type: 'integer', value: (o) => num(o.status?.disruptionsAllowed) },
      ageColumn,
    ],
  },
  {
    group: 'coordination.k8s.io', version: 'v1', resource: 'leases', singular: 'lease', kind: 'Lease', namespaced: true,
    columns: [nameColumn, { name: 'Holder', type: 'string', value: (o) => o.spec?.holderIdentity ?? '' }, ageColumn],
  },
  {
    group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', singular: 'customresourcedefinition',
    kind: 'CustomResourceDefinition', namespaced: false, shortNames: ['crd', 'crds'], categories: ['api-extensions'],
    generation: true, subresources: ['status'],
    columns: [nameColumn, { name: 'Created At', type: 'date', value: (o) => o.metadata.creationTimestamp }],
  },
];
