// The Flux kinds the fake flux knows, as data (fluxcd/flux2 cmd/flux/kustomization.go, helmrelease.go, source.go
// apiType + adapters): their API, the words users type, how suspend/resume name them (humanKind), the sentence a
// successful reconcile ends with (successMessage) and the REVISION column of `flux get`.
import type { KObject } from '../store/types.js';
import { FluxError, type FluxCtx } from './context.js';

export interface FluxKind {
  kind: string;
  group: string;
  version: string;
  plural: string;
  /** suspend/resume/"name is required" wording (apiType.humanKind) */
  humanKind: string;
  success(o: KObject): string;
  /** `flux get` REVISION; truncate: utils.TruncateHex applies to revision and message */
  revision(o: KObject): string;
  truncate: boolean;
}

const artifact = (o: KObject) => o.status?.artifact?.revision ?? '';

export const KUSTOMIZATION: FluxKind = {
  kind: 'Kustomization', group: 'kustomize.toolkit.fluxcd.io', version: 'v1', plural: 'kustomizations', humanKind: 'kustomization',
  // resume_kustomization.go successMessage: "applied revision %s" of .status.lastAppliedRevision
  success: (o) => `applied revision ${o.status?.lastAppliedRevision ?? ''}`, revision: (o) => o.status?.lastAppliedRevision ?? '', truncate: true,
};

// helm-controller v2 has no lastAppliedRevision: get_helmrelease.go getHelmReleaseRevision uses history[0].chartVersion,
// else lastAttemptedRevision; the success sentence is assumed to use the same (approximate)
const hrRevision = (o: KObject) => o.status?.history?.[0]?.chartVersion ?? o.status?.lastAttemptedRevision ?? '';
export const HELMRELEASE: FluxKind = {
  kind: 'HelmRelease', group: 'helm.toolkit.fluxcd.io', version: 'v2', plural: 'helmreleases', humanKind: 'helmrelease',
  success: (o) => `applied revision ${hrRevision(o)}`, revision: hrRevision, truncate: false,
};

// source.go gitRepositoryType humanKind "source git"; successMessage "fetched revision %s" of .status.artifact.revision
export const GITREPOSITORY: FluxKind = {
  kind: 'GitRepository', group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'gitrepositories', humanKind: 'source git',
  success: (o) => `fetched revision ${artifact(o)}`, revision: artifact, truncate: true,
};

// the sources a Kustomization or HelmRelease may point at; the lab serves none of these kinds unless a CRD adds them
const source = (kind: string, plural: string, humanKind: string, version = 'v1'): FluxKind => ({
  kind, group: 'source.toolkit.fluxcd.io', version, plural, humanKind,
  success: (o) => `fetched revision ${artifact(o)}`, revision: artifact, truncate: true,
});
export const SOURCES: Record<string, FluxKind> = {
  GitRepository: GITREPOSITORY,
  OCIRepository: source('OCIRepository', 'ocirepositories', 'source oci'),
  Bucket: source('Bucket', 'buckets', 'source bucket'),
  HelmRepository: source('HelmRepository', 'helmrepositories', 'source helm'),
  HelmChart: { ...source('HelmChart', 'helmcharts', 'source chart'), success: (o) => `pulled '${o.spec?.chart ?? ''}' chart with version '${artifact(o)}'` },
};

export const resourceOf = (k: FluxKind) => `${k.plural}.${k.group}`;

/** The store's objects of a kind, or controller-runtime's error when the API does not serve it (no CRD). */
function served(c: FluxCtx, k: FluxKind): string {
  // meta.NoKindMatchError: no matches for kind "X" in version "group/version"
  if (!c.world.registry.find(k.group, k.version, k.plural)) throw new FluxError(`no matches for kind "${k.kind}" in version "${k.group}/${k.version}"`);
  return resourceOf(k);
}

export function getObject(c: FluxCtx, k: FluxKind, namespace: string, name: string): KObject {
  const o = c.world.store.find(served(c, k), namespace, name);
  // apierrors.NewNotFound: kustomizations.kustomize.toolkit.fluxcd.io "x" not found
  if (!o) throw new FluxError(`${resourceOf(k)} "${name}" not found`);
  return o;
}

/** sorted by namespace then name, as the API lists */
export function listObjects(c: FluxCtx, k: FluxKind, namespace?: string, labelSelector?: string): KObject[] {
  return c.world.store.list(served(c, k), { ...(namespace ? { namespace } : {}), ...(labelSelector ? { labelSelector } : {}) }).items;
}

export function readyCondition(o: KObject): { status: string; message: string } | undefined {
  return (o.status?.conditions ?? []).find((x: any) => x.type === 'Ready');
}
