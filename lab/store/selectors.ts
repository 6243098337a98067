// Label and field selectors, as k8s.io/apimachinery/pkg/labels/selector.go and pkg/fields/selector.go parse them.
import { errors } from './errors.js';
import type { KObject } from './types.js';

type Requirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!' };

/** Splits on commas that are not inside parentheses ("a in (x,y),b" => ["a in (x,y)", "b"]). */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function parseRequirement(term: string, whole: string): Requirement {
  let m = /^([^\s!=(),]+)\s+(in|notin)\s+\((.*)\)$/.exec(term);
  if (m) return { key: m[1]!, op: m[2] as 'in' | 'notin', values: m[3]!.split(',').map((v) => v.trim()) };
  m = /^([^\s!=(),]+)\s*(==|!=|=)\s*([^\s,()]*)$/.exec(term);
  if (m) return { key: m[1]!, op: m[2] === '!=' ? 'notin' : 'in', values: [m[3]!] };
  m = /^!\s*([^\s!=(),]+)$/.exec(term);
  if (m) return { key: m[1]!, op: '!' };
  m = /^([^\s!=(),]+)$/.exec(term);
  if (m) return { key: m[1]!, op: 'exists' };
  throw errors.badRequest(`unable to parse requirement: found '${term}', expected: in, notin, =, ==, !=, gt, lt (selector "${whole}")`);
}

export type Matcher = (labels: Record<string, string> | undefined) => boolean;

export function parseLabelSelector(s: string | undefined): Matcher {
  if (!s || !s.trim()) return () => true;
  const reqs = splitTerms(s).map((t) => parseRequirement(t, s));
  return (labels) =>
    reqs.every((r) => {
      const v = labels?.[r.key];
      switch (r.op) {
        case 'exists': return v !== undefined;
        case '!': return v === undefined;
        case 'in': return v !== undefined && r.values.includes(v);
        case 'notin': return v === undefined || !r.values.includes(v);
      }
    });
}

/** metav1.LabelSelector (matchLabels + matchExpressions) as a matcher. An empty selector matches everything. */
export function labelSelectorMatcher(sel: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined): Matcher {
  if (!sel) return () => false; // a nil selector matches nothing (metav1.LabelSelectorAsSelector)
  const terms: string[] = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const op = e.operator.toLowerCase();
    if (op === 'exists') terms.push(e.key);
    else if (op === 'doesnotexist') terms.push(`!${e.key}`);
    else terms.push(`${e.key} ${op} (${(e.values ?? []).join(',')})`);
  }
  return parseLabelSelector(terms.join(','));
}

export function getPath(obj: unknown, path: string): unknown {
  let cur: any = obj;
  for (const part of path.split('.')) cur = cur == null ? undefined : cur[part];
  return cur;
}

/** Field selectors support =, == and != on the fields a kind declares; any other field is a 400 (like the real server). */
export function parseFieldSelector(s: string | undefined, allowed: readonly string[]): (o: KObject) => boolean {
  if (!s || !s.trim()) return () => true;
  const reqs = s.split(',').map((term) => {
    const m = /^\s*([^!=\s]+)\s*(==|!=|=)\s*(.*?)\s*$/.exec(term);
    if (!m) throw errors.badRequest(`invalid selector: '${s}'; can't understand '${term}'`);
    const field = m[1]!;
    // pkg/registry/*/strategy.go GetAttrs + apiserver: "field label not supported: <field>"
    if (!allowed.includes(field)) throw errors.badRequest(`field label not supported: ${field}`);
    return { field, neg: m[2] === '!=', value: m[3]! };
  });
  return (o) =>
    reqs.every((r) => {
      const raw = getPath(o, r.field);
      const v = raw === undefined || raw === null ? '' : String(raw);
      return r.neg ? v !== r.value : v === r.value;
    });
}
