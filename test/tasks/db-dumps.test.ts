// db:verify-dumps and dr:drill --dump against dumps made by the real pg_dump: a week of custom-format dumps on a PVC
// and three days of gzipped plain dumps on an NFS export, checked from a throwaway PostgreSQL pod (the lab's real
// server behind it). Healthy dumps pass; a dump cut short, dumps that stopped coming and a retention that no longer
// prunes are each named; the throwaway pod, its namespace and its database are gone afterwards in every case.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

const SEED = ['create table items (id int primary key, name text)', "insert into items select g, 'item ' || g from generate_series(1, 250) g", 'create table users (name text, admin boolean)', "insert into users values ('ada', true), ('bob', false)"];

describe('db:verify-dumps and dr:drill --dump (real pg_dump, pg_restore, psql)', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  let pvcFolder: string;
  let nfsFolder: string;
  let weekly: string[];
  const config = async (immich = '') => {
    const base = (await readFile(lab.configPath, 'utf8')).replace(/\n    backups:[\s\S]*$/, '\n');
    await writeFile(lab.configPath, `${base}    backups:
      dumps:
        immich:
          namespace: apps
          pvc: pg-dumps
          path: postgres/immich
          retention: 7
          database: immich
          verify:
            - { database: immich, table: items, minRows: 250 }
            - { database: immich, query: "select count(*) from users where admin", expect: 1 }
${immich}        paperless:
          namespace: apps
          nfs: { server: nas.lan, path: /mnt/tank/dumps }
          pattern: "paperless-*.sql.gz"
          retention: 3
          database: paperless
          verify:
            - { database: paperless, table: users, minRows: 2 }
`);
  };
  const leftovers = async () => ({
    pods: lab.store.list('pods').items.filter((p) => p.metadata.name!.startsWith('rackhand-dump-drill')).map((p) => `${p.metadata.namespace}/${p.metadata.name}`),
    namespaces: lab.store.list('namespaces').items.map((n) => n.metadata.name).filter((n) => n!.startsWith('rackhand-drill')),
    databases: await (async () => { await new Promise((r) => setTimeout(r, 300)); return lab.postgres!.server.databases('p'); })(),
  });

  beforeAll(async () => {
    lab = await withLab();
    expect(lab.postgres, 'the lab needs PostgreSQL (scripts/system-packages.sh installs it)').toBeDefined();
    lab.store.create('persistentvolumeclaims', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'pg-dumps', namespace: 'apps' }, spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '5Gi' } } } });
    pvcFolder = join(lab.volumePath('apps', 'pg-dumps'), 'postgres', 'immich');
    nfsFolder = lab.nfsPath('nas.lan', '/mnt/tank/dumps');
    weekly = await lab.postgres!.writeDumps(pvcFolder, { seed: SEED, count: 7, format: 'custom', prefix: 'immich' });
    await lab.postgres!.writeDumps(nfsFolder, { seed: SEED, count: 3, format: 'plain-gz', prefix: 'paperless' });
    // not a dump of this series: the pattern leaves it out
    await writeFile(join(nfsFolder, 'README.txt'), 'dumps from the paperless CronJob\n');
    await lab.settled(20_000);
  }, 60_000);
  afterAll(async () => { await lab?.stop(); });

  it('healthy dumps pass: counted, every file read whole, the newest of each loaded and verified; nothing left behind', async () => {
    await config();
    const r = await lab.run(['db:verify-dumps', '--cluster', 'lab', '--all']);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.record!.data.dumps as { name: string; ok: boolean; dumps: { name: string; ok: boolean; format: string }[] }[];
    expect(rows.map((x) => [x.name, x.ok, x.dumps.length, x.dumps.every((f) => f.ok)])).toEqual([['immich', true, 7, true], ['paperless', true, 3, true]]);
    expect(rows[1]!.dumps.map((f) => f.format)).toEqual(['plain-gz', 'plain-gz', 'plain-gz']);
    expect(r.stdout).toMatch(/immich: 7 dumps whole, newest loaded in \S+, 2 queries passed/);
    const argv = r.record!.commands.map((c) => c.argv.join(' '));
    expect(argv).toContainEqual(expect.stringMatching(new RegExp(`exec --namespace apps rackhand-dump-drill-immich --container postgres -- pg_restore --list /dumps/postgres/immich/${weekly[0]}`)));
    expect(argv).toContainEqual(expect.stringMatching(/exec --namespace rackhand-drill-dump-paperless rackhand-dump-drill-paperless --container postgres -- gzip -t \/dumps\/paperless-/));
    expect(argv).toContainEqual(expect.stringMatching(/-- pg_restore -U postgres -d immich --no-owner --no-privileges --exit-on-error \/dumps\/postgres\/immich\/immich-/));
    expect(await leftovers()).toEqual({ pods: [], namespaces: [], databases: [] });
    // the dumps themselves are untouched (read-only mount)
    expect((await readdir(pvcFolder)).sort()).toEqual([...weekly].sort());
  });

  it('a dump cut short is named BROKEN with pg_restore\'s words (exit 1); an older one too; still nothing left behind', async () => {
    await config();
    await lab.faults.dumpCorrupt(join(pvcFolder, weekly[2]!));
    const r = await lab.run(['db:verify-dumps', '--cluster', 'lab', '--name', 'immich']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`immich\\s+${weekly[2]}\\s+\\S+ \\S+\\s+\\S+\\s+BROKEN: pg_restore: error: `));
    expect(r.stderr).toMatch(new RegExp(`every dump is whole: ${weekly[2]}: pg_restore: error: `));
    expect(await leftovers()).toEqual({ pods: [], namespaces: [], databases: [] });
    // the newest cut short: its load fails too
    await lab.faults.dumpCorrupt(join(pvcFolder, weekly[6]!));
    const n = await lab.run(['db:verify-dumps', '--cluster', 'lab', '--name', 'immich']);
    expect(n.code).toBe(1);
    expect(n.stderr).toMatch(new RegExp(`newest dump ${weekly[6]} loads: pg_restore: error: `));
    expect(await leftovers()).toEqual({ pods: [], namespaces: [], databases: [] });
  });

  it('dumps that stopped coming are an RPO breach; more files than retention keeps is named (exit 1)', async () => {
    await config();
    await lab.faults.dumpsStale(nfsFolder, 3 * 86_400_000);
    const stale = await lab.run(['db:verify-dumps', '--cluster', 'lab', '--name', 'paperless']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/paperless: RPO breach: data \S+ old, target 1d 2h|paperless: RPO breach: data \S+ old, target 26h/);
    await lab.postgres!.writeDumps(nfsFolder, { seed: SEED, count: 1, format: 'plain-gz', prefix: 'paperless' });
    const extra = await lab.run(['db:verify-dumps', '--cluster', 'lab', '--name', 'paperless']);
    expect(extra.code).toBe(1);
    expect(extra.stderr).toMatch(/dumps kept match retention: 4, retention keeps 3: old dumps are not being removed/);
    expect(await leftovers()).toEqual({ pods: [], namespaces: [], databases: [] });
  });

  it('refuses an unknown name or no target before anything runs (exit 2)', async () => {
    await config();
    const unknown = await lab.run(['db:verify-dumps', '--cluster', 'lab', '--name', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--name nope: expected a name from .*backups\.dumps \(immich, paperless\)/);
    expect(unknown.record?.commands ?? []).toEqual([]);
    const none = await lab.run(['db:verify-dumps', '--cluster', 'lab']);
    expect(none.code).toBe(2);
    const drill = await lab.run(['dr:drill', '--cluster', 'lab', '--dump', 'nope']);
    expect(drill.code).toBe(2);
  });
});
