// The JSONPath subset CRD additionalPrinterColumns use (k8s.io/client-go/util/jsonpath):
// .a.b, [n], [*] and [?(@.field=="value")] filters. The first match is the cell value.

type Step = { key: string } | { index: number } | { all: true } | { filter: { path: string[]; value: string } };

function parse(expr: string): Step[] {
  const steps: Step[] = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]|\[\*\]|\[\?\(@\.([^=!]+)\s*==\s*["']([^"']*)["']\)\]/g;
  let m: RegExpExecArray | null;
  const body = expr.replace(/^\{|\}$/g, '').trim();
  while ((m = re.exec(body))) {
    if (m[1] !== undefined) steps.push({ key: m[1] });
    else if (m[2] !== undefined) steps.push({ index: Number(m[2]) });
    else if (m[3] !== undefined) steps.push({ filter: { path: m[3].trim().split('.'), value: m[4]! } });
    else steps.push({ all: true });
  }
  return steps;
}

export function evaluate(obj: unknown, expr: string): unknown[] {
  let cur: unknown[] = [obj];
  for (const s of parse(expr)) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (v === null || v === undefined) continue;
      if ('key' in s) next.push((v as Record<string, unknown>)[s.key]);
      else if ('index' in s) Array.isArray(v) && next.push(v[s.index]);
      else if ('all' in s) Array.isArray(v) && next.push(...v);
      else if (Array.isArray(v)) {
        for (const item of v) {
          let f: any = item;
          for (const p of s.filter.path) f = f?.[p];
          if (String(f) === s.filter.value) next.push(item);
        }
      }
    }
    cur = next.filter((v) => v !== undefined);
  }
  return cur;
}
