// The task registry, discovered: every `tasks/<namespace>/<name>.{ts,mts,js,mjs}` (and `tasks/<name>.*` for a task
// without a namespace) in rackhand's own folder and in the operator's folders (rackhand.yaml `tasks:`, or
// RACKHAND_TASKS) whose default export is `defineTask({...})`. Metadata is cached per folder (JSON, keyed by a
// fingerprint of every file's path, size and mtime in the folder, and in lib/ for rackhand's own), so `list` and
// `--help` import no task file once the cache is warm; a task's module is imported when it runs. A name defined twice,
// a file that does not load or does not export a task, or metadata of the wrong shape is a TaskFileError (exit 2)
// naming the file.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isTaskDefinition, type TaskMeta } from './define.ts';
import type { FlagDefs, TaskEntry } from './types.ts';

export class TaskFileError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'TaskFileError';
  }
}

export interface TaskRoot {
  dir: string;
  /** shown by `tasks list` ("rackhand", or the folder relative to the working directory) */
  origin: string;
  /** more folders whose changes invalidate this root's cached metadata (rackhand's lib/) */
  watch?: string[];
}

const TASK_FILE = /^(?!_)(?!index\.)(?!registry\.)[a-z0-9][a-z0-9-]*\.(ts|mts|js|mjs)$/;
const NOT_TASK = /\.(test|spec|d)\.[mc]?[jt]s$/;

// zod is loaded only when a task file is read (a cache miss): `list` with a warm cache does not pay for it
async function metaSchema() {
  const { z } = await import('zod');
  const flag = z.strictObject({
    type: z.enum(['string', 'boolean', 'number', 'duration', 'list'], { error: 'expected string, boolean, number, duration or list' }),
    description: z.string({ error: 'expected a sentence saying what the flag does' }).min(1),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    choices: z.array(z.string()).readonly().optional(),
    pattern: z.instanceof(RegExp, { error: 'expected a RegExp' }).optional(),
    hint: z.string().optional(),
    required: z.boolean().optional(),
    secret: z.boolean().optional(),
    short: z.string().length(1).optional(),
    positional: z.boolean().optional(),
    rest: z.boolean().optional(),
    nodeRef: z.boolean().optional(),
  }).refine((f) => !f.rest || f.type === 'list', { message: 'a rest flag (the arguments after --) must be of type list', path: ['rest'] });
  return z.looseObject({
    summary: z.string({ error: 'expected a one-line summary' }).min(1),
    description: z.string().optional(),
    example: z.string().optional(),
    flags: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected a flag name like app or dry-run'), flag),
    destructive: z.union([z.boolean(), z.literal('typed')], { error: 'expected false, true or "typed"' }),
    cluster: z.boolean({ error: 'expected true (the task works on a cluster of rackhand.yaml) or false' }),
    lock: z.boolean().optional(),
    identityFrom: z.enum(['kubeconfig', 'config']).optional(),
    aliases: z.record(z.string().regex(/^[a-z0-9-]+(:[a-z0-9-]+)?$/), z.strictObject({ summary: z.string().optional(), example: z.string().optional(), presetFlags: z.record(z.string(), z.unknown()) })).optional(),
  });
}

interface Found { name: string; file: string }

function taskFiles(root: string): Found[] {
  if (!existsSync(root)) return [];
  const out: Found[] = [];
  for (const d of readdirSync(root, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (d.isFile() && TASK_FILE.test(d.name) && !NOT_TASK.test(d.name)) out.push({ name: basename(d.name, extname(d.name)), file: join(root, d.name) });
    if (!d.isDirectory() || d.name.startsWith('.') || d.name.startsWith('_') || d.name === 'node_modules') continue;
    for (const f of readdirSync(join(root, d.name)).sort()) {
      if (TASK_FILE.test(f) && !NOT_TASK.test(f)) out.push({ name: `${d.name}:${basename(f, extname(f))}`, file: join(root, d.name, f) });
    }
  }
  return out;
}

function fingerprint(dirs: string[]): string {
  const h = createHash('sha1');
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const d of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (d.name === 'node_modules' || d.name.startsWith('.')) continue;
      const p = join(dir, d.name);
      if (d.isDirectory()) walk(p);
      else if (/\.(ts|mts|js|mjs|json)$/.test(d.name)) { const st = statSync(p); h.update(`${p}\0${st.size}\0${st.mtimeMs}\n`); }
    }
  };
  for (const d of dirs) walk(d);
  return h.digest('hex');
}

