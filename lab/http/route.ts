// Parses a Kubernetes REST path into group/version/namespace/resource/name/subresource
// (staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go, simplified).
import type { Registry } from '../kinds/registry.js';
import type { KindDef } from '../kinds/types.js';

export interface ResourceRoute {
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  kind?: KindDef;
  name?: string;
  subresource?: string;
}

/** `/api/v1/...` or `/apis/<g>/<v>/...` => the route, or a GV root (`rest` empty), or undefined. */
export function parseResourcePath(path: string): { group: string; version: string; rest: string[] } | undefined {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'api' && parts.length >= 2) return { group: '', version: parts[1]!, rest: parts.slice(2) };
  if (parts[0] === 'apis' && parts.length >= 3) return { group: parts[1]!, version: parts[2]!, rest: parts.slice(3) };
  return undefined;
}

export function resolveRoute(group: string, version: string, rest: string[], registry: Registry): ResourceRoute {
  let namespace: string | undefined;
  let segs = rest;
  // "namespaces/<ns>/<resource>..." unless <resource> is a subresource of the namespace itself
  // (a namespace's own subresources are status and finalize: pkg/registry/core/namespace/storage)
  if (segs[0] === 'namespaces' && segs.length >= 3 && !(group === '' && segs.length === 3 && ['status', 'finalize'].includes(segs[2]!))) {
    namespace = segs[1];
    segs = segs.slice(2);
  }
  const [resource, name, subresource] = segs as [string, string?, string?];
  const kind = registry.find(group, version, resource);
  return {
    group, version, resource, ...(kind ? { kind } : {}),
    ...(namespace !== undefined ? { namespace } : {}), ...(name !== undefined ? { name } : {}), ...(subresource !== undefined ? { subresource } : {}),
  };
}
