// Helmfile state files as the fake reads them: plain YAML (helmfile 1.x renders only *.gotmpl state files as Go
// templates; the fake refuses those) with bases, several documents, templates + inherit, YAML merge keys,
// environments (-e must name one), helmDefaults, repositories and releases[]{name, namespace, chart, version,
// values[], needs[], installed, labels, createNamespace, wait, timeout}; other top-level keys are kept for `build`. `-f DIR` reads DIR/*.y*ml in name order (pkg/app/app.go findDesiredStateFiles;
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
  /** the layered state as read (bases and documents merged), for `helmfile build` */
  raw: Record<string, unknown>;
}

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? undefined : String(v));
type Raw = Record<string, any>;
const isMap = (v: unknown): v is Raw => !!v && typeof v === 'object' && !Array.isArray(v);

/** The documents of one state file (YAML merge keys `<<: *anchor` honoured, as go-yaml does). */
function readDocs(file: string, text: string): Raw[] {
  try {
    return parseAllDocuments(text, { merge: true }).map((d) => {
      if (d.errors.length) throw d.errors[0]!;
      return d.toJS();
    }).filter(isMap);
  } catch (e) {
    // pkg/state/create.go: "failed to read %s: reading document at index %d: %v" (approximate)
    throw new HelmfileError(`failed to read ${file}: reading document at index 1: ${(e as Error).message.split('\n')[0]}`);
  }
}

/**
 * Layering (pkg/state/create.go + pkg/app/desired_state_file_loader.go, approximate): the files named in `bases:`
 * first, then each document of the file in order; maps are merged with later values winning, `releases` and
 * `repositories` are appended. Bases are relative to the file naming them.
 */
function layer(into: Raw, doc: Raw): Raw {
  for (const [k, v] of Object.entries(doc)) {
    if (k === 'bases') continue;
    if ((k === 'releases' || k === 'repositories') && Array.isArray(v)) into[k] = [...(into[k] ?? []), ...v];
    else if (isMap(v) && isMap(into[k])) into[k] = layer({ ...into[k] }, v);
    else into[k] = v;
  }
  return into;
}

function loadLayers(file: string, abs: string, text: string, seen: string[] = []): Raw {
  if (/\.gotmpl$/.test(abs)) throw new HelmfileError(`in ${file}: the lab's fake helmfile does not render Go templates in state files`);
  if (seen.includes(abs)) throw new HelmfileError(`in ${file}: bases form a cycle: ${[...seen, abs].join(' -> ')}`);
  let state: Raw = {};
  for (const doc of readDocs(file, text)) {
    for (const b of Array.isArray(doc.bases) ? doc.bases : []) {
      const baseAbs = resolve(abs, '..', String(b));
      // pkg/state/create.go: failed to load base (approximate)
      if (!existsSync(baseAbs)) throw new HelmfileError(`in ${file}: failed to load base ${b}: open ${baseAbs}: no such file or directory`);
      state = layer(state, loadLayers(String(b), baseAbs, readFileSync(baseAbs, 'utf8'), [...seen, abs]));
    }
    state = layer(state, doc);
  }
  return state;
}

/** `inherit: [{template: NAME, except: [KEY...]}]` (helmfile docs "Release Template / Inheritance"): the template's
 *  fields under the release's own, except the keys listed. */
function inherit(file: string, r: Raw, templates: Raw): Raw {
  let base: Raw = {};
  for (const i of Array.isArray(r.inherit) ? r.inherit : []) {
    const t = templates[String(i?.template)];
    if (!isMap(t)) throw new HelmfileError(`in ${file}: release ${r.name ?? '?'} inherits from undefined template ${JSON.stringify(i?.template)}`);
    const except = new Set<string>((Array.isArray(i.except) ? i.except : []).map(String));
    base = { ...base, ...Object.fromEntries(Object.entries(t).filter(([k]) => !except.has(k))) };
  }
  const { inherit: _, ...own } = r;
  return { ...base, ...own };
}

function parseState(file: string, abs: string, text: string, environment = 'default'): StateFile {
  const raw = loadLayers(file, abs, text);
  const envs = isMap(raw.environments) ? raw.environments : {};
  // pkg/state/create.go: `environment "x" is not defined` (approximate)
  if (environment !== 'default' && !(environment in envs)) throw new HelmfileError(`in ${file}: environment ${JSON.stringify(environment)} is not defined`);
  const out: StateFile = { file, defaults: { args: [], wait: false, waitForJobs: false, timeout: 300, createNamespace: true, historyMax: 10 }, repositories: [], releases: [], raw };
  const dir = resolve(abs, '..');
  const hd = isMap(raw.helmDefaults) ? raw.helmDefaults : {};
  if (Array.isArray(hd.args)) out.defaults.args = hd.args.map(String);
  if (typeof hd.wait === 'boolean') out.defaults.wait = hd.wait;
  if (typeof hd.waitForJobs === 'boolean') out.defaults.waitForJobs = hd.waitForJobs;
  if (typeof hd.timeout === 'number') out.defaults.timeout = hd.timeout;
  if (typeof hd.createNamespace === 'boolean') out.defaults.createNamespace = hd.createNamespace;
  if (typeof hd.historyMax === 'number') out.defaults.historyMax = hd.historyMax;
  for (const r of Array.isArray(raw.repositories) ? raw.repositories : []) out.repositories.push({ name: String(r?.name ?? ''), url: String(r?.url ?? ''), oci: r?.oci === true });
  const templates = isMap(raw.templates) ? raw.templates : {};
  for (const given of Array.isArray(raw.releases) ? raw.releases : []) {
    const r = isMap(given) ? inherit(file, given, templates) : given;
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
  return out;
}

/** The state files -f names (a file, a folder of *.y*ml / *.gotmpl, "-" for stdin), else helmfile.yaml or
 *  helmfile.d/ in cwd. */
export function loadStateFiles(cwd: string, file: string | undefined, stdin: string | undefined, environment?: string): StateFile[] {
  if (file === '-') return [parseState('-', join(cwd, '-'), stdin ?? '', environment)];
  const target = file ?? (existsSync(join(cwd, 'helmfile.yaml')) ? 'helmfile.yaml' : existsSync(join(cwd, 'helmfile.d')) ? 'helmfile.d' : undefined);
  // pkg/app/app.go: no state file found
  if (!target) throw new HelmfileError('no state file found. It must be named helmfile.d/*.{yaml,yml}, helmfile.yaml, or charts.yaml, or otherwise specified with the --file flag');
  const abs = isAbsolute(target) ? target : resolve(cwd, target);
  if (!existsSync(abs)) throw new HelmfileError(`specified state file ${target} is not found`);
  if (statSync(abs).isDirectory()) {
    const files = readdirSync(abs).filter((f) => /\.(ya?ml|gotmpl)$/.test(f)).sort();
    if (!files.length) throw new HelmfileError(`no state file found in ${target}`);
    return files.map((f) => parseState(join(target, f), join(abs, f), readFileSync(join(abs, f), 'utf8'), environment));
  }
  return [parseState(target, abs, readFileSync(abs, 'utf8'), environment)];
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