// RegExps survive the JSON cache as {$re, flags}
const toJson = (_k: string, v: unknown) => (v instanceof RegExp ? { $re: v.source, flags: v.flags } : v);
const fromJson = (_k: string, v: unknown) => {
  const r = v as { $re?: string; flags?: string } | null;
  return r && typeof r === 'object' && typeof r.$re === 'string' ? new RegExp(r.$re, r.flags) : v;
};

/** The file's URL; with its mtime as query when this process imported an older version of it before, so a
 *  long-lived process (a script calling run(), a test) gets the changed module, not the one ESM cached. */
const imported = new Map<string, number>();
function moduleUrl(file: string): string {
  const mtime = statSync(file).mtimeMs;
  const first = imported.get(file);
  if (first === undefined) imported.set(file, mtime);
  const href = pathToFileURL(file).href;
  return first === undefined || first === mtime ? href : `${href}?mtime=${mtime}`;
}

/** Imports a task file; a .ts one in a process without a TypeScript loader (the installed, compiled CLI) first
 *  registers tsx's ESM loader (tsx/esm/api register(): privatenumber/tsx docs "Node.js API"), so tsx is loaded only
 *  when an operator's TypeScript task is read or run. */
let tsx: Promise<unknown> | undefined;
async function importTask(file: string): Promise<unknown> {
  try {
    return await import(moduleUrl(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION' || !/\.[mc]?ts$/.test(file)) throw err;
    await (tsx ??= import('tsx/esm/api').then((m) => m.register()));
    return import(`${moduleUrl(file)}${moduleUrl(file).includes('?') ? '&' : '?'}tsx=1`);
  }
}

interface Cached { version: 1; fingerprint: string; tasks: { name: string; file: string; meta: TaskMeta }[] }

async function readMeta(f: Found): Promise<TaskMeta> {
  let mod: { default?: unknown };
  try {
    mod = await importTask(f.file) as { default?: unknown };
  } catch (err) {
    throw new TaskFileError(f.file, `does not load: ${String((err as Error).message ?? err).split('\n')[0]}`);
  }
  if (!isTaskDefinition(mod.default)) throw new TaskFileError(f.file, 'expected `export default defineTask({ summary, flags, destructive, cluster, impl })` (import { defineTask } from \'rackhand\')');
  const parsed = (await metaSchema()).safeParse(mod.default);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new TaskFileError(f.file, `${i.path.join('.') || 'task'}: ${i.message}`);
  }
  const { impl: _i, rackhandTask: _r, ...meta } = mod.default as unknown as Record<string, unknown>;
  return meta as unknown as TaskMeta;
}

/** The metadata of a root's tasks: from the cache when nothing in the folder changed, else by importing each file. */
async function rootTasks(root: TaskRoot, cacheDir: string): Promise<Cached['tasks']> {
  const found = taskFiles(root.dir);
  const fp = fingerprint([root.dir, ...(root.watch ?? [])]);
  const cacheFile = join(cacheDir, `tasks-${createHash('sha1').update(resolve(root.dir)).digest('hex').slice(0, 16)}.json`);
  try {
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8'), fromJson) as Cached;
    if (cached.version === 1 && cached.fingerprint === fp) return cached.tasks;
  } catch { /* no cache yet, or unreadable: rebuild */ }
  const tasks: Cached['tasks'] = [];
  for (const f of found) tasks.push({ ...f, meta: await readMeta(f) });
  writeAtomic(cacheFile, JSON.stringify({ version: 1, fingerprint: fp, tasks } satisfies Cached, toJson));
  return tasks;
}

export function cacheDir(env: Record<string, string | undefined>): string {
  return env.RACKHAND_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'rackhand');
}

/** rackhand's own tasks folder (and lib/, whose shared flag definitions task metadata may use) */
export const BUILTIN_ROOT: TaskRoot = {
  dir: fileURLToPath(new URL('../../tasks/', import.meta.url)),
  origin: 'rackhand',
  watch: [fileURLToPath(new URL('../', import.meta.url))],
};

