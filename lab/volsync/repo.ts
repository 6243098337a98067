// Restic repositories as local folders. `restic init` costs seconds (it calibrates its key derivation), so one empty
// repository per restic version is initialised once per machine (cached under the OS temp dir, built in a temp folder
// and renamed into place so concurrent labs never see half of it) and copied for each app; snapshots are always
// taken fresh by the real restic. The stale-lock fault leaves a lock restic itself honours: `restic key passwd` takes
// an EXCLUSIVE lock and then waits for the new password on stdin; SIGKILLed there, its lock stays behind, `restic
// backup` fails with "repository is already locked exclusively", and plain `restic unlock` removes it (same host,
// dead PID => stale).
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResticRunner } from './restic.js';

export interface RepoCredentials {
  RESTIC_REPOSITORY: string;
  RESTIC_PASSWORD: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function resticVersion(restic: ResticRunner): Promise<string> {
  const r = await restic.run(['version'], { env: {}, timeoutMs: 10_000 });
  const m = /restic (\d+\.\d+\.\d+)/.exec(r.stdout);
  if (r.exitCode !== 0 || !m) throw new Error(`restic version failed (${r.exitCode}): ${r.stderr || r.stdout}`);
  return m[1]!;
}

/** The cached empty repository for this restic version: {repo, password}. */
export async function templateRepo(restic: ResticRunner): Promise<{ repo: string; password: string }> {
  const root = join(tmpdir(), 'rackhand-lab-cache');
  const final = join(root, `restic-${await resticVersion(restic)}-empty`);
  try {
    return { repo: join(final, 'repo'), password: (await readFile(join(final, 'password'), 'utf8')).trim() };
  } catch { /* not built yet */ }
  await mkdir(root, { recursive: true });
  const work = await mkdtemp(join(root, 'build-'));
  const password = randomBytes(24).toString('base64url');
  const r = await restic.run(['init'], { env: { RESTIC_REPOSITORY: join(work, 'repo'), RESTIC_PASSWORD: password, RESTIC_CACHE_DIR: join(work, 'cache') }, timeoutMs: 60_000 });
  if (r.exitCode !== 0) throw new Error(`restic init failed (${r.exitCode}): ${r.stderr}`);
  await rm(join(work, 'cache'), { recursive: true, force: true });
  await writeFile(join(work, 'password'), `${password}\n`, { mode: 0o600 });
  try {
    await rename(work, final);
  } catch {
    await rm(work, { recursive: true, force: true }); // another lab won the race
  }
  return { repo: join(final, 'repo'), password: (await readFile(join(final, 'password'), 'utf8')).trim() };
}

/** A fresh initialised repository at `path` (a copy of the template); returns its credentials. */
export async function initRepo(restic: ResticRunner, path: string): Promise<RepoCredentials> {
  const t = await templateRepo(restic);
  await rm(path, { recursive: true, force: true });
  await cp(t.repo, path, { recursive: true });
  return { RESTIC_REPOSITORY: path, RESTIC_PASSWORD: t.password };
}

/** Leaves a real stale exclusive lock in the repository (see the header). */
export async function leaveStaleLock(restic: ResticRunner, creds: RepoCredentials, cacheDir: string): Promise<void> {
  const locks = join(creds.RESTIC_REPOSITORY, 'locks');
  const before = new Set(await readdir(locks).catch(() => [] as string[]));
  const p = restic.spawn(['key', 'passwd'], { env: { ...creds, RESTIC_CACHE_DIR: cacheDir }, timeoutMs: 30_000 });
  const deadline = Date.now() + 20_000;
  let done: Awaited<typeof p.done> | undefined;
  void p.done.then((r) => { done = r; });
  for (;;) {
    const now = await readdir(locks).catch(() => [] as string[]);
    // the local backend creates the file under its final name and then writes it: wait for the content. A mover
    // working on the same repository makes short-lived locks of its own: only the one whose pid is ours counts.
    let mine = false;
    for (const fresh of now.filter((f) => !before.has(f))) {
      if (!(await stat(join(locks, fresh)).catch(() => undefined))?.size) continue;
      const c = await restic.run(['cat', 'lock', fresh, '--no-lock'], { env: { ...creds, RESTIC_CACHE_DIR: cacheDir }, timeoutMs: 10_000 });
      if (c.exitCode === 0 && (JSON.parse(c.stdout) as { pid?: number }).pid === p.pid) { mine = true; break; }
      before.add(fresh);
    }
    if (mine) {
      await sleep(250); // give restic a moment to reach the password prompt
      break;
    }
    if (done) throw new Error(`could not lock ${creds.RESTIC_REPOSITORY}: restic key passwd exited ${done.exitCode}: ${done.stderr}`);
    if (Date.now() > deadline) throw new Error(`no lock appeared in ${locks} within 20s`);
    await sleep(10);
  }
  if (p.pid) process.kill(p.pid, 'SIGKILL');
  await p.done;
}
