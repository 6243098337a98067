// `helmfile build`: the state as helmfile ends up with it after bases, documents and release templates are layered,
// one YAML document per state file headed `#  Source: <file>` (pkg/app/app.go PrintState; framing approximate).
// Releases are printed with their inherited fields resolved and without `inherit`; templates are not printed.
import { stringify } from 'yaml';
import { type Ctx, out } from './command.js';
import { loadStateFiles } from './state.js';

export async function build(c: Ctx): Promise<number> {
  for (const f of loadStateFiles(c.cwd, c.flags.file, c.stdin, c.flags.environment)) {
    const { templates: _t, bases: _b, releases: _r, ...rest } = f.raw as Record<string, unknown>;
    const releases = f.releases.map((r) => ({
      name: r.name, namespace: r.namespace, chart: r.chart, ...(r.version ? { version: r.version } : {}),
      ...(r.needs.length ? { needs: r.needs } : {}), ...(Object.keys(r.labels).length ? { labels: r.labels } : {}),
      ...(r.installed ? {} : { installed: false }), ...(r.values.length ? { values: r.values } : {}),
    }));
    out(c, `---\n#  Source: ${f.file}\n\n${stringify({ filepath: f.file, ...rest, releases }, { lineWidth: 0 })}`);
  }
  return 0;
}
