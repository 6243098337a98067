// rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding, ClusterRoleBinding (k8s.io/api rbac/v1 types.go),
// served with their OpenAPI like every other kind, and enforced for ServiceAccount tokens by lab/http/authz.ts.
import { ageColumn, nameColumn } from './printers.js';
import type { KindDef } from './types.js';

const rbac = { group: 'rbac.authorization.k8s.io', version: 'v1' } as const;
const roleRef = { name: 'Role', type: 'string' as const, value: (o: any) => `${o.roleRef?.kind ?? ''}/${o.roleRef?.name ?? ''}` };

export const rbacKinds: KindDef[] = [
  { ...rbac, resource: 'roles', singular: 'role', kind: 'Role', namespaced: true, columns: [nameColumn, { name: 'Created At', type: 'date', value: (o) => o.metadata.creationTimestamp }] },
  { ...rbac, resource: 'clusterroles', singular: 'clusterrole', kind: 'ClusterRole', namespaced: false, columns: [nameColumn, { name: 'Created At', type: 'date', value: (o) => o.metadata.creationTimestamp }] },
  { ...rbac, resource: 'rolebindings', singular: 'rolebinding', kind: 'RoleBinding', namespaced: true, columns: [nameColumn, roleRef, ageColumn] },
  { ...rbac, resource: 'clusterrolebindings', singular: 'clusterrolebinding', kind: 'ClusterRoleBinding', namespaced: false, columns: [nameColumn, roleRef, ageColumn] },
];
