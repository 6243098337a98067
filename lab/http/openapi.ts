// A minimal OpenAPI v3 that lets `create -f` and `apply --server-side` (default --validate=strict) pass on
// kubectl 1.29-1.33: an index of group-versions, and per GV one path per kind whose PATCH/POST operations carry the
// x-kubernetes-group-version-kind and the fieldValidation query parameter (reference/kubectl-protocol.md "OpenAPI").
import { createHash } from 'node:crypto';
import type { Registry } from '../kinds/registry.js';

const gvPath = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);

export function openapiIndex(registry: Registry) {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [group, versions] of registry.groups()) {
    for (const v of versions) {
      const p = gvPath(group, v);
      const hash = createHash('sha256').update(JSON.stringify(openapiGroupVersion(registry, group, v))).digest('hex').slice(0, 32).toUpperCase();
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
    }
  }
  return { paths };
}

export function openapiGroupVersion(registry: Registry, group: string, version: string) {
  const kinds = registry.inGroupVersion(group, version);
  if (!kinds.length) return undefined;
  const paths: Record<string, unknown> = {};
  const params = [{ name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } }, { name: 'dryRun', in: 'query', schema: { type: 'string' } }, { name: 'fieldManager', in: 'query', schema: { type: 'string' } }];
  for (const k of kinds) {
    const gvk = { group: k.group, version: k.version, kind: k.kind };
    const base = `/${gvPath(group, version)}${k.namespaced ? '/namespaces/{namespace}' : ''}/${k.resource}`;
    paths[base] = { post: { 'x-kubernetes-group-version-kind': gvk, 'x-kubernetes-action': 'post', parameters: params } };
    paths[`${base}/{name}`] = { patch: { 'x-kubernetes-group-version-kind': gvk, 'x-kubernetes-action': 'patch', parameters: params } };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'unversioned' }, paths, components: { schemas: {} } };
}

/** "/openapi/v3/apis/apps/v1" => ["apps", "v1"] */
export function parseOpenapiPath(path: string): [string, string] | undefined {
  const m = /^\/openapi\/v3\/(?:api\/(v[^/]+)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (!m) return undefined;
  return m[1] ? ['', m[1]] : [m[2]!, m[3]!];
}
