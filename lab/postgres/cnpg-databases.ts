// The real data behind the lab's CloudNativePG Clusters (lab/controllers/cnpg.ts): databases made at bootstrap
// (initdb: `postgres` and spec.bootstrap.initdb.database, default `app`, with postInitSQL / postInitApplicationSQL
// run; cnpg api/v1 cluster_types.go BootstrapInitDB), base backups and WAL segments dumped into the lab's object
// store, and the recovery bootstrap (spec.bootstrap.recovery.source naming an externalClusters entry, optional
// recoveryTarget.targetTime) restoring the newest base backup at or before the target and replaying the newest
// segment up to it. Errors keep CNPG's words where it has them ("no target backup found").
import { join } from 'node:path';
import type { KObject } from '../store/types.js';
import type { LabObjectStore, StoredSet } from './object-store.js';
import { clusterPrefix } from './pods.js';
import type { LabPostgres } from './server.js';

export const BARMAN_PLUGIN = 'barman-cloud.cloudnative-pg.io';
const OBJECT_STORES = 'objectstores.barmancloud.cnpg.io';

export interface StoreRef { destination: string; server: string }

/** where a Cluster archives (its backup section or barman-cloud plugin), or where an externalClusters entry reads */
export function storeOf(obj: { name?: string; barmanObjectStore?: any; plugin?: any; plugins?: any[]; backup?: any }, namespace: string, own: string,
  objectStore: (ns: string, name: string) => KObject | undefined): StoreRef | undefined {
  const bos = obj.barmanObjectStore ?? obj.backup?.barmanObjectStore;
  if (bos?.destinationPath) return { destination: bos.destinationPath, server: bos.serverName ?? own };
  const plugin = obj.plugin ?? (obj.plugins ?? []).find((p: any) => p.name === BARMAN_PLUGIN && p.isWALArchiver !== false);
  const params = plugin?.parameters ?? {};
  if (!plugin || plugin.name !== BARMAN_PLUGIN || !params.barmanObjectName) return undefined;
  const os = objectStore(namespace, params.barmanObjectName);
  return { destination: os?.spec?.configuration?.destinationPath ?? `plugin/${namespace}/${params.barmanObjectName}`, server: params.serverName ?? own };
}

export class CnpgDatabases {
  /** extra real time a recovery takes (the slowRestore fault), per namespace/name of the recovering Cluster */
  readonly slow = new Map<string, number>();
  private readonly counters = new Map<string, string>();

  constructor(readonly pg: LabPostgres, readonly objects: LabObjectStore, private readonly find: (resource: string, ns: string, name: string) => KObject | undefined) {}

  private prefix(c: KObject) { return clusterPrefix(c.metadata.namespace!, c.metadata.name!); }

  async databases(c: KObject): Promise<string[]> {
    const p = this.prefix(c);
    return (await this.pg.databases(p)).map((d) => d.slice(p.length));
  }

  /** initdb bootstrap: the databases and the post-init SQL */
  async init(c: KObject): Promise<void> {
    const p = this.prefix(c);
    const initdb = c.spec?.bootstrap?.initdb ?? {};
    const app = initdb.database ?? 'app';
    for (const db of ['postgres', app]) {
      if (!(await this.pg.databases(p + db)).includes(p + db)) await this.pg.create(p + db);
    }
    for (const sql of initdb.postInitSQL ?? []) await this.pg.sql(p + 'postgres', sql);
    for (const sql of initdb.postInitApplicationSQL ?? []) await this.pg.sql(p + app, sql);
  }

  /** recovery bootstrap; resolves to the recovery point (ms) it reached */
  async recover(c: KObject): Promise<number> {
    const r = c.spec.bootstrap.recovery;
    const ext = (c.spec?.externalClusters ?? []).find((e: any) => e.name === r.source);
    if (!ext) throw new Error(`cannot find the external cluster "${r.source}" in spec.externalClusters`);
    const ref = storeOf(ext, c.metadata.namespace!, ext.name, (ns, n) => this.find(OBJECT_STORES, ns, n));
    if (!ref) throw new Error(`external cluster "${ext.name}" has no barmanObjectStore nor barman-cloud plugin to recover from`);
    const target = r.recoveryTarget?.targetTime ? Date.parse(String(r.recoveryTarget.targetTime).replace(' ', 'T')) : Infinity;
    if (Number.isNaN(target)) throw new Error(`recoveryTarget.targetTime: cannot parse "${r.recoveryTarget.targetTime}"`);
    const bases = (await this.objects.list(ref.destination, ref.server, 'base')).filter((b) => b.endTime <= target);
    const base = bases[bases.length - 1];
    // cnpg pkg/management/barman: a recovery with no backup before the target
    if (!base) throw new Error(`no target backup found in ${ref.destination} for server ${ref.server}`);
    const segments = (await this.objects.list(ref.destination, ref.server, 'wals')).filter((w) => w.endTime > base.endTime && w.endTime <= target);
    const from: StoredSet = segments[segments.length - 1] ?? base;
    const p = this.prefix(c);
    for (const db of from.databases) {
      await this.pg.drop(p + db);
      await this.pg.create(p + db);
      const out = await this.pg.run('pg_restore', ['--no-owner', '--exit-on-error', '-d', p + db, join(from.dir, `${db}.dump`)]);
      if (out.exitCode !== 0) throw new Error(`pg_restore of ${db} failed: ${out.output.trim()}`);
    }
    const extra = this.slow.get(`${c.metadata.namespace}/${c.metadata.name}`) ?? 0;
    if (extra) await new Promise((res) => setTimeout(res, extra));
    return from.endTime;
  }

  /** a base backup (or a WAL segment) of every database of the Cluster into its object store */
  async dump(c: KObject, ref: StoreRef, kind: 'base' | 'wals', id: string, at: number): Promise<void> {
    const dbs = await this.databases(c);
    const dir = await this.objects.begin(ref.destination, ref.server, kind, id, `${c.metadata.namespace}/${c.metadata.name}`);
    for (const db of dbs) {
      const out = await this.pg.run('pg_dump', ['-Fc', '-f', join(dir, `${db}.dump`), this.prefix(c) + db]);
      if (out.exitCode !== 0) throw new Error(`pg_dump of ${db} failed: ${out.output.trim()}`);
    }
    await this.objects.finish(dir, at, dbs);
  }

  /** the Clusters whose data changed since they were last archived (inserted + updated + deleted rows, pg_stat_database) */
  async changed(clusters: KObject[]): Promise<KObject[]> {
    const rows = (await this.pg.sql('postgres', 'select datname, tup_inserted + tup_updated + tup_deleted from pg_stat_database where datname is not null')).split('\n');
    const byDb = new Map(rows.map((l) => l.split('|') as [string, string]));
    return clusters.filter((c) => {
      const p = this.prefix(c);
      const now = [...byDb].filter(([d]) => d.startsWith(p)).map(([d, n]) => `${d}=${n}`).sort().join(',');
      const key = c.metadata.uid!;
      const before = this.counters.get(key);
      this.counters.set(key, now);
      return before !== undefined && before !== now;
    });
  }

  async dropAll(namespace: string, name: string): Promise<void> {
    for (const db of await this.pg.databases(clusterPrefix(namespace, name))) await this.pg.drop(db);
  }
}
