// CustomResourceDefinition <-> KindDef. A CRD object in the store is the source of truth for a custom kind,
// as in staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/customresource_handler.go.
import type { KObject } from '../store/types.js';
import type { CustomKind } from './custom.js';
import { nameColumn, since } from './printers.js';
import { evaluate } from './jsonpath.js';
import type { Column, KindDef } from './types.js';

export function crdObject(c: CustomKind): KObject {
  const names = {
    kind: c.kind, listKind: `${c.kind}List`, plural: c.plural, singular: c.kind.toLowerCase(),
    ...(c.shortNames ? { shortNames: c.shortNames } : {}), ...(c.categories ? { categories: c.categories } : {}),
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name: `${c.plural}.${c.group}`, ...(c.labels ? { labels: c.labels } : {}) },
    spec: {
      group: c.group, names, scope: c.namespaced === false ? 'Cluster' : 'Namespaced',
      versions: [{
        name: c.version, served: true, storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        subresources: { status: {} },
        ...(c.printerColumns ? { additionalPrinterColumns: c.printerColumns } : {}),
      }],
    },
    status: {
      acceptedNames: names, storedVersions: [c.version],
      conditions: [
        { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
        { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
      ],
    },
  };
}

function printerColumn(p: { name: string; type: string; jsonPath: string; priority?: number; description?: string }): Column {
  const date = p.type === 'date';
  return {
    name: p.name, type: p.type as Column['type'], priority: p.priority ?? 0, ...(date ? { format: '' } : {}),
    // tableconvertor.go renders a date column as an age
    value: (o, now) => {
      const v = evaluate(o, p.jsonPath)[0];
      if (v === undefined || v === null) return date ? '<unknown>' : '';
      return date ? since(String(v), now) : typeof v === 'object' ? JSON.stringify(v) : v;
    },
  };
}

/** The KindDefs (one per served version) a CRD object stands for. */
export function kindsFromCrd(crd: KObject): KindDef[] {
  const s = crd.spec ?? {};
  return (s.versions ?? []).filter((v: any) => v.served !== false).map((v: any): KindDef => {
    const cols: any[] = v.additionalPrinterColumns ?? [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];
    return {
      group: s.group, version: v.name, resource: s.names.plural, singular: s.names.singular ?? s.names.kind.toLowerCase(),
      kind: s.names.kind, listKind: s.names.listKind, namespaced: s.scope !== 'Cluster', shortNames: s.names.shortNames,
      categories: s.names.categories, custom: true, generation: true,
      subresources: [...(v.subresources?.status ? ['status' as const] : []), ...(v.subresources?.scale ? ['scale' as const] : [])],
      ...(v.subresources?.scale ? { scale: v.subresources.scale } : {}),
      columns: [nameColumn, ...cols.map(printerColumn)],
    };
  });
}
