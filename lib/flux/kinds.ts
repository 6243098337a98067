// The Flux kinds rackhand reads and acts on, by the short names `flux` uses (ks, hr, source git|oci|helm): the API
// resource, the kind, and whether it is a source. Group versions as Flux v2.6+ serves them (kustomize.toolkit.fluxcd.io
// v1, helm.toolkit.fluxcd.io v2, source.toolkit.fluxcd.io v1; fluxcd/flux2 docs "API reference").
import type { FluxRef } from './objects.ts';

export interface FluxKind { short: string; resource: string; kind: string; source: boolean }

export const FLUX_KINDS: FluxKind[] = [
  { short: 'ks', resource: 'kustomizations.kustomize.toolkit.fluxcd.io', kind: 'Kustomization', source: false },
  { short: 'hr', resource: 'helmreleases.helm.toolkit.fluxcd.io', kind: 'HelmRelease', source: false },
  { short: 'gitrepo', resource: 'gitrepositories.source.toolkit.fluxcd.io', kind: 'GitRepository', source: true },
  { short: 'ocirepo', resource: 'ocirepositories.source.toolkit.fluxcd.io', kind: 'OCIRepository', source: true },
  { short: 'helmrepo', resource: 'helmrepositories.source.toolkit.fluxcd.io', kind: 'HelmRepository', source: true },
];

export const KIND_HINT = 'ks, hr, gitrepo, ocirepo or helmrepo';

export function fluxKind(text: string): FluxKind | undefined {
  const t = text.toLowerCase();
  return FLUX_KINDS.find((k) => k.short === t || k.kind.toLowerCase() === t);
}

export function byKindName(kind: string): FluxKind | undefined {
  return FLUX_KINDS.find((k) => k.kind === kind);
}

export function refOf(k: FluxKind, namespace: string, name: string): FluxRef {
  return { resource: k.resource, kind: k.kind, namespace, name };
}
