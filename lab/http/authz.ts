// RBAC for ServiceAccount tokens, as kube-apiserver's RBAC authorizer decides (plugin/pkg/auth/authorizer/rbac/rbac.go,
// pkg/apis/rbac/v1/evaluation_helpers.go): a request is allowed when some rule of a Role bound in the request's
// namespace, or of a ClusterRole bound cluster-wide (or by a RoleBinding in that namespace), matches its verb, API
// group, resource[/subresource] and name. The lab issues the tokens (lab.serviceAccountToken); a client presents one
// in its server URL (http://127.0.0.1:PORT/_sa/<token>, see server.ts); every other request is the lab's admin. Discovery (/api, /apis, /openapi, /version, health) is open to every authenticated user,
// as the system:discovery and system:public-info-viewer bindings make it. Each decision for a ServiceAccount is
// recorded, so a test can compare what a task used with what its role grants (too-broad rules show up).
import type { IncomingMessage } from 'node:http';
import { errors } from '../store/errors.js';
import type { Store } from '../store/store.js';
import type { KObject } from '../store/types.js';
import type { ResourceRoute } from './route.js';

export interface Subject { namespace: string; name: string }
export interface Decision { user: string; verb: string; group: string; resource: string; namespace?: string; name?: string; allowed: boolean }

interface Rule { apiGroups?: string[]; resources?: string[]; verbs?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] }

export function requestVerb(method: string, route: ResourceRoute, q: URLSearchParams): string {
  if (method === 'GET' || method === 'HEAD') return route.name !== undefined ? 'get' : (q.get('watch') === 'true' || q.get('watch') === '1') ? 'watch' : 'list';
  if (method === 'POST') return 'create';
  if (method === 'PUT') return 'update';
  if (method === 'PATCH') return 'patch';
  if (method === 'DELETE') return route.name !== undefined ? 'delete' : 'deletecollection';
  return method.toLowerCase();
}

const has = (list: string[] | undefined, v: string) => (list ?? []).includes('*') || (list ?? []).includes(v);

function ruleAllows(r: Rule, verb: string, group: string, resource: string, sub: string | undefined, name: string | undefined): boolean {
  if (!has(r.verbs, verb) || !has(r.apiGroups, group)) return false;
  const combined = sub ? `${resource}/${sub}` : resource;
  const resOk = (r.resources ?? []).some((x) => x === '*' || x === combined || (sub !== undefined && x === `*/${sub}`));
  if (!resOk) return false;
  return !r.resourceNames?.length || (name !== undefined && r.resourceNames.includes(name));
}

function bound(binding: KObject, user: Subject): boolean {
  const sa = `system:serviceaccount:${user.namespace}:${user.name}`;
  const groups = ['system:serviceaccounts', `system:serviceaccounts:${user.namespace}`, 'system:authenticated'];
  return (binding.subjects ?? []).some((s: { kind: string; name: string; namespace?: string }) =>
    (s.kind === 'ServiceAccount' && s.name === user.name && (s.namespace ?? binding.metadata.namespace) === user.namespace)
    || (s.kind === 'User' && s.name === sa) || (s.kind === 'Group' && groups.includes(s.name)));
}

/** The rules that apply to `user` for a request in `namespace` (undefined: cluster scope). */
function rulesFor(store: Store, user: Subject, namespace: string | undefined): Rule[] {
  const role = (kind: string, name: string, ns?: string): Rule[] => {
    const o = kind === 'ClusterRole' ? store.find('clusterroles.rbac.authorization.k8s.io', undefined, name) : store.find('roles.rbac.authorization.k8s.io', ns, name);
    return (o?.rules ?? []) as Rule[];
  };
  const out: Rule[] = [];
  for (const b of store.list('clusterrolebindings.rbac.authorization.k8s.io').items) if (bound(b, user)) out.push(...role('ClusterRole', b.roleRef?.name));
  if (namespace) for (const b of store.list('rolebindings.rbac.authorization.k8s.io', { namespace }).items) if (bound(b, user)) out.push(...role(b.roleRef?.kind, b.roleRef?.name, namespace));
  return out;
}

export class Authorizer {
  private readonly tokens = new Map<string, Subject>();
  readonly decisions: Decision[] = [];

  constructor(private readonly store: Store) {}

  /** A token for the ServiceAccount, as the TokenRequest API would issue one. */
  issue(namespace: string, name: string, token: string): string {
    this.tokens.set(token, { namespace, name });
    return token;
  }

  private subject(req: IncomingMessage): Subject | undefined {
    const fromPath = (req as { labToken?: string }).labToken;
    if (fromPath !== undefined) return this.tokens.get(fromPath) ?? { namespace: '', name: '(unknown token)' };
    // over TLS a client would send it as a bearer token (the lab serves plain HTTP, so kubectl never does)
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    return m ? this.tokens.get(m[1]!) : undefined;
  }

  /** Throws 403 Forbidden when a ServiceAccount may not make this resource request. */
  check(req: IncomingMessage, route: ResourceRoute, q: URLSearchParams): void {
    const user = this.subject(req);
    if (!user) return;
    const verb = requestVerb(req.method ?? 'GET', route, q);
    this.decide(user, verb, route);
    // a PATCH that creates (server-side apply of a new object) also needs "create" (apiserver
    // pkg/endpoints/handlers/patch.go: createValidation wrapped withAuthorization on verb "create")
    const gr = route.kind ? (route.kind.group ? `${route.kind.resource}.${route.kind.group}` : route.kind.resource) : '';
    const ns = route.kind?.namespaced === false ? undefined : route.namespace;
    if (verb === 'patch' && route.name && route.subresource === undefined && gr && !this.store.find(gr, ns, route.name)) this.decide(user, 'create', route);
  }

  private decide(user: Subject, verb: string, route: ResourceRoute): void {
    const group = route.kind?.group ?? route.group;
    const resource = route.kind?.resource ?? route.resource;
    const namespace = route.kind?.namespaced === false ? undefined : route.namespace;
    const allowed = rulesFor(this.store, user, namespace).some((r) => ruleAllows(r, verb, group, resource, route.subresource, route.name));
    const username = `system:serviceaccount:${user.namespace}:${user.name}`;
    const shown = route.subresource ? `${resource}/${route.subresource}` : resource;
    this.decisions.push({ user: username, verb, group, resource: shown, ...(namespace ? { namespace } : {}), ...(route.name ? { name: route.name } : {}), allowed });
    if (allowed) return;
    const where = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
    throw errors.forbiddenRequest({ group, resource: shown, ...(route.name ? { name: route.name } : {}) },
      `User "${username}" cannot ${verb} resource "${shown}" in API group "${group}" ${where}`);
  }
}
