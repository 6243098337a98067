// metadata.managedFields bookkeeping, reduced to one entry per (manager, operation, subresource): enough for
// `kubectl get --show-managed-fields` to look plausible. Field ownership and SSA conflicts are not tracked.
import { timestamp } from '../store/meta.js';
import type { KObject } from '../store/types.js';

export function touchManager(o: KObject, manager: string | null, operation: 'Apply' | 'Update', subresource?: string): void {
  if (!manager) return;
  const entries = (o.metadata.managedFields ?? []) as Record<string, unknown>[];
  const rest = entries.filter((e) => !(e.manager === manager && e.operation === operation && (e.subresource ?? undefined) === subresource));
  rest.push({
    manager, operation, apiVersion: o.apiVersion, time: timestamp(), fieldsType: 'FieldsV1', fieldsV1: {},
    ...(subresource ? { subresource } : {}),
  });
  o.metadata.managedFields = rest;
}
