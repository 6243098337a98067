// Which pods have a PostgreSQL, and what psql, pg_dump and pg_restore do when `kubectl exec` runs them there. A CNPG
// instance pod (label cnpg.io/cluster) reaches its Cluster's databases; any other pod with a postgres image (the
// official image, a throwaway drill database) reaches databases of its own, made the first time it is asked
// (`postgres` and $POSTGRES_DB, as the image's entrypoint does: docker-library/postgres docker-entrypoint.sh). Each
// is a database of the lab's one server under a prefix (lab/postgres/server.ts), so the SQL is real. The client
// always connects as the superuser: -h, -p and -U are the pod's own business. File arguments (-f, a dump) are mapped
// to the pod's volumes. One shell pipeline is understood: `sh -c 'gunzip -c "$1" | psql ... -d "$2"' sh FILE DB`,
// the way a plain-format dump is loaded.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { KObject } from '../store/types.js';
import { toHost, type Mount } from '../controllers/host-exec.js';
import type { LabPostgres, SqlResult } from './server.js';

const short = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 10);

/** the prefix of a CNPG Cluster's databases */
export const clusterPrefix = (namespace: string, name: string) => `c${short(`${namespace}/${name}`)}_`;
/** the prefix of a postgres pod's databases */
export const podPrefix = (uid: string) => `p${short(uid)}_`;

const isPostgresImage = (image: string | undefined) => /(^|\/)postgres(ql)?(:|@|$)/.test(image ?? '') || /cloudnative-pg\/postgresql/.test(image ?? '');

/** the prefix of the pod's databases, or undefined when it has no PostgreSQL */
export function databasePrefix(pod: KObject, container: any): string | undefined {
  const cluster = pod.metadata.labels?.['cnpg.io/cluster'];
  if (cluster) return clusterPrefix(pod.metadata.namespace!, cluster);
  return isPostgresImage(container?.image) ? podPrefix(pod.metadata.uid!) : undefined;
}

const CONNECTION = new Set(['-h', '--host', '-p', '--port', '-U', '--username']);
const PIPE_SCRIPT = /^gunzip -c "\$1" \| psql((?: -[A-Za-z]+(?: [A-Za-z0-9_=]+)?)*) -d "\$2"$/;

export class DatabasePods {
  private readonly made = new Set<string>();
  constructor(private readonly pg: LabPostgres) {}

  /** psql / pg_dump / pg_restore (or the gunzip pipeline) in a database pod; undefined: not a database command here */
  async exec(pod: KObject, container: any, argv: string[], mounts: Mount[], rootfs: string, env: Record<string, string>, signal: AbortSignal): Promise<SqlResult | undefined> {
    const prefix = databasePrefix(pod, container);
    const program = (argv[0] ?? '').split('/').pop();
    if (!prefix) return undefined;
    if (program === 'sh' && argv[1] === '-c' && PIPE_SCRIPT.test(argv[2] ?? '') && argv.length === 6) return this.gunzipPipe(prefix, pod, env, argv, mounts, rootfs, signal);
    if (program !== 'psql' && program !== 'pg_dump' && program !== 'pg_restore') return undefined;
    await this.pg.start();
    const pgArgs: string[] = [];
    let db: string | undefined;
    const rest = argv.slice(1);
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i]!;
      if (CONNECTION.has(a)) { i++; continue; }
      if (/^--(host|port|username)=/.test(a) || /^-[hpU]./.test(a)) continue;
      if (a === '-d' || a === '--dbname') { db = rest[++i]; continue; }
      if (a.startsWith('--dbname=')) { db = a.slice(9); continue; }
      if (a === '-f' || a === '--file') { pgArgs.push(a, toHost(rest[++i] ?? '', mounts, rootfs)); continue; }
      if (!a.startsWith('-') && program === 'pg_restore') { pgArgs.push(toHost(a, mounts, rootfs)); continue; }
      if (!a.startsWith('-') && !db && program !== 'pg_restore') { db = a; continue; }
      pgArgs.push(a);
    }
    // pg_restore --list, or into a script file (-f), reads the archive without a server
    const offline = program === 'pg_restore' && (pgArgs.includes('-l') || pgArgs.includes('--list') || pgArgs.includes('-f') || pgArgs.includes('--file'));
    if (!offline) {
      const name = db ?? env.PGDATABASE ?? 'postgres';
      await this.ensure(prefix, pod, env);
      pgArgs.push('-d', prefix + name);
    }
    const r = await this.pg.run(program, pgArgs, { signal });
    // the server's database names are the pod's own again in what it printed
    return { exitCode: r.exitCode, output: r.output.split(prefix).join('') };
  }

  /** `gunzip -c FILE | psql ... -d DB`: the file decompressed here, then fed to psql -f */
  private async gunzipPipe(prefix: string, pod: KObject, env: Record<string, string>, argv: string[], mounts: Mount[], rootfs: string, signal: AbortSignal): Promise<SqlResult> {
    const flags = (PIPE_SCRIPT.exec(argv[2]!)![1] ?? '').trim().split(/\s+/).filter(Boolean).filter((f, i, all) => !CONNECTION.has(f) && !CONNECTION.has(all[i - 1] ?? ''));
    const [file, db] = [argv[4]!, argv[5]!];
    const tmp = await mkdtemp(join(tmpdir(), 'rackhand-gunzip-'));
    try {
      try {
        await pipeline(createReadStream(toHost(file, mounts, rootfs)), createGunzip(), createWriteStream(join(tmp, 'dump.sql')));
      } catch (err) {
        // gzip's own words (gzip.c: "unexpected end of file", "not in gzip format")
        const code = (err as NodeJS.ErrnoException).code;
        return { exitCode: 1, output: code === 'ENOENT' ? `gunzip: ${file}: No such file or directory\n` : `gunzip: ${file}: ${code === 'Z_BUF_ERROR' ? 'unexpected end of file' : 'not in gzip format'}\n` };
      }
      await this.pg.start();
      await this.ensure(prefix, pod, env);
      const r = await this.pg.run('psql', [...flags, '-d', prefix + db, '-f', join(tmp, 'dump.sql')], { signal });
      return { exitCode: r.exitCode, output: r.output.split(prefix).join('').split(join(tmp, 'dump.sql')).join('<stdin>') };
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** a postgres pod's databases exist the first time they are asked for; a CNPG Cluster's are made by its controller */
  private async ensure(prefix: string, pod: KObject, env: Record<string, string>): Promise<void> {
    if (pod.metadata.labels?.['cnpg.io/cluster']) return;
    for (const db of new Set(['postgres', env.POSTGRES_DB ?? 'postgres'])) {
      if (this.made.has(prefix + db)) continue;
      await this.pg.create(prefix + db).catch((err: Error) => { if (!/already exists/.test(err.message)) throw err; });
      this.made.add(prefix + db);
    }
  }

  /** a Controller's reconcile: the databases of postgres pods that no longer exist are dropped */
  collect(pods: KObject[]): void {
    const live = new Set(pods.map((p) => podPrefix(p.metadata.uid!)));
    for (const db of [...this.made]) {
      if (live.has(db.slice(0, db.indexOf('_') + 1))) continue;
      this.made.delete(db);
      void this.pg.drop(db).catch(() => undefined);
    }
  }
}
