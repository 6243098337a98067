// The restic mover, step for step as VolSync's mover-restic/entry.sh runs it (backup: check_contents,
// ensure_initialized, backup, forget; restore: ensure_initialized, snapshot selection, restore; unlock first when
// asked), with the REAL restic. Returns every output line; the controllers keep the lines VolSync keeps.
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { repoMissing, type ResticResult, type ResticRunner } from './restic.js';
import { selectSnapshot, type Snapshot } from './select.js';

export interface MoverEnv {
  restic: ResticRunner;
  /** the repository Secret's keys, 1:1, plus RESTIC_CACHE_DIR */
  env: Record<string, string>;
  /** the PVC folder (the mover's /data) */
  dataDir: string;
  /** scratch space inside the lab dir */
  tmpDir: string;
  /** a lab fault: fail mid-way (after part of the work) */
  failMidway?: boolean;
  /** the mover's pod is killed (its owner was deleted): restic is killed, no more files are written */
  signal?: AbortSignal;
}

export interface MoverResult {
  ok: boolean;
  lines: string[];
  snapshot?: string;
}

class MoverExit extends Error {
  constructor(readonly code: number) { super(`mover exited ${code}`); }
}

const HOST = 'volsync';

function runner(m: MoverEnv, lines: string[]) {
  const started = Date.now();
  const out = (r: ResticResult) => {
    for (const l of `${r.stdout}\n${r.stderr}`.split('\n')) if (l.trim()) lines.push(l.replace(/\r/g, ''));
  };
  const restic = async (argv: string[], opts: { cwd?: string; quiet?: boolean } = {}) => {
    const r = await m.restic.run(argv, { env: m.env, ...(opts.cwd ? { cwd: opts.cwd } : {}), timeoutMs: 300_000, ...(m.signal ? { signal: m.signal } : {}) });
    if (!opts.quiet) out(r);
    return r;
  };
  const error = (code: number, message: string): never => {
    lines.push(`ERROR: ${message}`);
    throw new MoverExit(code);
  };
  const must = async (argv: string[], opts: { cwd?: string } = {}) => {
    const r = await restic(argv, opts);
    if (r.exitCode !== 0) throw new MoverExit(r.exitCode); // set -e
    return r;
  };
  const ensureInitialized = async () => {
    lines.push('=== Check for dir initialized ===');
    const r = await restic(['cat', 'config'], { quiet: true });
    if (r.exitCode === 0) return void lines.push('dir is initialized');
    if (repoMissing(r)) {
      lines.push('=== Initialize Dir ===');
      await must(['init']);
      return;
    }
    out({ ...r, stdout: '' });
    if (r.exitCode === 11) error(3, 'failure locking repository');
    if (r.exitCode === 12) error(3, 'failure connecting to repository, incorrect password');
    error(3, 'failure checking existence of repository');
  };
  const finish = () => {
    lines.push(`Restic completed in ${Math.round((Date.now() - started) / 1000)}s`, '=== Done ===');
  };
  return { restic, must, error, ensureInitialized, finish, out };
}

async function wrap(lines: string[], body: () => Promise<Partial<MoverResult> | void>): Promise<MoverResult> {
  lines.push('Starting container', 'VolSync restic container version: lab');
  try {
    const r = await body();
    return { ok: true, lines, ...(r ?? {}) };
  } catch (err) {
    if (err instanceof MoverExit) return { ok: false, lines };
    lines.push(`ERROR: ${err instanceof Error ? err.message : String(err)}`);
    return { ok: false, lines };
  }
}

export interface BackupOptions {
  unlock: boolean;
  forget: string[];
  prune: boolean;
}

