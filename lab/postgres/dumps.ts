// pg_dump backups as a home-lab CronJob leaves them on a volume or an NFS export (one file a day, the oldest removed):
// real pg_dump output of a seeded database, custom format (-Fc) or plain SQL gzipped, with the file times a daily
// schedule gives them. The faults damage them the way backups go bad: a dump cut short (the job killed mid-write,
// the disk full), and dumps that stopped coming (the newest is old).
import { mkdir, readdir, readFile, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { LabPostgres } from './server.js';

export interface DumpSeries {
  /** SQL that makes the database dumped (tables and rows) */
  seed: string[];
  /** how many files (retention) */
  count: number;
  format: 'custom' | 'plain-gz';
  /** file name prefix: <prefix>-<YYYYMMDD>-<HHMMSS>.dump|.sql.gz */
  prefix: string;
  /** age of the newest file in ms (default 1 hour) and the time between files (default a day) */
  newestAgeMs?: number;
  everyMs?: number;
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

/** Writes the series into `folder`; returns the file names, oldest first. */
export async function writeDumps(pg: LabPostgres, folder: string, s: DumpSeries): Promise<string[]> {
  await pg.start();
  const db = `dumpseed_${Math.random().toString(36).slice(2, 10)}`;
  await pg.create(db);
  try {
    for (const sql of s.seed) await pg.sql(db, sql);
    await mkdir(folder, { recursive: true });
    const tmp = join(folder, `.${db}`);
    const r = await pg.run('pg_dump', s.format === 'custom' ? ['-Fc', '--no-owner', '-f', tmp, db] : ['--no-owner', '-f', tmp, db]);
    if (r.exitCode !== 0) throw new Error(`pg_dump: ${r.output}`);
    const body = s.format === 'custom' ? await readFile(tmp) : gzipSync(await readFile(tmp));
    const names: string[] = [];
    const newest = Date.now() - (s.newestAgeMs ?? 3_600_000);
    for (let i = s.count - 1; i >= 0; i--) {
      const at = newest - i * (s.everyMs ?? 86_400_000);
      const name = `${s.prefix}-${stamp(at)}.${s.format === 'custom' ? 'dump' : 'sql.gz'}`;
      await writeFile(join(folder, name), body);
      await utimes(join(folder, name), at / 1000, at / 1000);
      names.push(name);
    }
    await rm(tmp, { force: true });
    return names;
  } finally {
    await pg.drop(db);
  }
}

/** the file cut to half its size, its time kept (a dump killed mid-write) */
export async function corruptDump(file: string): Promise<void> {
  const st = await stat(file);
  await truncate(file, Math.floor(st.size / 2));
  await utimes(file, st.atime, st.mtime);
}

/** every file in the folder made `ms` older (the dumps stopped coming) */
export async function ageDumps(folder: string, ms: number): Promise<void> {
  for (const f of await readdir(folder)) {
    const st = await stat(join(folder, f));
    if (!st.isFile()) continue;
    const t = (st.mtimeMs - ms) / 1000;
    await utimes(join(folder, f), t, t);
  }
}
