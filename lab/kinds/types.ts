// A kind as data: what discovery advertises, how the store treats it, how tables render it.
// Modelled on kube-apiserver's per-kind strategy + the CRD printer columns (apiextensions/v1 types).
import type { KObject } from '../store/types.js';

export interface Column {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  /** 0 = always shown, 1 = only with -o wide */
  priority?: number;
  description?: string;
  /** a value getter (built-in kinds) ... */
  value?: (o: KObject, now: number) => unknown;
  /** ... or a CRD-style JSONPath (custom kinds), e.g. .status.conditions[?(@.type=="Ready")].status */
  jsonPath?: string;
}

export interface KindDef {
  group: string; // "" for core
  version: string;
  resource: string; // plural
  singular: string;
  kind: string;
  listKind?: string; // default <Kind>List
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** default: create delete deletecollection get list patch update watch */
  verbs?: string[];
  subresources?: ('status' | 'scale' | 'eviction')[];
  /** field selectors beyond metadata.name / metadata.namespace */
  fieldSelectors?: string[];
  /** metadata.generation is bumped on spec changes (true for workloads and every custom resource) */
  generation?: boolean;
  columns?: Column[];
  /** backed by a CustomResourceDefinition (strategic merge patch => 415, CRD object seeded) */
  custom?: boolean;
  /** scale subresource paths (CRD style); built-in workloads use .spec.replicas / .status.replicas */
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  /**
   * create-time defaulting that needs the system fields (uid): run by the store on every create, after uid and
   * creationTimestamp are set, as kube-apiserver's rest.BeforeCreate runs PrepareForCreate after filling them. May throw.
   */
  initialize?: (o: KObject) => void;
}

export const DEFAULT_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** GroupResource string as kube prints it: "pods", "deployments.apps". */
export function groupResource(k: Pick<KindDef, 'group' | 'resource'>): string {
  return k.group ? `${k.resource}.${k.group}` : k.resource;
}

export function apiVersionOf(k: Pick<KindDef, 'group' | 'version'>): string {
  return k.group ? `${k.group}/${k.version}` : k.version;
}
