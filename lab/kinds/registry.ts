// The kind registry: every kind the lab serves, looked up by URL (group/version/resource), by GroupResource
// (the store's key) or by apiVersion+kind. Custom kinds come and go with their CRD objects.
import { errors } from '../store/errors.js';
import type { KObject } from '../store/types.js';
import { appsKinds } from './apps.js';
import { clusterKinds } from './cluster.js';
import { coreKinds } from './core.js';
import { rbacKinds } from './rbac.js';
import { kindsFromCrd } from './crd.js';
import { apiVersionOf, groupResource, type KindDef } from './types.js';

export class Registry {
  private readonly kinds = new Map<string, KindDef>(); // "group/version/resource"

  constructor(defs: KindDef[] = [...coreKinds, ...appsKinds, ...clusterKinds, ...rbacKinds]) {
    for (const d of defs) this.add(d);
  }

  add(d: KindDef): void {
    this.kinds.set(`${d.group}/${d.version}/${d.resource}`, d);
  }

  /** Registers (or refreshes) the kinds a CRD object defines; returns them. */
  addCrd(crd: KObject): KindDef[] {
    const defs = kindsFromCrd(crd);
    this.removeCrd(crd);
    for (const d of defs) this.add(d);
    return defs;
  }

  removeCrd(crd: KObject): void {
    const group = crd.spec?.group;
    const plural = crd.spec?.names?.plural;
    for (const [k, d] of this.kinds) if (d.custom && d.group === group && d.resource === plural) this.kinds.delete(k);
  }

  all(): KindDef[] {
    return [...this.kinds.values()];
  }

  find(group: string, version: string, resource: string): KindDef | undefined {
    return this.kinds.get(`${group}/${version}/${resource}`);
  }

  /** The store's resolver: GroupResource => kind (the first served version). */
  byGroupResource = (gr: string): KindDef => {
    const d = this.all().find((k) => groupResource(k) === gr);
    if (!d) throw errors.notFound({ group: '', resource: 'resources', name: gr });
    return d;
  };

  byKind(apiVersion: string, kind: string): KindDef | undefined {
    return this.all().find((k) => apiVersionOf(k) === apiVersion && k.kind === kind);
  }

  /** group => versions, in registration order (core "" first) */
  groups(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const d of this.all()) {
      const vs = out.get(d.group) ?? [];
      if (!vs.includes(d.version)) vs.push(d.version);
      out.set(d.group, vs);
    }
    return out;
  }

  inGroupVersion(group: string, version: string): KindDef[] {
    return this.all().filter((d) => d.group === group && d.version === version);
  }
}
