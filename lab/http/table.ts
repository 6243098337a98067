// Server-side printing: meta.k8s.io Table replies for `kubectl get` (human and -o wide) and watch events
// (reference/kubectl-protocol.md "get": kubectl adds NAMESPACE/LABELS from row.object, the server renders the rest).
import type { KindDef } from '../kinds/types.js';
import { ageColumn, nameColumn } from '../kinds/printers.js';
import type { KObject } from '../store/types.js';

export type TableVersion = 'v1' | 'v1beta1';
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** Which Table version the Accept header asks for, if any. */
export function acceptsTable(accept: string | undefined): TableVersion | undefined {
  for (const part of (accept ?? '').split(',')) {
    const p = part.replace(/\s/g, '');
    if (!p.includes('as=Table')) continue;
    if (p.includes('v=v1beta1')) return 'v1beta1';
    if (p.includes('v=v1')) return 'v1';
  }
  return undefined;
}

function rowObject(o: KObject, include: IncludeObject, version: TableVersion): object | undefined {
  if (include === 'None') return undefined;
  if (include === 'Object') return o;
  const { managedFields: _m, ...metadata } = o.metadata;
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata };
}

export function renderTable(kind: KindDef, items: KObject[], opts: {
  version: TableVersion; include: IncludeObject; now: number; resourceVersion: string; continueToken?: string; withColumns?: boolean;
}) {
  const columns = kind.columns ?? [nameColumn, ageColumn];
  const rows = items.map((o) => {
    const object = rowObject(o, opts.include, opts.version);
    return { cells: columns.map((c) => c.value?.(o, opts.now) ?? ''), ...(object ? { object } : {}) };
  });
  return {
    kind: 'Table', apiVersion: `meta.k8s.io/${opts.version}`,
    metadata: { resourceVersion: opts.resourceVersion, ...(opts.continueToken ? { continue: opts.continueToken } : {}) },
    // the real server omits column definitions after the first watch event (apiserver endpoints/handlers/watch.go)
    columnDefinitions: opts.withColumns === false ? [] : columns.map((c) => ({
      name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0,
    })),
    rows,
  };
}
