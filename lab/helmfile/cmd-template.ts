// `helmfile template`: `helm template` for every selected release, in DAG order, concatenated on stdout
// (pkg/helmexec/exec.go TemplateRelease: "Templating release=%v, chart=%v" on the log, the manifests on stdout).
// CRDs are rendered with --include-crds, on the command line or in helmDefaults.args -- the community's
// bootstrap/helmfile.d/00-crds.yaml sets `helmDefaults.args: [--include-crds, --no-hooks]` (onedr0p/home-ops) and
// pipes the output through a kind == CustomResourceDefinition filter. helm template never contacts the cluster.
import { stringify } from 'yaml';
import { chartCrds, chartName, renderChart } from './charts.js';
import { addRepos, chartRelease, checkChartSource, type Ctx, info, out, releaseValues } from './command.js';
import { crdManifest } from './crds.js';
import { HelmfileError, inFile, loadStateFiles, planGroups, selectReleases, type StateFile } from './state.js';

/** helm template's document framing: `---` and a `# Source: <chart>/<path>` comment before each document */
const doc = (source: string, o: object) => `---\n# Source: ${source}\n${stringify(o, { lineWidth: 0 })}`;

export async function template(c: Ctx): Promise<number> {
  const files = loadStateFiles(c.cwd, c.flags.file, c.stdin, c.flags.environment);
  addRepos(c, files);
  let matched = false;
  for (const f of files) {
    try {
      matched = templateFile(c, f) || matched;
    } catch (e) {
      throw inFile(f.file, e);
    }
  }
  return matched || !c.flags.selector.length || c.flags['allow-no-matching-release'] ? 0 : noMatch(c);
}

function templateFile(c: Ctx, f: StateFile): boolean {
  const selected = selectReleases(f.releases, c.flags.selector).filter((r) => r.installed);
  if (!selected.length) return false;
  const includeCrds = c.flags['include-crds'] || f.defaults.args.includes('--include-crds') || String(c.flags.args ?? '').split(/\s+/).includes('--include-crds');
  for (const group of planGroups(f.releases, selected, { includeNeeds: c.flags['include-needs'], transitive: c.flags['include-transitive-needs'] })) {
    for (const r of group) {
      const missing = checkChartSource(f, r);
      if (missing) throw new HelmfileError(`failed processing release ${r.name}: Error: ${missing}`);
      const values = releaseValues(r);
      info(c, `Templating release=${r.name}, chart=${r.chart}`);
      const cr = chartRelease(r, values.merged);
      if (includeCrds) for (const d of chartCrds(cr)) out(c, doc(`${chartName(r.chart)}/crds/${d.plural}.${d.group}.yaml`, crdManifest(d)));
      for (const { source, object } of renderChart(cr)) out(c, doc(source, object));
    }
  }
  return true;
}

/** pkg/app: no release matched the selector in any state file (approximate text, exit 1) */
export function noMatch(c: Ctx): number {
  c.io.stderr += `err: no releases found that matches specified selector(${c.flags.selector.join(',')}) and environment(${c.flags.environment}), in any helmfile\n`;
  return 1;
}
