// dr:drill --cnpg against the lab's CloudNativePG controller on a real PostgreSQL: a Cluster seeded by
// postInitApplicationSQL, a base backup (a real pg_dump in the lab's object store), rows written after it (a WAL
// segment), then drills: to the end of the archive (every row back), to a point in time before the late rows (only the
// early ones), a verification that fails, a restore slower than its RTO. Each drill leaves no namespace, no Cluster and
// no database behind, and never writes to the original's object store.
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRDS, crdManifest } from '../../lab/helmfile/crds.ts';
import { withLab } from '../helpers/lab.ts';

type Target = { app: string; kind: string; ok: boolean; recoveryPoint: string; restoreSeconds: number; rtoSeconds: number; dataAgeSeconds: number; checks: { name: string; ok: boolean; message: string }[]; breaches?: string[]; error?: string; targets: { rtoSeconds: number } };

describe('dr:drill --cnpg (real PostgreSQL)', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  let beforeLate: string;
  const db = () => lab.postgres!.clusterDatabase('apps', 'immich-db', 'app');
  const setConfig = async (extra: string) => {
    const base = (await readFile(lab.configPath, 'utf8')).replace(/\n    backups:[\s\S]*$/, '\n');
    await writeFile(lab.configPath, `${base}    backups:\n      cnpg:\n        immich-db:\n${extra}`);
  };
  // the lab drops a deleted Cluster's databases a moment after the Cluster is gone (as PVCs outlive their pods)
  const leftovers = async () => {
    const mine = lab.postgres!.clusterDatabase('apps', 'immich-db', '');
    for (let i = 0; i < 50 && (await lab.postgres!.server.databases()).some((d) => !d.startsWith(mine)); i++) await new Promise((r) => setTimeout(r, 100));
    return snapshot();
  };
  const snapshot = async () => ({
    namespaces: lab.store.list('namespaces').items.map((n) => n.metadata.name).filter((n) => n!.startsWith('rackhand-drill')),
    clusters: lab.store.list('clusters.postgresql.cnpg.io').items.map((c) => `${c.metadata.namespace}/${c.metadata.name}`),
    databases: (await lab.postgres!.server.databases()).filter((d) => !d.startsWith(lab.postgres!.clusterDatabase('apps', 'immich-db', ''))),
    writers: [...new Set((await lab.postgres!.objectStore.writes()).map((l) => l.split(' ')[0]))],
  });

  const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 20_000) => {
    const end = Date.now() + ms;
    while (!(await ok())) {
      if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  beforeAll(async () => {
    lab = await withLab();
    expect(lab.postgres, 'the lab needs PostgreSQL (scripts/system-packages.sh installs it)').toBeDefined();
    for (const d of CRDS['cloudnative-pg']!) lab.store.create('customresourcedefinitions.apiextensions.k8s.io', crdManifest(d));
    lab.store.create('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'minio-creds', namespace: 'apps' }, data: { ACCESS_KEY_ID: Buffer.from('drill-key').toString('base64'), ACCESS_SECRET_KEY: Buffer.from('drill-secret-value').toString('base64') } });
    lab.store.create('clusters.postgresql.cnpg.io', {
      apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'immich-db', namespace: 'apps' },
      spec: {
        instances: 2, imageName: 'ghcr.io/cloudnative-pg/postgresql:16.4', storage: { size: '5Gi' },
        bootstrap: { initdb: { database: 'app', owner: 'app', postInitApplicationSQL: ['create table items (id int primary key, name text)', "insert into items values (1, 'first'), (2, 'second'), (3, 'third')"] } },
        backup: { barmanObjectStore: { destinationPath: 's3://cnpg/immich', endpointURL: 'http://minio.storage:9000', s3Credentials: { accessKeyId: { name: 'minio-creds', key: 'ACCESS_KEY_ID' }, secretAccessKey: { name: 'minio-creds', key: 'ACCESS_SECRET_KEY' } } } },
      },
    });
    await lab.settled(20_000);
    await until('the Cluster to be ready', () => lab.store.get('clusters.postgresql.cnpg.io', 'apps', 'immich-db').status?.readyInstances === 2);
    const b = await lab.run(['cnpg:backup', '--cluster', 'lab', '--cluster-name', 'immich-db']);
    expect(b.code, b.stderr).toBe(0);
    await new Promise((r) => setTimeout(r, 1100));
    beforeLate = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 1100));
    await lab.postgres!.server.sql(db(), "insert into items values (4, 'late'), (5, 'later')");
    // the next WAL segment carries the late rows
    await until('a WAL segment', async () => (await lab.postgres!.objectStore.list('s3://cnpg/immich', 'immich-db', 'wals')).length > 0, 10_000);
    await new Promise((r) => setTimeout(r, 1100)); // the archiver's last archived time moves past the late rows
  }, 90_000);
  afterAll(async () => { await lab?.stop(); });

  it('recovers a new Cluster to the end of the archive, runs the verification queries, measures and deletes everything', async () => {
    await setConfig('          verify:\n            - { database: app, table: items, minRows: 5 }\n            - { database: app, query: "select name from items where id = 4", expect: late }\n');
    const created: any[] = [];
    const off = lab.store.listen((ev) => { if (ev.type === 'ADDED' && ev.resource === 'clusters.postgresql.cnpg.io') created.push(ev.object); });
    const r = await lab.run(['dr:drill', '--cluster', 'lab', '--cnpg', 'immich-db']);
    off();
    expect(r.code, r.stderr).toBe(0);
    const [t] = (r.record!.data.drill as { targets: Target[] }).targets;
    expect(t).toMatchObject({ app: 'apps/immich-db', kind: 'cnpg', ok: true, targets: { rtoSeconds: 1800 } });
    expect(t!.checks.filter((c) => /items/.test(c.name))).toEqual([
      { name: 'app: rows in items', ok: true, message: '5 rows (at least 5)' },
      { name: 'app: select name from items where id = 4', ok: true, message: 'returned late' },
    ]);
    expect(Date.parse(t!.recoveryPoint)).toBeGreaterThan(Date.parse(beforeLate));
    expect(t!.rtoSeconds).toBeGreaterThanOrEqual(t!.restoreSeconds);
    // the drill Cluster: recovery from the original's store as a read-only external cluster, no backup, no plugins
    expect(created).toHaveLength(1);
    expect(created[0].metadata.namespace).toBe('rackhand-drill-pg-immich-db');
    expect(created[0].spec.backup).toBeUndefined();
    expect(created[0].spec.plugins).toBeUndefined();
    expect(created[0].spec.bootstrap.recovery).toEqual({ source: 'origin', database: 'app', owner: 'app' });
    expect(created[0].spec.externalClusters[0].barmanObjectStore).toMatchObject({ destinationPath: 's3://cnpg/immich', serverName: 'immich-db' });
    expect(created[0].spec.imageName).toBe('ghcr.io/cloudnative-pg/postgresql:16.4');
    expect(r.stdout).toMatch(/apps\/immich-db\s+passed/);
    expect(r.stdout + r.stderr).not.toContain('drill-secret-value');
    expect(await leftovers()).toEqual({ namespaces: [], clusters: ['apps/immich-db'], databases: [], writers: ['apps/immich-db'] });
  });

  it('--to recovers to a point in time: the rows written after it are not there', async () => {
    await setConfig('          verify:\n            - { database: app, table: items, minRows: 3 }\n            - { database: app, query: "select count(*) from items where id > 3", expect: 0 }\n');
    const r = await lab.run(['dr:drill', '--cluster', 'lab', '--cnpg', 'immich-db', '--to', beforeLate, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [t] = (r.record!.data.drill as { targets: Target[] }).targets;
    expect(t!.recoveryPoint).toBe(beforeLate);
    expect(t!.checks.find((c) => /id > 3/.test(c.name))).toMatchObject({ ok: true, message: 'returned 0' });
    expect(lab.events.some((e) => e.type === 'cnpg-recovered')).toBe(true);
    expect(await leftovers()).toMatchObject({ namespaces: [], databases: [], writers: ['apps/immich-db'] });
  });

  it('a verification that does not hold fails the drill (exit 1), named, and still leaves nothing behind', async () => {
    await setConfig('          verify:\n            - { database: app, table: items, minRows: 100 }\n');
    const r = await lab.run(['dr:drill', '--cluster', 'lab', '--cnpg', 'immich-db', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/apps\/immich-db: app: rows in items: 5 rows \(at least 100\)/);
    expect(await leftovers()).toMatchObject({ namespaces: [], databases: [] });
  });

  it('a restore slower than its RTO is a named breach (exit 1); leaves nothing behind', async () => {
    await setConfig('          rto: 2s\n          verify:\n            - { database: app, table: items }\n');
    lab.faults.cnpgSlowRestore('rackhand-drill-pg-immich-db/immich-db-drill', 2500);
    try {
      const r = await lab.run(['dr:drill', '--cluster', 'lab', '--cnpg', 'immich-db']);
      expect(r.code).toBe(1);
      const [t] = (r.record!.data.drill as { targets: Target[] }).targets;
      expect(t!.breaches).toEqual([expect.stringMatching(/^RTO breach: \S+, target 2s$/)]);
      expect(r.stdout).toMatch(/apps\/immich-db\s+FAILED.*BREACH/);
      expect(await leftovers()).toMatchObject({ namespaces: [], databases: [] });
    } finally {
      lab.faults.clearFaults();
    }
  });

  it('Ctrl-C while the recovery runs: exit 130, the recovery Cluster, its namespace and its databases are gone', async () => {
    await setConfig('          verify:\n            - { database: app, table: items }\n');
    lab.faults.cnpgSlowRestore('rackhand-drill-pg-immich-db/immich-db-drill', 3000);
    const interrupt = new AbortController();
    const stop = lab.store.listen((ev) => { if (ev.type === 'ADDED' && ev.resource === 'clusters.postgresql.cnpg.io' && ev.object.metadata.namespace === 'rackhand-drill-pg-immich-db') setTimeout(() => interrupt.abort(), 300); });
    try {
      const r = await lab.run(['dr:drill', '--cluster', 'lab', '--cnpg', 'immich-db', '--yes'], { interrupt });
      expect(r.code).toBe(130);
      // the recovery was still restoring when the namespace went: its databases go once it ends
      await new Promise((res) => setTimeout(res, 3000));
      expect(await leftovers()).toMatchObject({ namespaces: [], clusters: ['apps/immich-db'], databases: [], writers: ['apps/immich-db'] });
    } finally {
      stop();
      lab.faults.clearFaults();
    }
  });

  it('one drill over a VolSync app, a CNPG cluster and a dump passes; a missed target fails it, named; nothing left behind either way', async () => {
    const folder = lab.volumePath('apps', 'pg-dumps');
    lab.store.create('persistentvolumeclaims', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'pg-dumps', namespace: 'apps' }, spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } } });
    await lab.postgres!.writeDumps(folder, { seed: ['create table items (id int)', 'insert into items values (1), (2)'], count: 2, format: 'custom', prefix: 'gitea' });
    const dumps = (rto: string) => `      dumps:\n        gitea:\n          namespace: apps\n          pvc: pg-dumps\n          retention: 2\n          database: gitea\n          rto: ${rto}\n          verify:\n            - { database: gitea, table: items, minRows: 2 }\n`;
    await setConfig(`          verify:\n            - { database: app, table: items }\n${dumps('30m')}`);
    const argv = ['dr:drill', '--cluster', 'lab', '--app', 'paperless', '--cnpg', 'immich-db', '--dump', 'gitea', '--parallel', '3'];
    const r = await lab.run(argv);
    expect(r.code, r.stderr).toBe(0);
    const targets = (r.record!.data.drill as { targets: Target[] }).targets;
    expect(targets.map((t) => [t.app, t.kind, t.ok])).toEqual([['apps/paperless', 'volsync', true], ['apps/immich-db', 'cnpg', true], ['apps/gitea', 'dump', true]]);
    expect(await leftovers()).toMatchObject({ namespaces: [], clusters: ['apps/immich-db'], databases: [] });
    expect(lab.store.list('pods').items.filter((p) => /drill/.test(p.metadata.name!))).toEqual([]);

    await setConfig(`          verify:\n            - { database: app, table: items }\n${dumps('1ms')}`);
    const b = await lab.run(argv);
    expect(b.code).toBe(1);
    const after = (b.record!.data.drill as { targets: Target[] }).targets;
    expect(after.map((t) => [t.app, t.ok])).toEqual([['apps/paperless', true], ['apps/immich-db', true], ['apps/gitea', false]]);
    expect(after[2]!.breaches).toEqual([expect.stringMatching(/^RTO breach: \S+, target 1ms$/)]);
    expect(b.stderr).toMatch(/1 of 3 drill target\(s\) failed: apps\/gitea \(RTO breach/);
    expect(await leftovers()).toMatchObject({ namespaces: [], clusters: ['apps/immich-db'], databases: [] });
    expect(lab.store.list('pods').items.filter((p) => /drill/.test(p.metadata.name!))).toEqual([]);
  });

  it('refuses bad input before anything runs: --to in the future or without a zone, --to without --cnpg (exit 2)', async () => {
    for (const argv of [['--cnpg', 'immich-db', '--to', '2999-01-01T00:00:00Z'], ['--cnpg', 'immich-db', '--to', '2026-12-03 02:00'], ['--app', 'x', '--to', '2026-12-03T02:00:00Z']]) {
      const r = await lab.run(['dr:drill', '--cluster', 'lab', ...argv]);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/--to: /);
    }
    const unknown = await lab.run(['dr:drill', '--cluster', 'lab', '--cnpg', 'nope']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(/no CloudNativePG Cluster nope/);
  });
});
