// Which helmfiles a bootstrap folder holds and what each does, and the releases they define as helmfile itself
// computes them. Layouts seen in the community: helmfile.d/00-crds.yaml + 01-apps.yaml (onedr0p/home-ops,
// cluster-template), helmfile/{crds,apps}.yaml with a shared base file, one helmfile.yaml. rackhand never parses
// helmfile state itself: bases, templates + inherit, environments, several documents and .gotmpl files are helmfile's
// business, so the releases come from `helmfile build` (helmfile/helmfile pkg/app/app.go PrintState).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { BootstrapLayout } from '../config/schema.ts';
import { UsageError } from '../engine/types.ts';
import type { Helmfile } from '../tools/helmfile.ts';

export interface Release { name: string; namespace: string; chart: string; version?: string; needs: string[] }

export interface HelmfileSet {
  /** helmfiles whose rendered CRDs are applied before any release (helmfile template, CRD documents only) */
  crds: string[];
  /** helmfiles synced, in this order */
  apps: string[];
  /** what rackhand assumed rather than read from rackhand.yaml (shown by doctor) */
  guesses: string[];
}

const STATE = /\.(ya?ml|gotmpl)$/;

/** Files named in another file's `bases:` are layers, not helmfiles to run (read without rendering; a file that only
 *  parses after Go templating simply names no bases here). */
function basesNamed(files: string[]): Set<string> {
  const out = new Set<string>();
  for (const f of files) {
    try {
      for (const d of parseAllDocuments(readFileSync(f, 'utf8'))) {
        const bases = (d.toJS() as { bases?: unknown } | null)?.bases;
        if (Array.isArray(bases)) for (const b of bases) out.add(resolve(f, '..', String(b)));
      }
    } catch { /* not plain YAML: helmfile will say what is wrong with it */ }
  }
  return out;
}

/** The helmfiles of a bootstrap folder: named in rackhand.yaml, else found (helmfile.d/ or helmfile/ folder of state
 *  files, else one helmfile.yaml[.gotmpl]); a file whose name says "crds" provides the CRDs. Synchronous: validate()
 *  refuses a folder without helmfiles (exit 2) before any command runs. */
export function findHelmfiles(dir: string, layout: BootstrapLayout | undefined, source: string): HelmfileSet {
  const named = (list: string[] | undefined, key: string) => (list ?? []).map((f) => {
    const abs = resolve(dir, f);
    if (!existsSync(abs)) throw new UsageError(`${source}.bootstrap.${key}: ${abs} does not exist (paths are relative to the bootstrap folder ${dir})`);
    return abs;
  });
  const guesses: string[] = [];
  if (layout?.apps?.length) return { crds: named(layout.crds, 'crds'), apps: named(layout.apps, 'apps'), guesses };
  const folder = ['helmfile.d', 'helmfile'].map((d) => join(dir, d)).find((d) => existsSync(d) && statSync(d).isDirectory());
  let files: string[];
  if (folder) {
    files = readdirSync(folder).filter((f) => STATE.test(f)).sort().map((f) => join(folder, f));
    // a file another one names in `bases:` is a layer of it, not a helmfile to run
    const bases = basesNamed(files);
    files = files.filter((f) => !bases.has(f));
  } else {
    files = ['helmfile.yaml', 'helmfile.yaml.gotmpl'].map((f) => join(dir, f)).filter((f) => existsSync(f));
  }
  if (!files.length) throw new UsageError(`${source}.bootstrap: no helmfile in ${dir} (expected helmfile.d/*.yaml, helmfile/*.yaml or helmfile.yaml, or name them as bootstrap: {dir, crds: [...], apps: [...]})`);
  const crds = layout?.crds ? named(layout.crds, 'crds') : files.filter((f) => /crds/i.test(f.slice(dir.length)));
  const apps = files.filter((f) => !crds.includes(f));
  // 00-crds.yaml / crds.yaml is the community's convention (onedr0p/home-ops bootstrap/helmfile.d): read, not guessed
  const conventional = (f: string) => /^(\d+-)?crds\.ya?ml(\.gotmpl)?$/.test(basename(f));
  if (!layout?.crds) {
    if (!crds.length) guesses.push('CRDs from the rendered apps helmfile(s): no helmfile is named for CRDs');
    else if (!crds.every(conventional)) guesses.push(`CRDs from ${crds.map((f) => relative(dir, f)).join(', ')} (the file name says crds)`);
  }
  if (apps.length > 1 && !apps.every((f) => /^\d+-/.test(basename(f)))) guesses.push(`helmfiles run in file name order: ${apps.map((f) => relative(dir, f)).join(', ')}`);
  return { crds: crds.length ? crds : apps, apps: apps.length ? apps : crds, guesses };
}

type Built = { releases?: { name?: string; namespace?: string; chart?: string; version?: unknown; needs?: unknown[]; installed?: boolean }[] };

/** The releases a helmfile defines, as helmfile renders its state (`helmfile build`), in `needs:` order (a release
 *  after everything it needs; otherwise the order written). `installed: false` releases are left out. */
export async function buildReleases(helmfile: Helmfile, file: string): Promise<Release[]> {
  let text: string;
  try {
    text = await helmfile.build();
  } catch (err) {
    throw new UsageError(`${file}: helmfile could not read it: ${(err as Error).message.split('\n').find((l) => l.trim()) ?? ''}`);
  }
  const releases: Release[] = [];
  for (const d of parseAllDocuments(text)) {
    const state = d.toJS() as Built | null;
    for (const r of state?.releases ?? []) {
      if (r.installed === false || !r.name || !r.chart) continue;
      releases.push({ name: r.name, namespace: r.namespace ?? 'default', chart: r.chart, ...(r.version !== undefined ? { version: String(r.version) } : {}), needs: (r.needs ?? []).map(String) });
    }
  }
  return needsOrder(releases);
}

/** helmfile's needs entries are "[namespace/]name", a bare name being in the needing release's namespace
 *  (helmfile pkg/state ReleaseToID). Needs outside the file are helmfile's to report. */
function needsOrder(releases: Release[]): Release[] {
  const id = (r: Release) => `${r.namespace}/${r.name}`;
  const needId = (r: Release, n: string) => (n.split('/').length >= 2 ? n.split('/').slice(-2).join('/') : `${r.namespace}/${n}`);
  const known = new Set(releases.map(id));
  const out: Release[] = [];
  const done = new Set<string>();
  let left = releases;
  while (left.length) {
    const ready = left.filter((r) => r.needs.every((n) => !known.has(needId(r, n)) || done.has(needId(r, n))));
    if (!ready.length) return [...out, ...left];
    for (const r of ready) { out.push(r); done.add(id(r)); }
    left = left.filter((r) => !ready.includes(r));
  }
  return out;
}
