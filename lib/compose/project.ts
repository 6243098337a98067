// A Compose project as Git has it: its files read from the repository (never the host's copy), the project's .env
// giving the interpolation variables, every string interpolated, several files merged in order, `extends` resolved,
// and each service's env_file folded into its environment. The rules are the Compose Specification's
// (compose-spec/spec.md "Interpolation", "Merge and override": mappings merge key by key, ports are appended,
// volumes merge by their target path, other sequences and scalars are replaced; "extends": the extended service is
// the base the extending one is merged onto; "env_file": earlier files first, `environment` wins).
import { parse as parseDotenv } from 'dotenv';
import { parse as parseYaml } from 'yaml';
import { posix } from 'node:path';
import { interpolateTree } from './interpolate.ts';

export type Raw = Record<string, any>;

export interface GitProject {
  name: string;
  /** the project's folder in the repository */
  dir: string;
  /** repository paths of the files, in merge order */
  files: string[];
  services: Record<string, Raw>;
  networks: Record<string, Raw>;
  volumes: Record<string, Raw>;
  /** variables used without a value or default (named in the findings, never guessed) */
  unset: string[];
}

/** reads a file of the repository at the compared revision; undefined when it does not exist there */
export type ReadRepoFile = (path: string) => Promise<string | undefined>;

export class ComposeFileError extends Error {}

/** set on a service whose env_file is not in Git: the keys it gives the container are unknown here */
export const OPEN_ENV = 'x-rackhand-env-file-outside-git';

const isMap = (v: unknown): v is Raw => !!v && typeof v === 'object' && !Array.isArray(v);

/** list form ["A=b", "C"] or map form {A: b} to a map (a key without "=" has no value here: undefined) */
export function toMap(v: unknown): Record<string, string | undefined> {
  if (Array.isArray(v)) return Object.fromEntries(v.map((x) => { const s = String(x); const i = s.indexOf('='); return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)]; }));
  if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === null || x === undefined ? undefined : String(x)]));
  return {};
}

const volumeTarget = (v: unknown): string => (typeof v === 'string' ? (v.split(':')[1] ?? v.split(':')[0] ?? v) : String((v as Raw)?.target ?? ''));

export function mergeService(base: Raw, over: Raw): Raw {
  const out: Raw = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    if (k === 'environment' || k === 'labels') out[k] = { ...toMap(b), ...toMap(v) };
    else if (k === 'ports' && Array.isArray(b) && Array.isArray(v)) out[k] = [...b, ...v.filter((p) => !b.some((q) => JSON.stringify(q) === JSON.stringify(p)))];
    else if (k === 'volumes' && Array.isArray(b) && Array.isArray(v)) out[k] = [...b.filter((x) => !v.some((y) => volumeTarget(y) === volumeTarget(x))), ...v];
    else if (isMap(b) && isMap(v) && k !== 'healthcheck') out[k] = mergeService(b, v);
    else out[k] = v;
  }
  return out;
}

async function readYaml(read: ReadRepoFile, path: string, vars: Record<string, string>, unset: Set<string>): Promise<Raw> {
  const text = await read(path);
  if (text === undefined) throw new ComposeFileError(`${path}: not in the repository`);
  let doc: unknown;
  try {
    doc = parseYaml(text, { merge: true }); // YAML merge keys (<<: *anchor), as Compose reads them
  } catch (err) {
    throw new ComposeFileError(`${path}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!isMap(doc)) throw new ComposeFileError(`${path}: expected a mapping with services:`);
  return interpolateTree(doc, vars, unset) as Raw;
}

/** Loads the project from `files` (repository paths, merge order); `name` as Compose named it (its label). */
export async function loadGitProject(read: ReadRepoFile, name: string, files: string[]): Promise<GitProject> {
  if (!files.length) throw new ComposeFileError(`project ${name}: no compose file`);
  const dir = posix.dirname(files[0]!);
  const envText = await read(posix.join(dir, '.env'));
  const vars: Record<string, string> = { ...(envText !== undefined ? parseDotenv(envText) : {}), COMPOSE_PROJECT_NAME: name };
  const unset = new Set<string>();
  const docs = await Promise.all(files.map((f) => readYaml(read, f, vars, unset)));
  const services: Record<string, Raw> = {};
  const networks: Record<string, Raw> = {};
  const volumes: Record<string, Raw> = {};
  for (const d of docs) {
    for (const [s, v] of Object.entries(isMap(d.services) ? d.services : {})) services[s] = services[s] ? mergeService(services[s], isMap(v) ? v : {}) : (isMap(v) ? v : {});
    Object.assign(networks, isMap(d.networks) ? d.networks : {});
    Object.assign(volumes, isMap(d.volumes) ? d.volumes : {});
  }
  for (const [s, svc] of Object.entries(services)) {
    services[s] = await resolveExtends(read, dir, files[0]!, services, s, svc, vars, unset, new Set());
    services[s] = await foldEnvFiles(read, dir, services[s]!, vars, unset);
  }
  return { name, dir, files, services, networks, volumes, unset: [...unset].sort() };
}

async function resolveExtends(read: ReadRepoFile, dir: string, file: string, all: Record<string, Raw>, name: string, svc: Raw, vars: Record<string, string>, unset: Set<string>, seen: Set<string>): Promise<Raw> {
  const ext = svc.extends;
  if (!ext) return svc;
  const spec = typeof ext === 'string' ? { service: ext } : (ext as Raw);
  const from = spec.file ? posix.normalize(posix.join(posix.dirname(file), String(spec.file))) : file;
  const key = `${from}#${spec.service}`;
  if (seen.has(key)) throw new ComposeFileError(`service ${name}: extends loops back to ${spec.service}`);
  seen.add(key);
  let base: Raw | undefined;
  if (spec.file) {
    const other = await readYaml(read, from, vars, unset);
    base = isMap(other.services) ? other.services[spec.service] : undefined;
  } else base = all[spec.service];
  if (!isMap(base)) throw new ComposeFileError(`service ${name}: extends ${spec.service}${spec.file ? ` in ${spec.file}` : ''}, which does not exist`);
  const resolved = await resolveExtends(read, dir, from, all, spec.service, base, vars, unset, seen);
  const { extends: _e, ...own } = svc;
  void _e;
  return mergeService(resolved, own);
}

async function foldEnvFiles(read: ReadRepoFile, dir: string, svc: Raw, vars: Record<string, string>, unset: Set<string>): Promise<Raw> {
  if (!svc.env_file) return svc;
  const list = (Array.isArray(svc.env_file) ? svc.env_file : [svc.env_file]).map((e: unknown) => (typeof e === 'string' ? { path: e, required: true } : (e as Raw)));
  let env: Record<string, string | undefined> = {};
  let missing = false;
  for (const e of list) {
    const path = posix.normalize(posix.join(dir, String(e.path)));
    const text = await read(path);
    if (text === undefined) {
      // an env file kept out of Git (as it should be): its keys cannot be compared
      if (e.required !== false) unset.add(`env_file ${path}`);
      missing = true;
      continue;
    }
    env = { ...env, ...(interpolateTree(parseDotenv(text), vars, unset) as Record<string, string>) };
  }
  const { env_file: _f, ...rest } = svc;
  void _f;
  return { ...rest, environment: { ...env, ...toMap(svc.environment) }, ...(missing ? { [OPEN_ENV]: true } : {}) };
}
