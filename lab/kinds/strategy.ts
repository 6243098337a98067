// Per-kind create-time behaviour: defaults (pkg/apis/*/v1/defaults.go), status reset (each strategy's
// PrepareForCreate) and the few validations (pkg/apis/*/validation) an operator is likely to trip over.
import { errors } from '../store/errors.js';
import type { KObject } from '../store/types.js';
import { labelSelectorMatcher } from '../store/selectors.js';
import { groupResource, type KindDef } from './types.js';

/** pkg/apis/core/v1/defaults.go SetDefaults_PodSpec / SetDefaults_Container (the fields kubectl shows) */
export function defaultPodSpec(spec: any): void {
  if (!spec) return;
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  for (const c of spec.containers ?? []) {
    c.imagePullPolicy ??= String(c.image ?? '').endsWith(':latest') || !String(c.image ?? '').includes(':') ? 'Always' : 'IfNotPresent';
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    c.resources ??= {};
  }
}

const defaults: Record<string, (o: KObject) => void> = {
  pods: (o) => defaultPodSpec(o.spec),
  deployments: (o) => {
    o.spec.replicas ??= 1;
    if (!o.spec.strategy?.type) o.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
    o.spec.revisionHistoryLimit ??= 10;
    o.spec.progressDeadlineSeconds ??= 600;
    defaultPodSpec(o.spec.template?.spec);
  },
  statefulsets: (o) => {
    o.spec.replicas ??= 1;
    if (!o.spec.updateStrategy?.type) o.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
    o.spec.podManagementPolicy ??= 'OrderedReady';
    o.spec.revisionHistoryLimit ??= 10;
    defaultPodSpec(o.spec.template?.spec);
  },
  daemonsets: (o) => {
    if (!o.spec.updateStrategy?.type) o.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } };
    o.spec.revisionHistoryLimit ??= 10;
    defaultPodSpec(o.spec.template?.spec);
  },
  replicasets: (o) => {
    o.spec.replicas ??= 1;
    defaultPodSpec(o.spec.template?.spec);
  },
  services: (o) => {
    o.spec ??= {};
    o.spec.type ??= 'ClusterIP';
  },
  secrets: (o) => {
    o.type ??= 'Opaque';
  },
};

/** Defaults + status reset. Nodes keep the status they are created with (node strategy keeps it). */
export function prepareForCreate(kind: KindDef, o: KObject): void {
  const gr = groupResource(kind);
  if (kind.group === 'apps' || gr === 'pods') o.spec ??= {};
  defaults[kind.group === 'apps' || kind.group === '' ? kind.resource : '']?.(o);
  if (gr === 'namespaces') o.status = { phase: 'Active' };
  else if (gr === 'pods') o.status = { phase: 'Pending', qosClass: 'BestEffort' };
  else if (gr !== 'nodes' && kind.subresources?.includes('status')) delete o.status;
}

/** What the API server does to every written object before validation: v1 Secret stringData is write-only, merged
 *  into data, base64-encoded, stringData winning (kubernetes pkg/apis/core/v1/conversion.go
 *  Convert_v1_Secret_To_core_Secret). */
export function normalizeForWrite(kind: KindDef, o: KObject): void {
  if (groupResource(kind) === 'secrets' && o.stringData && typeof o.stringData === 'object') {
    o.data = { ...(o.data ?? {}), ...Object.fromEntries(Object.entries(o.stringData as Record<string, string>).map(([k, v]) => [k, Buffer.from(String(v)).toString('base64')])) };
    delete o.stringData;
  }
}

export function validate(kind: KindDef, o: KObject): void {
  const name = o.metadata.name ?? '';
  const fail = (field: string, message: string) => { throw errors.invalid(kind.kind, kind.group, name, [{ field, message }]); };
  if (kind.group === 'apps') {
    if (typeof o.spec?.replicas === 'number' && o.spec.replicas < 0) fail('spec.replicas', `Invalid value: ${o.spec.replicas}: must be greater than or equal to 0`);
    if (!o.spec?.selector) fail('spec.selector', 'Required value');
    if (!labelSelectorMatcher(o.spec.selector)(o.spec.template?.metadata?.labels)) {
      fail('spec.template.metadata.labels', `Invalid value: ${JSON.stringify(o.spec.template?.metadata?.labels ?? {})}: \`selector\` does not match template \`labels\``);
    }
    if (!o.spec.template?.spec?.containers?.length) fail('spec.template.spec.containers', 'Required value');
  }
  if (groupResource(kind) === 'pods' && !o.spec?.containers?.length) fail('spec.containers', 'Required value');
}
