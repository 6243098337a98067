// A cluster's bootstrap inputs: the helmfiles (lib/bootstrap/helmfiles.ts: CRD helmfiles, apps helmfiles, their
// releases from helmfile itself), namespaces.yaml (optional) and the secret template(s) (secrets.yaml.tpl or named in
// rackhand.yaml: any mix of Namespaces, Secrets and other objects whose values may be op:// references). Read with
// the yaml package; nothing here talks to a cluster.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { BootstrapLayout } from '../config/schema.ts';
import { UsageError } from '../engine/types.ts';
import { findHelmfiles, type HelmfileSet, type Release } from './helmfiles.ts';

export type { Release } from './helmfiles.ts';
export interface Manifest { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: unknown }

export interface BootstrapInputs {
  dir: string;
  helmfiles: HelmfileSet;
  /** per apps helmfile, its releases in needs order (filled by loadReleases: helmfile build) */
  releases: { file: string; releases: Release[] }[];
  namespaces: Manifest[];
  /** the template objects other than Namespaces, as written (values still op:// references) */
  secrets: Manifest[];
  /** every op:// reference in the template(s), in order, once */
  references: string[];
  /** the secret template files read */
  templates: string[];
}

// op inject template syntax: a bare reference or `{{ op://... }}` (developer.1password.com/docs/cli/secrets-template-syntax)
const REF = /\{\{\s*(op:\/\/[^\s}]+)\s*\}\}|(op:\/\/[^\s"'}]+)/g;

function docs(path: string): Manifest[] {
  const parsed = parseAllDocuments(readFileSync(path, 'utf8'));
  const out: Manifest[] = [];
  for (const d of parsed) {
    if (d.errors.length) throw new UsageError(`${path}: ${d.errors[0]!.message.split('\n')[0]}`);
    const v = d.toJS() as Manifest | null;
    if (v) out.push(v);
  }
  return out;
}

/** secret templates: named in rackhand.yaml, else secrets.yaml.tpl, else every *.yaml.tpl of the folder */
function templateFiles(dir: string, layout: BootstrapLayout | undefined, source: string): string[] {
  if (layout?.secrets) {
    return layout.secrets.map((f) => {
      const abs = resolve(dir, f);
      if (!existsSync(abs)) throw new UsageError(`${source}.bootstrap.secrets: ${abs} does not exist (paths are relative to the bootstrap folder ${dir})`);
      return abs;
    });
  }
  if (existsSync(join(dir, 'secrets.yaml.tpl'))) return [join(dir, 'secrets.yaml.tpl')];
  return readdirSync(dir).filter((f) => /\.ya?ml\.tpl$/.test(f)).sort().map((f) => join(dir, f));
}

/** Read synchronously so a task's validate() can refuse bad inputs (exit 2) before any command runs. */
export function readInputs(dir: string, source: string, layout?: BootstrapLayout): BootstrapInputs {
  if (!existsSync(dir)) throw new UsageError(`${source}.bootstrap: the folder ${dir} does not exist`);
  const helmfiles = findHelmfiles(dir, layout, source);
  const templates = templateFiles(dir, layout, source);
  if (!templates.length) helmfiles.guesses.push('no secret template (secrets.yaml.tpl or *.yaml.tpl): no secrets are created');
  // The template may mix Namespaces, Secrets and other objects (onedr0p's resources/*.yaml.j2, joryirving's
  // secrets.yaml.tpl): Namespaces join namespaces.yaml (optional), everything else is applied with its own kind.
  const template = templates.flatMap((t) => docs(t).map((d, i) => {
    if (!d.kind || !d.apiVersion || !d.metadata?.name) throw new UsageError(`${t} document ${i + 1}: expected apiVersion, kind and metadata.name`);
    return d;
  }));
  const nsFile = resolve(dir, layout?.namespaces ?? 'namespaces.yaml');
  if (layout?.namespaces && !existsSync(nsFile)) throw new UsageError(`${source}.bootstrap.namespaces: ${nsFile} does not exist`);
  const listed = existsSync(nsFile) ? docs(nsFile).filter((d) => d.kind === 'Namespace') : [];
  const namespaces = [...listed, ...template.filter((d) => d.kind === 'Namespace' && !listed.some((n) => n.metadata.name === d.metadata.name))];
  const secrets = template.filter((d) => d.kind !== 'Namespace');
  const references = [...new Set(secrets.flatMap((s) => strings(s).flatMap((v) => [...v.matchAll(REF)].map((m) => m[1] ?? m[2]!))))];
  return { dir, helmfiles, releases: [], namespaces, secrets, references, templates };
}

/** Every string value inside a document (references may sit in stringData, data, annotations, a ConfigMap...). */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (v && typeof v === 'object') return Object.values(v).flatMap(strings);
  return [];
}

function replaceDeep(v: unknown, values: Map<string, string>): unknown {
  if (typeof v === 'string') return v.replace(REF, (_, a?: string, b?: string) => values.get((a ?? b)!)!);
  if (Array.isArray(v)) return v.map((x) => replaceDeep(x, values));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replaceDeep(x, values)]));
  return v;
}

/** The template's objects with every reference replaced by its value, each keeping its kind and fields (in memory
 *  only; callers send them through stdin). */
export function renderSecrets(secrets: Manifest[], values: Map<string, string>): Manifest[] {
  return secrets.map((s) => replaceDeep(s, values) as Manifest);
}
