// apps/v1 workloads, each with /status and /scale (pkg/registry/apps/*; printers.go printDeployment & co).
import { ageColumn, formatSelector, nameColumn, num, workloadWide } from './printers.js';
import type { KindDef } from './types.js';

const apps = { group: 'apps', version: 'v1', namespaced: true, generation: true, categories: ['all'] };

export const appsKinds: KindDef[] = [
  {
    ...apps, resource: 'deployments', singular: 'deployment', kind: 'Deployment', shortNames: ['deploy'], subresources: ['status', 'scale'],
    columns: [
      nameColumn,
      { name: 'Ready', type: 'string', value: (o) => `${num(o.status?.readyReplicas)}/${num(o.spec?.replicas)}` },
      { name: 'Up-to-date', type: 'integer', value: (o) => num(o.status?.updatedReplicas) },
      { name: 'Available', type: 'integer', value: (o) => num(o.status?.availableReplicas) },
      ageColumn, ...workloadWide,
    ],
  },
  {
    ...apps, resource: 'statefulsets', singular: 'statefulset', kind: 'StatefulSet', shortNames: ['sts'], subresources: ['status', 'scale'],
    columns: [
      nameColumn,
      { name: 'Ready', type: 'string', value: (o) => `${num(o.status?.readyReplicas)}/${num(o.spec?.replicas)}` },
      ageColumn, ...workloadWide.slice(0, 2),
    ],
  },
  {
    ...apps, resource: 'daemonsets', singular: 'daemonset', kind: 'DaemonSet', shortNames: ['ds'], subresources: ['status'],
    columns: [
      nameColumn,
      { name: 'Desired', type: 'integer', value: (o) => num(o.status?.desiredNumberScheduled) },
      { name: 'Current', type: 'integer', value: (o) => num(o.status?.currentNumberScheduled) },
      { name: 'Ready', type: 'integer', value: (o) => num(o.status?.numberReady) },
      { name: 'Up-to-date', type: 'integer', value: (o) => num(o.status?.updatedNumberScheduled) },
      { name: 'Available', type: 'integer', value: (o) => num(o.status?.numberAvailable) },
      { name: 'Node Selector', type: 'string', value: (o) => formatSelector(o.spec?.template?.spec?.nodeSelector ? { matchLabels: o.spec.template.spec.nodeSelector } : undefined) },
      ageColumn, ...workloadWide,
    ],
  },
  {
    ...apps, resource: 'replicasets', singular: 'replicaset', kind: 'ReplicaSet', shortNames: ['rs'], subresources: ['status', 'scale'],
    columns: [
      nameColumn,
      { name: 'Desired', type: 'integer', value: (o) => num(o.spec?.replicas) },
      { name: 'Current', type: 'integer', value: (o) => num(o.status?.replicas) },
      { name: 'Ready', type: 'integer', value: (o) => num(o.status?.readyReplicas) },
      ageColumn, ...workloadWide,
    ],
  },
];
