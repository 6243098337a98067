// What every fake helmfile command gets, and the flags (helmfile 1.x pkg/config + cmd/*.go; cobra/pflag grammar).
// helmfile logs through zap to STDERR (its "Adding repo", "Upgrading release=", "Listing releases matching" and the
// affected-releases tables); -q/--quiet raises the level to warn and hides them. What helm prints (status blocks,
// `helm list` rows, rendered manifests, diffs) goes to STDOUT.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import type { FlagSpec } from '../talos/argv.js';
import { chartName, merge, type ChartRelease } from './charts.js';
import type { ClusterAccess } from './kube.js';
import type { HelmWorld } from './releases.js';
import { HelmfileError, type Release, type StateFile } from './state.js';

export interface HelmfileEnv extends ClusterAccess {
  world: HelmWorld;
}

export interface Ctx {
  h: HelmfileEnv;
  flags: Record<string, any>;
  cwd: string;
  env: Record<string, string>;
  stdin?: string;
  io: { stdout: string; stderr: string };
}

export const out = (c: Ctx, s: string) => void (c.io.stdout += s);
/** zap's console logger at info level: nothing with --quiet */
export const info = (c: Ctx, s: string) => void (c.flags.quiet || c.flags['log-level'] === 'warn' || c.flags['log-level'] === 'error' ? undefined : (c.io.stderr += `${s}\n`));

export const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'file', short: 'f', type: 'string', usage: 'load config from file or directory. defaults to "helmfile.yaml" or "helmfile.d" (means "helmfile.d/*.yaml") in this preference' },
  { name: 'selector', short: 'l', type: 'array', usage: 'Only run using the releases that match labels. Labels can take the form of foo=bar or foo!=bar.' },
  { name: 'environment', short: 'e', type: 'string', default: 'default', usage: 'specify the environment name' },
  { name: 'quiet', short: 'q', type: 'bool', usage: 'Silence output. Equivalent to log-level warn' },
  { name: 'kube-context', type: 'string', usage: 'Set kubectl context. Uses current context by default' },
  { name: 'kubeconfig', type: 'string', usage: 'Use a particular kubeconfig file' },
  { name: 'allow-no-matching-release', type: 'bool', usage: 'Do not exit with an error code if the provided selector has no matching releases.' },
  { name: 'namespace', short: 'n', type: 'string', usage: 'Set namespace. Uses the namespace set in the context by default, and is available in templates as {{ .Namespace }}' },
  { name: 'sequential-helmfiles', type: 'bool', usage: 'Process helmfile.d files sequentially in alphabetical order instead of in parallel' },
  { name: 'debug', type: 'bool', usage: 'Enable verbose output for Helm and set log-level to debug, this disables --quiet/-q effect' },
  { name: 'log-level', type: 'string', default: 'info', usage: 'Set log level, default info' },
  { name: 'color', type: 'bool', usage: 'Output with color' },
  { name: 'no-color', type: 'bool', usage: 'Output without color' },
  { name: 'interactive', short: 'i', type: 'bool', usage: 'Request confirmation before attempting to modify clusters' },
  { name: 'helm-binary', short: 'b', type: 'string', default: 'helm', usage: 'Path to the helm binary' },
  { name: 'state-values-set', type: 'strings', usage: 'Set state values on the command line' },
  { name: 'state-values-file', type: 'strings', usage: 'Specify state values in a YAML file' },
  { name: 'disable-force-update', type: 'bool', usage: 'do not force helm repos to update when executing "helm repo add"' },
  { name: 'enable-live-output', type: 'bool', usage: 'Show live output from the Helm binary Stdout/Stderr into Helmfile own Stdout/Stderr' },
  { name: 'skip-deps', type: 'bool', usage: 'skip running "helm repo update" and "helm dependency build"' },
];

const NEEDS: FlagSpec[] = [
  { name: 'concurrency', type: 'int', usage: 'maximum number of concurrent helm processes to run, 0 is unlimited' },
  { name: 'include-needs', type: 'bool', usage: 'automatically include releases from the target release\'s "needs" when --selector/-l flag is provided' },
  { name: 'include-transitive-needs', type: 'bool', usage: 'like --include-needs, but also includes transitive needs (needs of needs)' },
  { name: 'skip-needs', type: 'bool', default: true, usage: 'do not automatically include releases from the target release\'s "needs" when --selector/-l flag is provided' },
  { name: 'skip-refresh', type: 'bool', usage: 'skip running "helm repo update" before running "helm dependency build"' },
  { name: 'set', type: 'strings', usage: 'additional values to be merged into the helm command --set flag' },
  { name: 'values', type: 'strings', usage: 'additional value files to be merged into the helm command --values flag' },
  { name: 'args', type: 'string', usage: 'pass args to helm exec' },
];

const INSTALL: FlagSpec[] = [
  { name: 'wait', type: 'bool', usage: 'Override helmDefaults.wait setting "helm upgrade --install --wait"' },
  { name: 'wait-for-jobs', type: 'bool', usage: 'Override helmDefaults.waitForJobs setting "helm upgrade --install --wait-for-jobs"' },
  { name: 'timeout', type: 'int', usage: 'Override helmDefaults.timeout setting "helm upgrade --install --timeout" (default 0, which means no timeout override)' },
  { name: 'hide-notes', type: 'bool', usage: 'add --hide-notes flag to helm' },
  { name: 'skip-crds', type: 'bool', usage: 'if set, no CRDs will be installed on sync. By default, CRDs are installed if not already present' },
  { name: 'reset-values', type: 'bool' }, { name: 'reuse-values', type: 'bool' }, { name: 'skip-schema-validation', type: 'bool' },
  { name: 'take-ownership', type: 'bool' }, { name: 'cascade', type: 'string' }, { name: 'post-renderer', type: 'string' },
  { name: 'skip-cleanup', type: 'bool' },
];