export async function moverBackup(m: MoverEnv, o: BackupOptions): Promise<MoverResult> {
  const lines: string[] = [];
  return wrap(lines, async () => {
    const r = runner(m, lines);
    lines.push([...(o.unlock ? ['unlock'] : []), 'backup', ...(o.prune ? ['prune'] : [])].join(' '));
    if (o.unlock) {
      lines.push('=== Starting unlock ===');
      const u = await r.restic(['unlock']);
      if (u.exitCode !== 0) {
        if (repoMissing(u)) lines.push('No repo, ignoring unlock error');
        else r.error(3, 'failure unlocking repository');
      }
    }
    lines.push('== Checking directory for content ===');
    const entries = (await readdir(m.dataDir)).filter((e) => e !== 'lost+found');
    if (!entries.length) {
      lines.push('== Directory is empty skipping backup ===');
      return;
    }
    await r.ensureInitialized();
    lines.push('=== Starting backup ===');
    if (m.failMidway) {
      lines.push('Fatal: unable to save snapshot: ciphertext verification failed: lab fault (mover interrupted)');
      throw new MoverExit(1);
    }
    const b = await r.must(['backup', '--host', HOST, '--exclude=lost+found', '.'], { cwd: m.dataDir });
    const snapshot = /snapshot ([0-9a-f]+) saved/.exec(b.stdout)?.[1];
    lines.push('=== Starting forget ===');
    await r.must(['forget', '--host', HOST, ...o.forget]);
    if (o.prune) {
      lines.push('=== Starting prune ===');
      await r.must(['prune']);
    }
    r.finish();
    return snapshot ? { snapshot } : {};
  });
}

export interface RestoreOptions {
  previous?: number;
  restoreAsOf?: string;
  enableFileDeletion: boolean;
}

export async function moverRestore(m: MoverEnv, o: RestoreOptions): Promise<MoverResult> {
  const lines: string[] = [];
  return wrap(lines, async () => {
    const r = runner(m, lines);
    lines.push('restore');
    await r.ensureInitialized();
    lines.push('=== Starting restore ===');
    const s = await r.restic(['snapshots', '--json'], { quiet: true });
    if (s.exitCode !== 0) {
      r.out({ ...s, stdout: '' });
      r.error(3, 'failure getting list of snapshots from repository');
    }
    const chosen = selectSnapshot(JSON.parse(s.stdout || '[]') as Snapshot[], { host: HOST, ...o });
    if (!chosen) {
      lines.push('No eligible snapshots found', '=== No data will be restored ===');
      r.finish();
      return;
    }
    if (o.enableFileDeletion) lines.push('RESTORE_OPTIONS: --delete');
    lines.push(`Selected restic snapshot with id: ${chosen.id}`);
    const target = await mkdtemp(join(m.tmpDir, 'restore-'));
    try {
      await r.must(['restore', chosen.id, '--target', target, '--host', HOST]);
      await apply(target, m.dataDir, o.enableFileDeletion, m.failMidway ? 0.5 : 1, m.signal);
      if (m.failMidway) {
        lines.push('ERROR: failed to restore file: write /data: input/output error (lab fault: mover interrupted)', 'Fatal: There were 1 errors');
        throw new MoverExit(1);
      }
    } finally {
      await rm(target, { recursive: true, force: true });
    }
    r.finish();
    return { snapshot: chosen.short_id ?? chosen.id.slice(0, 8) };
  });
}

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(relative(dir, join(e.parentPath, e.name)));
  }
  return out.sort();
}

/** Puts the restored tree into the PVC folder: mirror with --delete, overlay without; `fraction` < 1 stops part-way. */
async function apply(from: string, to: string, mirror: boolean, fraction: number, signal?: AbortSignal): Promise<void> {
  const stop = () => { if (signal?.aborted) throw new MoverExit(143); };
  stop();
  if (mirror) for (const e of await readdir(to)) { stop(); await rm(join(to, e), { recursive: true, force: true }); }
  stop();
  if (fraction >= 1) return cp(from, to, { recursive: true, force: true });
  const all = await files(from);
  for (const f of all.slice(0, Math.floor(all.length * fraction))) { stop(); await cp(join(from, f), join(to, f), { force: true }); }
}
