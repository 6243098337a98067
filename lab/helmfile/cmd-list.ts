// `helmfile list`: the releases of the state files, from the files alone (pkg/app/formatters.go FormatAsTable: a
// uitable NAME NAMESPACE ENABLED INSTALLED LABELS CHART VERSION, trailing whitespace trimmed; --output json).
import { type Ctx, out } from './command.js';
import { loadStateFiles, selectReleases } from './state.js';

export async function list(c: Ctx): Promise<number> {
  const releases = loadStateFiles(c.cwd, c.flags.file, c.stdin, c.flags.environment).flatMap((f) => selectReleases(f.releases, c.flags.selector));
  const rows = releases.map((r) => ({
    name: r.name, namespace: r.namespace, enabled: true, installed: r.installed,
    labels: Object.entries(r.labels).map(([k, v]) => `${k}:${v}`).join(','), chart: r.chart, version: r.version ?? '',
  }));
  if (c.flags.output === 'json') {
    out(c, `${JSON.stringify(rows)}\n`);
    return 0;
  }
  const cells = [['NAME', 'NAMESPACE', 'ENABLED', 'INSTALLED', 'LABELS', 'CHART', 'VERSION'], ...rows.map((r) => [r.name, r.namespace, String(r.enabled), String(r.installed), r.labels, r.chart, r.version])];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  out(c, `${cells.map((row) => row.map((v, i) => v.padEnd(widths[i]!)).join('\t').trimEnd()).join('\n')}\n`);
  return 0;
}