export const COMMAND_FLAGS: Record<string, FlagSpec[]> = {
  template: [...NEEDS,
    { name: 'include-crds', type: 'bool', usage: 'include CRDs in the templated output' },
    { name: 'skip-tests', type: 'bool', usage: 'skip tests from templated output' },
    { name: 'output-dir', type: 'string' }, { name: 'output-dir-template', type: 'string' }, { name: 'validate', type: 'bool' },
    { name: 'kube-version', type: 'string' }, { name: 'skip-cleanup', type: 'bool' }, { name: 'post-renderer', type: 'string' }],
  sync: [...NEEDS, ...INSTALL, { name: 'sync-args', type: 'string' }],
  apply: [...NEEDS, ...INSTALL,
    { name: 'skip-diff-on-install', type: 'bool', usage: 'Skip running helm-diff on releases being newly installed on this apply. Useful when the release manifests are too huge to be reviewed, or it\'s too time-consuming to diff at all' },
    { name: 'suppress-diff', type: 'bool', usage: 'suppress diff in the output. Usable in new installs' },
    { name: 'detailed-exitcode', type: 'bool', usage: 'return a non-zero exit code 2 instead of 0 when there were changes detected AND the changes are synced successfully' },
    { name: 'suppress-secrets', type: 'bool' }, { name: 'show-secrets', type: 'bool' }, { name: 'context', type: 'int' },
    { name: 'retain-values-files', type: 'bool' }, { name: 'strip-trailing-cr', type: 'bool' }, { name: 'diff-args', type: 'string' }],
  build: [{ name: 'embed-values', type: 'bool', usage: 'Read all the values files for every release and embed into the output helmfile.yaml' }],
  list: [{ name: 'output', type: 'string', usage: 'output releases with the specified format (json)' }, { name: 'skip-charts', type: 'bool' }, { name: 'keep-temp-dir', type: 'bool' }],
};

/** A release's values: files must exist (.gotmpl ones are only checked, never rendered); YAML files and inline maps
 *  are merged. The digest is what the lab's helm-diff compares: chart name, version, values as written. */
export function releaseValues(r: Release): { merged: Record<string, unknown>; digest: string; files: string[] } {
  const hash = createHash('sha256').update(`${chartName(r.chart)}\n${r.version ?? ''}\n`);
  let merged: Record<string, unknown> = {};
  const files: string[] = [];
  for (const v of r.values) {
    if (typeof v !== 'string') {
      hash.update(JSON.stringify(v));
      merged = merge(merged, v);
      continue;
    }
    const abs = resolve(r.dir, v);
    // pkg/state/state.go: failed to render values files "%s": %v (approximate)
    if (!existsSync(abs)) throw new HelmfileError(`failed processing release ${r.name}: failed to render values files ${JSON.stringify(v)}: open ${abs}: no such file or directory`);
    const text = readFileSync(abs, 'utf8');
    hash.update(text);
    files.push(abs);
    if (v.endsWith('.gotmpl')) continue;
    try {
      const doc = parse(text);
      if (doc && typeof doc === 'object') merged = merge(merged, doc as Record<string, unknown>);
    } catch (e) {
      throw new HelmfileError(`failed processing release ${r.name}: failed to render values files ${JSON.stringify(v)}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return { merged, digest: hash.digest('hex'), files };
}

export const chartRelease = (r: Release, values?: Record<string, unknown>): ChartRelease => ({ name: r.name, namespace: r.namespace, chart: r.chart, ...(r.version ? { version: r.version } : {}), ...(values ? { values } : {}) });

/** "Adding repo NAME URL" + helm's `"NAME" has been added to your repositories` (pkg/helmexec/exec.go AddRepo), once per run */
export function addRepos(c: Ctx, files: StateFile[]): void {
  const seen = new Set<string>();
  for (const f of files) {
    for (const repo of f.repositories) {
      if (repo.oci || seen.has(repo.name)) continue;
      seen.add(repo.name);
      info(c, `Adding repo ${repo.name} ${repo.url}`);
      info(c, `${JSON.stringify(repo.name)} has been added to your repositories\n`);
    }
  }
}

/** a "repo/chart" chart needs its repository in `repositories` (helm: `Error: repo X not found`) */
export function checkChartSource(f: StateFile, r: Release): string | undefined {
  if (/^(oci|https?):\/\//.test(r.chart) || r.chart.startsWith('.') || r.chart.startsWith('/')) {
    if ((r.chart.startsWith('.') || r.chart.startsWith('/')) && !existsSync(resolve(r.dir, r.chart))) return `path ${JSON.stringify(r.chart)} not found`;
    return undefined;
  }
  const repo = r.chart.split('/')[0]!;
  if (r.chart.includes('/') && !f.repositories.some((x) => x.name === repo)) return `repo ${repo} not found`;
  return undefined;
}
