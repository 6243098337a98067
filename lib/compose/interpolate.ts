// Compose's variable interpolation, from the Compose Specification (compose-spec/spec.md "Interpolation"):
// $VAR and ${VAR}; ${VAR:-default} (unset or empty) and ${VAR-default} (unset); ${VAR:?err} and ${VAR?err} (an error
// naming VAR); ${VAR:+replacement} and ${VAR+replacement}; $$ is a literal $. Defaults may hold further
// interpolation (${A:-${B}}). Applied to every string value of the file, never to keys.

export class InterpolationError extends Error {}

/** Interpolates one string; `unset` collects the variables used without a value and without a default. */
export function interpolate(text: string, vars: Readonly<Record<string, string | undefined>>, unset?: Set<string>): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c !== '$') { out += c; i++; continue; }
    const next = text[i + 1];
    if (next === '$') { out += '$'; i += 2; continue; }
    if (next === '{') {
      const end = closing(text, i + 2);
      if (end < 0) throw new InterpolationError(`invalid interpolation format for "${text}": missing "}"`);
      out += expand(text.slice(i + 2, end), vars, unset, text);
      i = end + 1;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
    if (!m) { out += '$'; i++; continue; }
    const v = vars[m[0]];
    if (v === undefined) unset?.add(m[0]);
    out += v ?? '';
    i += 1 + m[0].length;
  }
  return out;
}

/** the index of the "}" closing a "${" whose body starts at `from` (nested braces counted) */
function closing(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '{') { depth++; i++; } else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function expand(body: string, vars: Readonly<Record<string, string | undefined>>, unset: Set<string> | undefined, whole: string): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(body);
  if (!m) throw new InterpolationError(`invalid interpolation format for "${whole}": "\${${body}}"`);
  const [, name, op, arg = ''] = m as unknown as [string, string, string | undefined, string | undefined];
  const value = vars[name];
  const empty = value === undefined || (op?.startsWith(':') && value === '');
  switch (op) {
    case undefined:
      if (value === undefined) unset?.add(name);
      return value ?? '';
    case ':-': case '-':
      return empty ? interpolate(arg, vars, unset) : value!;
    case ':?': case '?':
      if (empty) throw new InterpolationError(`required variable ${name} is missing a value: ${interpolate(arg, vars, unset) || `${name} is required`}`);
      return value!;
    default: // ':+' and '+'
      return empty ? '' : interpolate(arg, vars, unset);
  }
}

/** Every string in a parsed YAML value interpolated (keys kept as they are). */
export function interpolateTree(v: unknown, vars: Readonly<Record<string, string | undefined>>, unset?: Set<string>): unknown {
  if (typeof v === 'string') return interpolate(v, vars, unset);
  if (Array.isArray(v)) return v.map((x) => interpolateTree(x, vars, unset));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolateTree(x, vars, unset)]));
  return v;
}
