// A pflag/cobra-shaped argv parser for the fake talosctl: long and short flags, `--flag=value`, `--flag value`,
// `-nVALUE`, repeated or comma-separated string slices, `--wait=false`, Go durations, deprecated flags, and the
// exact pflag error texts (spf13/pflag flag.go: "unknown flag: --%s", "unknown shorthand flag: %q in -%s",
// "flag needs an argument: --%s", `invalid argument %q for %q flag: %v`). Shared by the fake talosctl and helmfile.
/** strings = pflag StringSlice (CSV-split, repeatable); array = pflag StringArray (repeatable, never split) */
export type FlagType = 'bool' | 'string' | 'strings' | 'array' | 'duration' | 'int';

export interface FlagSpec {
  name: string;
  short?: string;
  type: FlagType;
  default?: unknown;
  /** pflag MarkDeprecated: prints `Flag --<name> has been deprecated, <message>` when used */
  deprecated?: string;
  hidden?: boolean;
  usage?: string;
}

export interface Parsed {
  flags: Record<string, any>;
  changed: Set<string>;
  positional: string[];
  /** pflag's deprecation notices, written to stderr before the command runs */
  notices: string[];
}

export class FlagError extends Error {}

/** time.ParseDuration for the units talosctl users type: ns us µs ms s m h, combined ("1h30m", "1.5s"). Returns ms. */
export function parseGoDuration(s: string): number {
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let pos = 0;
  const neg = s.startsWith('-');
  const body = neg || s.startsWith('+') ? s.slice(1) : s;
  if (!body) throw new FlagError(`time: invalid duration ${goQuote(s)}`);
  for (;;) {
    re.lastIndex = pos;
    const m = re.exec(body);
    if (!m) break;
    total += Number(m[1]) * unit[m[2]!]!;
    pos = re.lastIndex;
  }
  if (pos !== body.length) {
    const rest = /^(\d+(?:\.\d*)?)([^\d.]+)/.exec(body.slice(pos));
    if (rest) throw new FlagError(`time: unknown unit ${goQuote(rest[2]!)} in duration ${goQuote(s)}`);
    throw new FlagError(pos === 0 && /^\d+$/.test(body) ? `time: missing unit in duration ${goQuote(s)}` : `time: invalid duration ${goQuote(s)}`);
  }
  return neg ? -total : total;
}

/** time.Duration.String() for whole milliseconds: 5m0s, 1h0m0s, 30s, 1.5s, 250ms */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const sec = Number.isInteger(s) ? String(s) : String(Number(s.toFixed(3)));
  if (h) return `${h}h${m}m${sec}s`;
  if (m) return `${m}m${sec}s`;
  return `${sec}s`;
}

/** Go's %q for plain strings */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

const parseBool = (name: string, v: string): boolean => {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  throw new FlagError(`invalid argument ${goQuote(v)} for ${goQuote(`--${name}`)} flag: strconv.ParseBool: parsing ${goQuote(v)}: invalid syntax`);
};

function setValue(spec: FlagSpec, out: Parsed, raw: string): void {
  const first = !out.changed.has(spec.name);
  out.changed.add(spec.name);
  switch (spec.type) {
    case 'bool': out.flags[spec.name] = parseBool(spec.name, raw); break;
    case 'string': out.flags[spec.name] = raw; break;
    // pflag StringSlice: the first use replaces the default, later uses append; values are CSV
    case 'strings': out.flags[spec.name] = [...(first ? [] : out.flags[spec.name]), ...(raw === '' ? [] : raw.split(','))]; break;
    case 'array': out.flags[spec.name] = [...(first ? [] : out.flags[spec.name]), raw]; break;
    case 'int': {
      if (!/^-?\d+$/.test(raw)) throw new FlagError(`invalid argument ${goQuote(raw)} for ${goQuote(`--${spec.name}`)} flag: strconv.ParseInt: parsing ${goQuote(raw)}: invalid syntax`);
      out.flags[spec.name] = Number(raw);
      break;
    }
    case 'duration':
      try {
        out.flags[spec.name] = parseGoDuration(raw);
      } catch (e) {
        throw new FlagError(`invalid argument ${goQuote(raw)} for ${goQuote(`--${spec.name}`)} flag: ${(e as Error).message}`);
      }
  }
  if (spec.deprecated && first) out.notices.push(`Flag --${spec.name} has been deprecated, ${spec.deprecated}\n`);
}

/** Parses args against specs (cobra: flags may appear anywhere; `--` ends flag parsing). */
export function parseFlags(args: string[], specs: FlagSpec[]): Parsed {
  const out: Parsed = { flags: {}, changed: new Set(), positional: [], notices: [] };
  for (const s of specs) out.flags[s.name] = s.type === 'strings' || s.type === 'array' ? [...((s.default as string[]) ?? [])] : s.default ?? (s.type === 'bool' ? false : s.type === 'string' ? '' : 0);
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') { out.positional.push(...args.slice(i + 1)); break; }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const spec = byName.get(name);
      if (!spec) throw new FlagError(`unknown flag: --${name}`);
      if (eq >= 0) setValue(spec, out, a.slice(eq + 1));
      else if (spec.type === 'bool') setValue(spec, out, 'true');
      else if (i + 1 < args.length) setValue(spec, out, args[++i]!);
      else throw new FlagError(`flag needs an argument: --${name}`);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      let j = 1;
      while (j < a.length) {
        const c = a[j]!;
        const spec = byShort.get(c);
        if (!spec) throw new FlagError(`unknown shorthand flag: '${c}' in ${a}`);
        if (spec.type === 'bool') {
          if (a[j + 1] === '=') { setValue(spec, out, a.slice(j + 2)); break; }
          setValue(spec, out, 'true');
          j++;
          continue;
        }
        const rest = a.slice(j + 1).replace(/^=/, '');
        if (rest) setValue(spec, out, rest);
        else if (i + 1 < args.length) setValue(spec, out, args[++i]!);
        else throw new FlagError(`flag needs an argument: '${c}' in -${c}`);
        break;
      }
      continue;
    }
    out.positional.push(a);
  }
  return out;
}

/** A cobra-like usage block (printed after flag errors, as talosctl's Execute does). */
export function usage(path: string, specs: FlagSpec[], globals: FlagSpec[]): string {
  // pflag FlagUsages: the usage text starts in one column, three spaces after the longest flag
  const left = (s: FlagSpec) => `  ${s.short ? `-${s.short}, ` : '    '}--${s.name}${s.type === 'bool' ? '' : ` ${s.type === 'array' ? 'stringArray' : s.type}`}`;
  const block = (list: FlagSpec[]) => {
    const w = Math.max(...list.map((s) => left(s).length));
    return list.map((s) => `${left(s).padEnd(w)}   ${s.usage ?? ''}`.trimEnd()).join('\n');
  };
  const local = [...specs.filter((s) => !s.hidden && !s.deprecated), { name: 'help', short: 'h', type: 'bool' as const, usage: `help for ${path.split(' ').pop()}` }];
  return `Usage:\n  ${path} [flags]\n\nFlags:\n${block(local)}\n\nGlobal Flags:\n${block(globals)}\n`;
}
