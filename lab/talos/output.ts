// Output formats of talosctl, byte for byte where upstream is deterministic:
// - text/tabwriter with (minwidth 0, tabwidth 0, padding 3, ' ', 0), as every talosctl table uses;
// - `-o json`: cmd/talosctl/cmd/talos/output/json.go -- the resource round-trips through YAML into a
//   map[string]interface{} (so every key is sorted), gets "node", and is written by json.Encoder with
//   SetIndent("", "    ") and HTML escaping: one 4-space-indented object per resource, CONCATENATED;
// - `-o yaml`: output/yaml.go -- "node: X" then yaml.v3 (4-space indent), "---" between resources;
// - cosi-project/runtime pkg/resource/metadata.go MarshalYAML: namespace, type, id, version, owner, phase,
//   created, updated (RFC3339).
import { stringify } from 'yaml';

/** Go text/tabwriter.Writer{minwidth:0, tabwidth:0, padding:3, padchar:' ', flags:0}: cells end at '\t'; the text
 * after a line's last tab is not part of any column; columns are aligned per block of consecutive lines. */
export function tabwrite(text: string, padding = 3): string {
  const lines = text.split('\n');
  const trailingNewline = lines[lines.length - 1] === '';
  if (trailingNewline) lines.pop();
  const cells = lines.map((l) => l.split('\t'));
  const widths: number[] = [];
  const out: string[] = [];
  const writeLines = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const row = cells[i]!;
      out.push(row.map((c, j) => (j < row.length - 1 && j < widths.length ? c.padEnd(widths[j]!, ' ') : c)).join(''));
    }
  };
  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let t = line0; t < line1; t++) {
      if (column >= cells[t]!.length - 1) continue;
      writeLines(line0, t);
      line0 = t;
      let width = 0;
      for (; t < line1; t++) {
        const row = cells[t]!;
        if (column >= row.length - 1) break;
        width = Math.max(width, [...row[column]!].length + padding);
      }
      widths.push(width);
      format(line0, t);
      widths.pop();
      line0 = t;
      t--; // the outer loop continues from the first line after the block
    }
    writeLines(line0, line1);
  };
  format(0, cells.length);
  return out.join('\n') + (trailingNewline ? '\n' : '');
}

const sortKeys = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as any)[k])]));
  return v;
};

/** encoding/json Encoder with SetIndent("", "    ") over a map[string]interface{}: sorted keys, HTML-escaped, '\n' */
export function goJson(v: unknown): string {
  return JSON.stringify(sortKeys(v), null, 4).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n';
}

export interface Resource {
  namespace: string;
  type: string;
  id: string;
  version: number;
  owner: string;
  created: string;
  updated: string;
  spec: unknown;
}

const metadata = (r: Resource) => ({ namespace: r.namespace, type: r.type, id: r.id, version: r.version, owner: r.owner, phase: 'running', created: r.created, updated: r.updated });

export function resourceJson(node: string, r: Resource): string {
  return goJson({ metadata: metadata(r), node, spec: r.spec });
}

export function resourceYaml(node: string, r: Resource, first: boolean): string {
  const body = stringify({ metadata: metadata(r), spec: r.spec }, { indent: 4, indentSeq: true, lineWidth: 0 });
  return `${first ? '' : '---\n'}node: ${node}\n${body}`;
}

/** time.RFC3339 in UTC, as a lab machine reports it */
export const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

const started = performance.now();
/** fmt's %s of time.Now(): "2006-01-02 15:04:05.999999999 -0700 MST m=+0.000000001" (monotonic suffix included) */
export function goTimeNow(now = Date.now()): string {
  const d = new Date(now);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const frac = `${p(d.getUTCMilliseconds(), 3)}${p(Math.floor(Math.random() * 1e6), 6)}`.replace(/0+$/, '');
  const mono = ((performance.now() - started) / 1000).toFixed(9);
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${frac ? `.${frac}` : ''} +0000 UTC m=+${mono}`;
}

/** github.com/dustin/go-humanize Bytes (SI): "25 MB", "9.8 kB", "512 B" */
export function humanizeBytes(n: number): string {
  if (n < 10) return `${n} B`;
  const sizes = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  const e = Math.floor(Math.log(n) / Math.log(1000));
  const val = Math.floor((n / 1000 ** e) * 10 + 0.5) / 10;
  return `${val < 10 ? val.toFixed(1) : val.toFixed(0)} ${sizes[e]}`;
}
