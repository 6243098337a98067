// The lab's one real PostgreSQL: Debian's postgresql package (scripts/system-packages.sh installs it), initdb'd into a
// temp folder and started on a loopback port the first time a database is needed. Every lab "database" (a CNPG
// Cluster's databases, a throwaway postgres Pod's) is a database of this one server under a prefixed name, so SQL,
// pg_dump and pg_restore are the real programs. As root it runs as the `postgres` (else `nobody`) user: postgres
// refuses to run as root (src/backend/main/main.c "root" execution of the PostgreSQL server is not permitted).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface SqlResult { exitCode: number; output: string }

/** The folder holding initdb and postgres: on PATH, else Debian's /usr/lib/postgresql/<major>/bin (newest major). */
export function findPostgres(): string | undefined {
  // a PATH entry may hold symlinks to the server programs only (no pg_dump beside them): their real folder has all
  for (const d of (process.env.PATH ?? '').split(':')) if (d && existsSync(join(d, 'initdb')) && existsSync(join(d, 'postgres'))) return dirname(realpathSync(join(d, 'postgres')));
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  return majors.map((m) => join(root, m, 'bin')).find((d) => existsSync(join(d, 'initdb')));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** the uid/gid to run the server as when we are root */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  return r.status === 0 && g.status === 0 ? { uid: Number(r.stdout), gid: Number(g.stdout) } : { uid: 65534, gid: 65534 };
}

export class LabPostgres {
  private starting?: Promise<void>;
  private child?: ReturnType<typeof spawn>;
  private dir?: string;
  port = 0;
  readonly bin = findPostgres();

  get available(): boolean { return this.bin !== undefined; }

  /** starts the server once; later calls wait for the same start */
  start(): Promise<void> {
    return (this.starting ??= this.boot());
  }

  private async boot(): Promise<void> {
    if (!this.bin) throw new Error('the lab has no PostgreSQL: install Debian\'s postgresql package (scripts/system-packages.sh does)');
    const user = serverUser();
    this.dir = await mkdtemp(join(tmpdir(), 'rackhand-pg-'));
    if (user) await chown(this.dir, user.uid, user.gid);
    const data = join(this.dir, 'data');
    const as = user ? { uid: user.uid, gid: user.gid } : {};
    const init = spawnSync(join(this.bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-N', '-E', 'UTF8', '--locale=C'], { ...as, encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
    this.port = await freePort();
    // speed over durability: the lab's data lives for one run (postgresql.org/docs/current/non-durability.html)
    this.child = spawn(join(this.bin, 'postgres'), ['-D', data, '-p', String(this.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=',
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'], { ...as, stdio: 'ignore', detached: false });
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`postgres exited ${this.child.exitCode} at start`);
      if ((await this.run('psql', ['-d', 'postgres', '-Atc', 'select 1'])).exitCode === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('postgres did not accept connections within 20s');
  }

  /** a client program of the server's own version (psql, pg_dump, pg_restore) against this server, as postgres */
  run(program: 'psql' | 'pg_dump' | 'pg_restore', args: string[], opts: { cwd?: string; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<SqlResult> {
    return new Promise((resolve) => {
      const child = spawn(join(this.bin!, program), ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres', ...args], {
        cwd: opts.cwd ?? tmpdir(), env: { PATH: process.env.PATH ?? '', PGCONNECT_TIMEOUT: '5' }, stdio: ['ignore', 'pipe', 'pipe'],
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      const chunks: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => chunks.push(b));
      child.stderr.on('data', (b: Buffer) => chunks.push(b));
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
      child.on('error', (err) => { clearTimeout(timer); resolve({ exitCode: 127, output: `${err.message}\n` }); });
      child.on('close', (code) => { clearTimeout(timer); resolve({ exitCode: code ?? 137, output: Buffer.concat(chunks).toString('utf8') }); });
    });
  }

  /** one statement in a database, tuples only, unaligned */
  async sql(db: string, sql: string): Promise<string> {
    await this.start();
    const r = await this.run('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-d', db, '-At', '-c', sql]);
    if (r.exitCode !== 0) throw new Error(`psql on ${db}: ${r.output.trim()}`);
    return r.output.trim();
  }

  async databases(prefix = ''): Promise<string[]> {
    if (!this.starting) return [];
    const all = (await this.sql('postgres', 'select datname from pg_database where not datistemplate order by 1')).split('\n').filter(Boolean);
    return all.filter((d) => d !== 'postgres' && d.startsWith(prefix));
  }

  async create(db: string): Promise<void> { await this.sql('postgres', `create database ${ident(db)}`); }

  async drop(db: string): Promise<void> { await this.sql('postgres', `drop database if exists ${ident(db)} with (force)`); }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT'); // fast shutdown
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

/** a quoted SQL identifier */
export const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
