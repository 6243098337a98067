// Helmfile state files as the fake reads them: plain YAML (no Go templating) with helmDefaults, repositories and
// releases[]{name, namespace, chart, version, values[], needs[], installed, labels, createNamespace, wait, timeout};
// other top-level keys are ignored. `-f DIR` reads DIR/*.y*ml in name order (pkg/app/app.go findDesiredStateFiles;
// helmfile >= 1.2 runs them in parallel unless --sequential-helmfiles: the fake always runs them in order). Release
// ids are "[namespace/]name" (pkg/state ReleaseToID); `needs` entries are "[namespace/]name" (a bare name is looked up
// in the needing release's namespace).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export class HelmfileError extends Error {}

/** pkg/app: an error met while processing a state file is reported as `in <file>: <error>` (approximate framing) */
export function inFile(file: string, e: unknown): unknown {
  return e instanceof HelmfileError && !e.message.startsWith('in ') ? new HelmfileError(`in ${file}: ${e.message}`) : e;
}

export interface HelmDefaults {
  args: string[];
  wait: boolean;
  waitForJobs: boolean;
  /** seconds (helm --timeout, default 300) */
  timeout: number;
  createNamespace: boolean;
  historyMax: number;
}

export interface Release {
  name: string;
  namespace: string;
  chart: string;
  version?: string;
  /** values file paths (relative to the helmfile) and inline values */
  values: (string | Record<string, unknown>)[];
  needs: string[];
  installed: boolean;
  labels: Record<string, string>;
  createNamespace?: boolean;
  wait?: boolean;
  timeout?: number;
  /** the state file, as the user named it (for messages), and its folder (values paths are relative to it) */
  file: string;
  dir: string;
}

export interface StateFile {
  file: string;
  defaults: HelmDefaults;
  repositories: { name: string; url: string; oci: boolean }[];
  releases: Release[];
}

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? undefined : String(v));

function parseState(file: string, abs: string, text: string): StateFile {
  let docs: unknown[];
  try {
    docs = parseAllDocuments(text).map((d) => {
      if (d.errors.length) throw d.errors[0]!;
      return d.toJS();
    });
  } catch (e) {
    // pkg/state/create.go: "failed to read %s: reading document at index %d: %v" (approximate)
    throw new HelmfileError(`failed to read ${file}: reading document at index 1: ${(e as Error).message.split('\n')[0]}`);
  }
  const out: StateFile = { file, defaults: { args: [], wait: false, waitForJobs: false, timeout: 300, createNamespace: true, historyMax: 10 }, repositories: [], releases: [] };
  const dir = resolve(abs, '..');
  for (const doc of docs) {
    if (!doc || typeof doc !== 'object') continue;
    const d = doc as Record<string, any>;
    const hd = d.helmDefaults ?? {};
    if (Array.isArray(hd.args)) out.defaults.args = hd.args.map(String);
    if (typeof hd.wait === 'boolean') out.defaults.wait = hd.wait;
    if (typeof hd.waitForJobs === 'boolean') out.defaults.waitForJobs = hd.waitForJobs;
    if (typeof hd.timeout === 'number') out.defaults.timeout = hd.timeout;
    if (typeof hd.createNamespace === 'boolean') out.defaults.createNamespace = hd.createNamespace;
    if (typeof hd.historyMax === 'number') out.defaults.historyMax = hd.historyMax;
    for (const r of Array.isArray(d.repositories) ? d.repositories : []) out.repositories.push({ name: String(r?.name ?? ''), url: String(r?.url ?? ''), oci: r?.oci === true });
    for (const r of Array.isArray(d.releases) ? d.releases : []) {
      if (!r?.name || !r?.chart) throw new HelmfileError(`failed to read ${file}: a release needs a name and a chart, got ${JSON.stringify(r)}`);
      out.releases.push({
        name: String(r.name), namespace: str(r.namespace) ?? 'default', chart: String(r.chart), ...(r.version !== undefined ? { version: String(r.version) } : {}),
        values: (Array.isArray(r.values) ? r.values : []).map((v: unknown) => (typeof v === 'object' && v !== null ? v as Record<string, unknown> : String(v))),
        needs: (Array.isArray(r.needs) ? r.needs : []).map(String), installed: r.installed !== false,
        labels: Object.fromEntries(Object.entries(r.labels ?? {}).map(([k, v]) => [k, String(v)])),
        ...(typeof r.createNamespace === 'boolean' ? { createNamespace: r.createNamespace } : {}),
        ...(typeof r.wait === 'boolean' ? { wait: r.wait } : {}),
        ...(typeof r.timeout === 'number' ? { timeout: r.timeout } : {}),
        file, dir,
      });
    }
  }
  return out;
}