/** The operator's task folders: rackhand.yaml's top-level `tasks:` (relative to the file), then RACKHAND_TASKS
 *  (a PATH-like list). Only that key is read here; the full config is checked when a task runs. */
export async function operatorRoots(configFile: string, env: Record<string, string | undefined>, cwd: string, cache = cacheDir(env)): Promise<TaskRoot[]> {
  const dirs: string[] = [];
  for (const it of await listedFolders(configFile, cache)) dirs.push(resolve(configFile, '..', it));
  for (const d of (env.RACKHAND_TASKS ?? '').split(':').filter(Boolean)) dirs.push(resolve(cwd, d));
  return [...new Set(dirs)].map((dir) => ({ dir, origin: relative(cwd, dir) || '.' }));
}

/** rackhand.yaml's `tasks:` list, cached by the file's size and mtime (no YAML parser on a warm `list`). */
async function listedFolders(configFile: string, cache: string): Promise<string[]> {
  if (!existsSync(configFile)) return [];
  const st = statSync(configFile);
  const key = `${st.size}:${st.mtimeMs}`;
  const file = join(cache, `config-${createHash('sha1').update(resolve(configFile)).digest('hex').slice(0, 16)}.json`);
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as { key: string; tasks: string[] };
    if (c.key === key) return c.tasks;
  } catch { /* rebuild */ }
  let listed: unknown;
  try {
    listed = ((await import('yaml')).parse(readFileSync(configFile, 'utf8')) as { tasks?: unknown } | null)?.tasks;
  } catch {
    return []; // a broken rackhand.yaml is reported, with its line, by the task that reads it
  }
  if (listed !== undefined && !(Array.isArray(listed) && listed.every((x) => typeof x === 'string'))) throw new TaskFileError(configFile, 'tasks: expected a list of task folders, e.g. [./ops/tasks]');
  const tasks = (listed as string[] | undefined) ?? [];
  writeAtomic(file, JSON.stringify({ key, tasks }));
  return tasks;
}

function writeAtomic(file: string, text: string): void {
  try {
    mkdirSync(resolve(file, '..'), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, file); // atomic: parallel runs never read half a file
  } catch { /* a read-only cache dir only costs speed */ }
}

export async function discoverRegistry(roots: TaskRoot[], cache: string): Promise<Record<string, TaskEntry>> {
  const registry: Record<string, TaskEntry> = {};
  for (const root of roots) {
    if (root !== BUILTIN_ROOT && !existsSync(root.dir)) throw new TaskFileError(root.dir, 'task folder does not exist (rackhand.yaml tasks: or RACKHAND_TASKS)');
    for (const t of await rootTasks(root, cache)) {
      const load = async () => {
        const mod = await importTask(t.file) as { default: { impl: () => never } };
        return { default: mod.default.impl };
      };
      const names: [string, Partial<TaskEntry>][] = [[t.name, {}], ...Object.entries(t.meta.aliases ?? {}).map(([n, a]) => [n, { summary: a.summary ?? `${t.name} ${Object.entries(a.presetFlags).map(([k, v]) => `--${k} ${String(v)}`).join(' ')}`, ...(a.example ? { example: a.example } : {}), presetFlags: a.presetFlags as TaskEntry['presetFlags'] }] as [string, Partial<TaskEntry>])];
      for (const [name, extra] of names) {
        const clash = registry[name];
        if (clash) throw new TaskFileError(t.file, `task ${name} is already defined by ${clash.source} (rename one of them)`);
        registry[name] = {
          summary: t.meta.summary, ...(t.meta.description ? { description: t.meta.description } : {}), example: t.meta.example ?? `npx tsx tasks ${name}`,
          flags: t.meta.flags as FlagDefs, destructive: t.meta.destructive, cluster: t.meta.cluster,
          ...(t.meta.lock !== undefined ? { lock: t.meta.lock } : {}), ...(t.meta.identityFrom ? { identityFrom: t.meta.identityFrom } : {}),
          source: t.file, origin: root.origin, load, ...extra,
        };
      }
    }
  }
  return registry;
}
