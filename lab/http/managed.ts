// metadata.managedFields: which manager owns which fields, in the FieldsV1 form kube-apiserver writes
// ({"f:spec":{"f:suspend":{}}}), and server-side apply conflicts (kubernetes-sigs/structured-merge-diff; apimachinery
// pkg/util/managedfields). One entry per (manager, operation, subresource). Simplified where it does not matter to
// the lab: every list is atomic (one leaf), and an apply that leaves out a field it owned keeps the value (no removal).
// An apply conflicts when another entry owns a field it sets to a DIFFERENT value; `force=true` takes the field over,
// an equal value is shared. An update (merge/JSON patch, PUT) takes the fields it changed.
import { errors } from '../store/errors.js';
import { timestamp } from '../store/meta.js';
import type { KObject } from '../store/types.js';

type Path = string[];
type FieldsV1 = { [k: string]: FieldsV1 };

/** Fields no manager owns (identity and bookkeeping), and status (its own subresource). */
const UNOWNED = new Set(['apiVersion', 'kind', 'metadata.name', 'metadata.namespace', 'metadata.resourceVersion', 'metadata.uid',
  'metadata.generation', 'metadata.creationTimestamp', 'metadata.managedFields', 'metadata.deletionTimestamp', 'status']);

/** Leaf paths of a JSON value: objects recurse; arrays and scalars are leaves. */
export function leafPaths(v: unknown, prefix: Path = []): Path[] {
  if (UNOWNED.has(prefix.join('.'))) return [];
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const keys = Object.keys(v);
    if (!keys.length) return prefix.length ? [prefix] : [];
    return keys.flatMap((k) => leafPaths((v as Record<string, unknown>)[k], [...prefix, k]));
  }
  return prefix.length ? [prefix] : [];
}

const at = (o: unknown, p: Path): unknown => p.reduce<unknown>((cur, k) => (cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined), o);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export function toFieldsV1(paths: Path[]): FieldsV1 {
  const root: FieldsV1 = {};
  for (const p of paths) {
    let node = root;
    for (const k of p) node = (node[`f:${k}`] ??= {});
  }
  return root;
}

export function fromFieldsV1(f: FieldsV1 | undefined, prefix: Path = []): Path[] {
  const keys = Object.keys(f ?? {}).filter((k) => k.startsWith('f:'));
  if (!keys.length) return prefix.length ? [prefix] : [];
  return keys.flatMap((k) => fromFieldsV1(f![k], [...prefix, k.slice(2)]));
}

interface Entry { manager: string; operation: 'Apply' | 'Update'; subresource?: string; apiVersion?: string; time?: string; fieldsType?: string; fieldsV1?: FieldsV1 }

const key = (p: Path) => p.join('\u0000');
/** p and q overlap when one is a prefix of the other (an owned map and a field inside it). */
const overlaps = (p: Path, q: Path) => p.length <= q.length ? p.every((k, i) => q[i] === k) : q.every((k, i) => p[i] === k);

function entries(o: KObject): Entry[] { return (o.metadata.managedFields ?? []) as Entry[]; }

function setEntry(o: KObject, e: Omit<Entry, 'time' | 'fieldsType'>, paths: Path[]): void {
  const rest = entries(o).filter((x) => !(x.manager === e.manager && x.operation === e.operation && (x.subresource ?? undefined) === e.subresource));
  rest.push({ ...e, apiVersion: o.apiVersion, time: timestamp(), fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(paths) });
  o.metadata.managedFields = rest;
}

/** Takes `taken` away from every entry but (manager, operation). */
function release(o: KObject, manager: string, operation: string, taken: Path[]): void {
  o.metadata.managedFields = entries(o).flatMap((x) => {
    if (x.manager === manager && x.operation === operation) return [x];
    const left = fromFieldsV1(x.fieldsV1).filter((p) => !taken.some((t) => overlaps(p, t)));
    return left.length ? [{ ...x, fieldsV1: toFieldsV1(left) }] : [];
  });
}

/** A create: the manager owns every field it set. */
export function touchManager(o: KObject, manager: string | null, operation: 'Apply' | 'Update', subresource?: string): void {
  if (!manager) return;
  setEntry(o, { manager, operation, ...(subresource ? { subresource } : {}) }, subresource ? [] : leafPaths(o));
}

/** Server-side apply of `body` by `manager` onto `cur` (before the merge): 409 Conflict naming every field another
 *  manager owns with a different value, unless `force`; then ownership moves to the applier. Mutates `merged`'s
 *  managedFields. */
export function applyOwnership(cur: KObject, body: KObject, merged: KObject, manager: string, force: boolean, subresource?: string): void {
  const applied = leafPaths(body);
  const conflicts: { manager: string; field: string }[] = [];
  for (const e of entries(cur)) {
    if (e.manager === manager && e.operation === 'Apply') continue;
    for (const owned of fromFieldsV1(e.fieldsV1)) {
      for (const p of applied) {
        if (overlaps(owned, p) && !same(at(cur, p), at(body, p))) conflicts.push({ manager: e.manager, field: `.${p.join('.')}` });
      }
    }
  }
  if (conflicts.length && !force) {
    // apimachinery pkg/util/managedfields/internal/conflict.go: "conflict with \"<manager>\"[ using <apiVersion>]: <field>"
    const lines = conflicts.map((c) => `conflict with "${c.manager}" using ${cur.apiVersion}: ${c.field}`);
    throw errors.conflictCauses(`Apply failed with ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}: ${lines.join('\n')}`,
      conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${cur.apiVersion}`, field: c.field })));
  }
  merged.metadata.managedFields = cur.metadata.managedFields;
  // forced: the fields move; equal values: shared (the other manager keeps its claim)
  release(merged, manager, 'Apply', applied.filter((p) => conflicts.some((c) => c.field === `.${p.join('.')}`)));
  const mine = entries(cur).find((x) => x.manager === manager && x.operation === 'Apply');
  const kept = new Map(fromFieldsV1(mine?.fieldsV1).map((p) => [key(p), p]));
  for (const p of applied) kept.set(key(p), p);
  setEntry(merged, { manager, operation: 'Apply', ...(subresource ? { subresource } : {}) }, [...kept.values()]);
}

/** An update (patch or PUT) by `manager`: it takes the fields whose values it changed. */
export function updateOwnership(before: KObject, after: KObject, manager: string | null, subresource?: string): void {
  after.metadata.managedFields = before.metadata.managedFields;
  if (!manager) return;
  const changed = [...new Map([...leafPaths(before), ...leafPaths(after)].map((p) => [key(p), p])).values()].filter((p) => !same(at(before, p), at(after, p)));
  const present = changed.filter((p) => at(after, p) !== undefined);
  release(after, manager, 'Update', changed);
  const mine = entries(before).find((x) => x.manager === manager && x.operation === 'Update' && (x.subresource ?? undefined) === subresource);
  const kept = new Map(fromFieldsV1(mine?.fieldsV1).map((p) => [key(p), p]));
  for (const p of present) kept.set(key(p), p);
  setEntry(after, { manager, operation: 'Update', ...(subresource ? { subresource } : {}) }, [...kept.values()]);
}