/** The state files -f names (a file, a folder of *.y*ml, "-" for stdin), else helmfile.yaml or helmfile.d/ in cwd. */
export function loadStateFiles(cwd: string, file: string | undefined, stdin: string | undefined): StateFile[] {
  if (file === '-') return [parseState('-', join(cwd, '-'), stdin ?? '')];
  const target = file ?? (existsSync(join(cwd, 'helmfile.yaml')) ? 'helmfile.yaml' : existsSync(join(cwd, 'helmfile.d')) ? 'helmfile.d' : undefined);
  // pkg/app/app.go: no state file found
  if (!target) throw new HelmfileError('no state file found. It must be named helmfile.d/*.{yaml,yml}, helmfile.yaml, or charts.yaml, or otherwise specified with the --file flag');
  const abs = isAbsolute(target) ? target : resolve(cwd, target);
  if (!existsSync(abs)) throw new HelmfileError(`specified state file ${target} is not found`);
  if (statSync(abs).isDirectory()) {
    const files = readdirSync(abs).filter((f) => /\.y[a-z]*ml$/.test(f)).sort();
    if (!files.length) throw new HelmfileError(`no state file found in ${target}`);
    return files.map((f) => parseState(join(target, f), join(abs, f), readFileSync(join(abs, f), 'utf8')));
  }
  return [parseState(target, abs, readFileSync(abs, 'utf8'))];
}

export const releaseId = (r: Pick<Release, 'namespace' | 'name'>) => `${r.namespace}/${r.name}`;

/**
 * -l/--selector: each flag is a comma-separated AND of key=value / key!=value over the release's labels plus the
 * implicit name, namespace and chart labels; several flags are ORed (pkg/state/release.go + selector docs).
 */
export function selectReleases(releases: Release[], selectors: string[]): Release[] {
  if (!selectors.length) return releases;
  const parsed = selectors.map((s) => s.split(',').filter(Boolean).map((term) => {
    const m = /^([^!=]+)(!=|=)(.*)$/.exec(term);
    if (!m) throw new HelmfileError(`malformed label: ${term}. Expected label in form k=v or k!=v`);
    return { key: m[1]!, neg: m[2] === '!=', value: m[3]! };
  }));
  return releases.filter((r) => {
    const labels: Record<string, string> = { ...r.labels, name: r.name, namespace: r.namespace, chart: r.chart };
    return parsed.some((terms) => terms.every((t) => (labels[t.key] === t.value) !== t.neg));
  });
}

/** a `needs` entry => the release id it names */
export function needId(r: Release, need: string): string {
  const parts = need.split('/');
  return parts.length >= 2 ? parts.slice(-2).join('/') : `${r.namespace}/${need}`;
}

/**
 * The DAG of the releases to run, as groups (pkg/state/state.go PlanReleases): every release of a group only needs
 * releases of earlier groups. Needs outside the run (not selected: --skip-needs is the default with a selector) are
 * ignored; with includeNeeds the direct needs are added, with transitive all of them. A need naming no release at all
 * is helmfile's "undefined release" error.
 */
export function planGroups(all: Release[], selected: Release[], opts: { includeNeeds?: boolean; transitive?: boolean } = {}): Release[][] {
  const byId = new Map(all.map((r) => [releaseId(r), r]));
  for (const r of all) {
    for (const n of r.needs) {
      if (!byId.has(needId(r, n))) {
        throw new HelmfileError(`release(s) ${JSON.stringify(releaseId(r))} depend(s) on an undefined release ${JSON.stringify(needId(r, n))}. Perhaps you made a typo in "needs" or forgot defining a release named ${JSON.stringify(n.split('/').pop())} with appropriate "namespace" and "kubeContext"?`);
      }
    }
  }
  const run = new Map(selected.map((r) => [releaseId(r), r]));
  if (opts.includeNeeds || opts.transitive) {
    const queue = [...selected];
    while (queue.length) {
      const r = queue.shift()!;
      for (const n of r.needs) {
        const dep = byId.get(needId(r, n))!;
        if (run.has(releaseId(dep))) continue;
        run.set(releaseId(dep), dep);
        if (opts.transitive) queue.push(dep);
      }
    }
  }
  const groups: Release[][] = [];
  const done = new Set<string>();
  let left = [...run.values()];
  while (left.length) {
    const ready = left.filter((r) => r.needs.every((n) => !run.has(needId(r, n)) || done.has(needId(r, n))));
    if (!ready.length) throw new HelmfileError(`cycle detected among releases: ${left.map(releaseId).join(', ')}`);
    groups.push(ready);
    for (const r of ready) done.add(releaseId(r));
    left = left.filter((r) => !ready.includes(r));
  }
  return groups;
}
