// A cluster's bootstrap inputs (bootstrap/<cluster>/, the k8s-ops layout): helmfile.d/00-crds.yaml (CRD-carrying
// charts), helmfile.d/01-apps.yaml (releases chained with `needs:`), namespaces.yaml, secrets.yaml.tpl (Secrets whose
// values are op:// references). Read with the yaml package; nothing here talks to a cluster.
import { existsSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { UsageError } from '../engine/types.ts';

export interface Release { name: string; namespace: string; chart: string; version?: string; needs: string[] }
export interface Manifest { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: unknown }

export interface BootstrapInputs {
  dir: string;
  crdsFile: string;
  appsFile: string;
  releases: Release[];
  namespaces: Manifest[];
  /** Secret manifests as written, values still op:// references */
  secrets: Manifest[];
  /** every op:// reference in secrets.yaml.tpl, in order, once */
  references: string[];
}

const FILES = { crds: 'helmfile.d/00-crds.yaml', apps: 'helmfile.d/01-apps.yaml', namespaces: 'namespaces.yaml', secrets: 'secrets.yaml.tpl' } as const;
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

/** Read synchronously so a task's validate() can refuse bad inputs (exit 2) before any command runs. */
export function readInputs(dir: string, source: string): BootstrapInputs {
  for (const f of [FILES.crds, FILES.apps, FILES.secrets]) {
    if (!existsSync(join(dir, f))) throw new UsageError(`${source} bootstrap: expected ${join(dir, f)} (the k8s-ops layout: bootstrap/<cluster>/${f})`);
  }
  const [apps] = docs(join(dir, FILES.apps)) as unknown as [{ releases?: Partial<Release>[] }];
  const releases = (apps?.releases ?? []).map((r, i) => {
    if (!r.name || !r.chart) throw new UsageError(`${join(dir, FILES.apps)} releases[${i}]: expected name and chart`);
    return { name: r.name, namespace: r.namespace ?? 'default', chart: r.chart, ...(r.version ? { version: String(r.version) } : {}), needs: r.needs ?? [] };
  });
  // The template may mix Namespaces, Secrets and other objects (onedr0p's resources/*.yaml.j2, joryirving's
  // secrets.yaml.tpl): Namespaces join namespaces.yaml (optional), everything else is applied with its own kind.
  const template = docs(join(dir, FILES.secrets));
  for (const [i, d] of template.entries()) {
    if (!d.kind || !d.apiVersion || !d.metadata?.name) throw new UsageError(`${join(dir, FILES.secrets)} document ${i + 1}: expected apiVersion, kind and metadata.name`);
  }
  const listed = existsSync(join(dir, FILES.namespaces)) ? docs(join(dir, FILES.namespaces)).filter((d) => d.kind === 'Namespace') : [];
  const namespaces = [...listed, ...template.filter((d) => d.kind === 'Namespace' && !listed.some((n) => n.metadata.name === d.metadata.name))];
  const secrets = template.filter((d) => d.kind !== 'Namespace');
  const references = [...new Set(secrets.flatMap((s) => strings(s).flatMap((v) => [...v.matchAll(REF)].map((m) => m[1] ?? m[2]!))))];
  return { dir, crdsFile: join(dir, FILES.crds), appsFile: join(dir, FILES.apps), releases, namespaces, secrets, references };
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
