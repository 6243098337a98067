// /version and legacy (unaggregated) discovery. kubectl asks for aggregated discovery first and falls back to these
// plain application/json documents (reference/kubectl-protocol.md "Discovery").
import type { Registry } from '../kinds/registry.js';
import { DEFAULT_VERBS, type KindDef } from '../kinds/types.js';

export function versionInfo(gitVersion: string): Record<string, string> {
  const m = /^v(\d+)\.(\d+)\.(\d+)/.exec(gitVersion);
  if (!m) throw new Error(`kubernetes version must look like v1.31.4, got ${gitVersion}`);
  // k8s.io/apimachinery/pkg/version.Info; the kubectl dispatcher picks kubectl.1.<minor> from "minor"
  return {
    major: m[1]!, minor: m[2]!, gitVersion, gitCommit: '0000000000000000000000000000000000000000', gitTreeState: 'clean',
    buildDate: '2024-12-10T00:00:00Z', goVersion: 'go1.22.9', compiler: 'gc', platform: 'linux/amd64',
  };
}

export function apiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupEntry(name: string, versions: string[]) {
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList(registry: Registry) {
  const groups = [...registry.groups()].filter(([g]) => g !== '').map(([g, vs]) => groupEntry(g, vs));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function apiGroup(registry: Registry, group: string) {
  const vs = registry.groups().get(group);
  return vs ? { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group, vs) } : undefined;
}

function resourceEntries(k: KindDef): object[] {
  const main = {
    name: k.resource, singularName: k.singular, namespaced: k.namespaced, kind: k.kind, verbs: k.verbs ?? DEFAULT_VERBS,
    ...(k.shortNames?.length ? { shortNames: k.shortNames } : {}), ...(k.categories?.length ? { categories: k.categories } : {}),
  };
  const subs = (k.subresources ?? []).map((s) => {
    // pods/eviction is a policy/v1 Eviction; */scale an autoscaling/v1 Scale (kubectl-protocol.md "Legacy entries")
    if (s === 'eviction') return { name: `${k.resource}/eviction`, singularName: '', namespaced: k.namespaced, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] };
    if (s === 'scale') return { name: `${k.resource}/scale`, singularName: '', namespaced: k.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
    return { name: `${k.resource}/status`, singularName: '', namespaced: k.namespaced, kind: k.kind, verbs: ['get', 'patch', 'update'] };
  });
  // pods/log is a GET-only subresource served by lab/http/logs.ts (pkg/registry/core/rest/storage_core.go)
  if (k.group === '' && k.resource === 'pods') subs.push({ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
  return [main, ...subs];
}

export function apiResourceList(registry: Registry, group: string, version: string) {
  const kinds = registry.inGroupVersion(group, version);
  if (!kinds.length) return undefined;
  return {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version,
    resources: kinds.flatMap(resourceEntries),
  };
}
