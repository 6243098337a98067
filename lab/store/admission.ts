// Checks every create passes before it is stored: object name validation
// (staging/src/k8s.io/apiserver/pkg/registry/rest/create.go BeforeCreate + ValidateObjectMeta) and namespace lifecycle
// (plugin/pkg/admission/namespace/lifecycle/admission.go: no content in a missing or terminating namespace).
import type { KindDef } from '../kinds/types.js';
import { errors } from './errors.js';
import { DNS1123_SUBDOMAIN } from './meta.js';
import type { KObject, ObjectMeta } from './types.js';

export function admitCreate(kind: KindDef, md: ObjectMeta, namespaceOf: (name: string) => KObject | undefined): void {
  const name = md.name ?? '';
  if (!name) throw errors.invalid(kind.kind, kind.group, '', [{ field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
  if (!DNS1123_SUBDOMAIN.test(name) || name.length > 253) {
    throw errors.invalid(kind.kind, kind.group, name, [{ field: 'metadata.name', message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character` }]);
  }
  if (!kind.namespaced) return;
  if (!md.namespace) throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  const ns = namespaceOf(md.namespace);
  if (!ns) throw errors.notFound({ group: '', resource: 'namespaces', name: md.namespace });
  if (ns.metadata.deletionTimestamp) {
    throw errors.forbidden({ group: kind.group, resource: kind.resource, name }, `unable to create new content in namespace ${md.namespace} because it is being terminated`);
  }
}
