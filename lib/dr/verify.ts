// Out-of-cluster verification of one app's backups, straight against its restic repository: it opens (password
// right), the latest snapshot is younger than the RPO, `restic check --read-data-subset n/t` passes (n rotates
// across runs so every pack is read once per t runs), and the latest snapshot restores into a temp folder with
// --verify and matches the snapshot's own listing (file count and bytes) and, when configured, a sentinel's sha256.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskContext } from '../engine/types.ts';
import { formatBytes, formatDuration } from '../patterns.ts';
import { Restic, type Snapshot } from '../tools/restic.ts';
import { ToolError } from '../tools/tool-error.ts';
import { resticFor, type VolsyncApp } from '../volsync/app.ts';

export interface VerifyCheck { name: string; ok: boolean; message: string }
export interface VerifyResult {
  app: string;
  ok: boolean;
  checks: VerifyCheck[];
  latest?: { id: string; time: string; ageSeconds: number };
  restore?: { files: number; bytes: number; durationMs: number };
}
export interface VerifyOptions { rpoMs: number; subsets: number; sentinel?: { path: string; sha256: string } }

async function walk(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) { const s = await walk(p); files += s.files; bytes += s.bytes; } else if (e.isFile()) { files += 1; bytes += (await stat(p)).size; }
  }
  return { files, bytes };
}

/** Which n of n/t this run checks: stored per app under .rackhand/verify/, advanced after every check. */
async function nextSubset(ctx: TaskContext, app: string, t: number): Promise<number> {
  const file = join(ctx.stateDir, 'verify', `${app.replace('/', '_')}.json`);
  const last = await readFile(file, 'utf8').then((s) => (JSON.parse(s) as { subset: number }).subset).catch(() => 0);
  const n = (last % t) + 1;
  await mkdir(join(ctx.stateDir, 'verify'), { recursive: true });
  await writeFile(file, JSON.stringify({ subset: n, of: t, at: new Date().toISOString() }));
  return n;
}

export async function verifyApp(ctx: TaskContext, app: VolsyncApp, o: VerifyOptions): Promise<VerifyResult> {
  const name = `${app.namespace}/${app.name}`;
  const checks: VerifyCheck[] = [];
  const result: VerifyResult = { app: name, ok: false, checks };
  const add = (c: VerifyCheck): boolean => { checks.push(c); return c.ok; };

  let restic: Restic;
  let snapshots: Snapshot[];
  try {
    restic = await resticFor(ctx, app);
    snapshots = await restic.snapshots({ host: 'volsync' });
  } catch (err) {
    const kind = err instanceof ToolError ? err.kind : 'Other';
    const why = kind === 'Auth' ? 'wrong password or no key found' : kind === 'NotFound' ? 'no repository at RESTIC_REPOSITORY' : kind === 'Locked' ? 'repository locked' : (err as Error).message;
    add({ name: 'repository opens', ok: false, message: `${name}: ${why}` });
    return result;
  }
  add({ name: 'repository opens', ok: true, message: `${snapshots.length} snapshot(s)` });
  const latest = [...snapshots].sort((a, b) => Date.parse(b.time) - Date.parse(a.time))[0];
  if (!latest) {
    add({ name: 'latest snapshot within RPO', ok: false, message: `${name}: the repository has no snapshot at all` });
    return result;
  }
  const ageMs = Date.now() - Date.parse(latest.time);
  result.latest = { id: latest.id, time: latest.time, ageSeconds: Math.round(ageMs / 1000) };
  add({ name: 'latest snapshot within RPO', ok: ageMs <= o.rpoMs, message: `latest ${latest.short_id} is ${formatDuration(Math.round(ageMs / 1000) * 1000)} old (RPO ${formatDuration(o.rpoMs)})` });

  // Side by side: `check` takes an exclusive lock (restic < 0.17), so the test restore and the snapshot's listing run
  // with --no-lock (read-only; restic's documented use of the flag). Neither writes to the repository, so they cannot
  // disturb the check; a concurrent prune by a mover could only make them FAIL (a false alarm), never pass.
  const listing = restic.contents(latest.id);
  listing.catch(() => undefined);
  const n = await nextSubset(ctx, name, o.subsets);
  const [check, restored] = await Promise.all([restic.check(`${n}/${o.subsets}`), testRestore(restic, latest, listing, o)]);
  add({ name: `restic check --read-data-subset ${n}/${o.subsets}`, ok: check.exitCode === 0, message: check.exitCode === 0 ? 'no errors' : checkFailure(check.stderr || check.stdout) });
  for (const c of restored.checks) add(c);
  if (restored.restore) result.restore = restored.restore;
  return finish(result);
}

async function testRestore(restic: Restic, latest: Snapshot, listing: Promise<{ files: number; bytes: number }>, o: VerifyOptions): Promise<{ checks: VerifyCheck[]; restore?: VerifyResult['restore'] }> {
  const checks: VerifyCheck[] = [];
  // Room for the whole snapshot (plus a margin) where the test restore goes, or refuse rather than fill the disk.
  const need = (latest.summary?.total_bytes_processed ?? (await listing.catch(() => ({ bytes: 0 }))).bytes) * 1.1 + 64 * 1024 * 1024;
  const fs = await statfs(tmpdir());
  const free = fs.bavail * fs.bsize;
  if (free < need) {
    checks.push({ name: 'test restore with --verify', ok: false, message: `not enough free space in ${tmpdir()} for a test restore: ${formatBytes(free)} free, ${formatBytes(need)} needed (set TMPDIR to a larger disk)` });
    return { checks };
  }
  const dir = await mkdtemp(join(tmpdir(), 'rackhand-verify-'));
  try {
    const started = performance.now();
    try {
      await restic.restoreTo(latest.id, dir);
    } catch (err) {
      checks.push({ name: 'test restore with --verify', ok: false, message: (err as Error).message.split('\n').slice(-2).join(' | ') });
      return { checks };
    }
    const [got, want] = await Promise.all([walk(dir), listing]);
    const restore = { ...got, durationMs: Math.round(performance.now() - started) };
    checks.push({ name: 'test restore with --verify', ok: true, message: `${got.files} files, ${formatBytes(got.bytes)} in ${formatDuration(restore.durationMs)}` });
    checks.push({ name: 'restored content matches the snapshot', ok: got.files === want.files && got.bytes === want.bytes, message: `restored ${got.files} files / ${got.bytes} bytes; snapshot lists ${want.files} / ${want.bytes}` });
    if (o.sentinel) {
      const hash = await readFile(join(dir, o.sentinel.path)).then((b) => createHash('sha256').update(b).digest('hex')).catch(() => 'missing');
      checks.push({ name: `sentinel ${o.sentinel.path}`, ok: hash === o.sentinel.sha256, message: hash === o.sentinel.sha256 ? 'sha256 matches' : `sha256 ${hash}, expected ${o.sentinel.sha256}` });
    }
    return { checks, restore };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The line that says why `restic check` failed (a lock, a damaged pack, ...), then the last one. */
function checkFailure(text: string): string {
  const lines = text.trim().split('\n');
  // restic internal/restic/lock.go: "repository is already locked exclusively by PID ..." / "unable to create lock ..."
  const why = lines.find((l) => /already locked|unable to create lock|Fatal|error/i.test(l));
  return [...new Set([why, lines.at(-1)].filter((l): l is string => Boolean(l)))].join(' | ');
}

function finish(r: VerifyResult): VerifyResult {
  r.ok = r.checks.every((c) => c.ok);
  return r;
}
