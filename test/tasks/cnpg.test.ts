// cnpg:status and cnpg:backup against the lab's CloudNativePG controller: a Cluster with the in-tree barman object
// store and one with the barman-cloud plugin, each with instance pods whose psql answers pg_stat_archiver. A healthy
// cluster shows its primary, working archiving with the last archived WAL, and its base backup; broken archiving and
// a failing backup are named with CloudNativePG's own reason; a cluster without a backup section is refused (exit 2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRDS, crdManifest } from '../../lab/helmfile/crds.ts';
import { withLab } from '../helpers/lab.ts';

describe('cnpg:status and cnpg:backup', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  type Row = { cluster: string; primary: string; backup: string; archiving?: { status: string; reason: string }; wal?: { lastArchivedWal?: string; lastArchivedTime?: string; error?: string }; lastBackup?: { stoppedAt: string } };
  beforeAll(async () => {
    lab = await withLab();
    for (const d of CRDS['cloudnative-pg']!) lab.store.create('customresourcedefinitions.apiextensions.k8s.io', crdManifest(d));
    await lab.settled();
    const cluster = (name: string, spec: Record<string, unknown>) => lab.store.create('clusters.postgresql.cnpg.io', { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name, namespace: 'apps' }, spec: { instances: 2, storage: { size: '5Gi' }, ...spec } });
    cluster('immich-db', { backup: { barmanObjectStore: { destinationPath: 's3://cnpg/immich', endpointURL: 'http://minio.storage:9000' }, retentionPolicy: '14d' } });
    cluster('authentik-db', { plugins: [{ name: 'barman-cloud.cloudnative-pg.io', isWALArchiver: true, parameters: { barmanObjectName: 'r2' } }] });
    cluster('scratch-db', {});
    lab.store.create('scheduledbackups.postgresql.cnpg.io', { apiVersion: 'postgresql.cnpg.io/v1', kind: 'ScheduledBackup', metadata: { name: 'immich-db-daily', namespace: 'apps' }, spec: { schedule: '0 0 3 * * *', cluster: { name: 'immich-db' }, backupOwnerReference: 'self' } });
    await lab.settled(20_000);
    await new Promise((r) => setTimeout(r, 1200)); // a WAL segment archived
  });
  afterAll(async () => { await lab?.stop(); });

  it('cnpg:backup takes a base backup of each kind and reports it; then cnpg:status shows both clusters healthy', async () => {
    const a = await lab.run(['cnpg:backup', '--cluster', 'lab', '--cluster-name', 'immich-db']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/^apps\/immich-db: base backup \d{8}T\d{6} completed \(WAL [0-9A-F]{24} \.\. [0-9A-F]{24}\)$/m);
    const created = lab.store.list('backups.postgresql.cnpg.io').items.map((b) => ({ cluster: b.spec.cluster.name, method: b.spec.method, plugin: b.spec.pluginConfiguration?.name }));
    expect(created).toEqual([{ cluster: 'immich-db', method: 'barmanObjectStore', plugin: undefined }]);
    const p = await lab.run(['cnpg:backup', '--cluster', 'lab', '--cluster-name', 'authentik-db']);
    expect(p.code, p.stderr).toBe(0);
    expect(lab.store.list('backups.postgresql.cnpg.io').items.find((b) => b.spec.cluster.name === 'authentik-db')!.spec).toMatchObject({ method: 'plugin', pluginConfiguration: { name: 'barman-cloud.cloudnative-pg.io' } });
    const s = await lab.run(['cnpg:status', '--cluster', 'lab', '--namespace', 'apps', '--cluster-name', 'immich-db']);
    expect(s.code, s.stderr).toBe(0);
    const [row] = s.record!.data.clusters as Row[];
    expect(row).toMatchObject({ cluster: 'apps/immich-db', primary: 'immich-db-1', backup: 'barmanObjectStore', archiving: { status: 'True', reason: 'ContinuousArchivingSuccess' } });
    expect(row!.wal!.lastArchivedWal).toMatch(/^[0-9A-F]{24}$/);
    expect(Date.now() - Date.parse(row!.wal!.lastArchivedTime!)).toBeLessThan(60_000);
    expect(s.stdout).toMatch(/apps\/immich-db\s+immich-db-1\s+2\/2\s+barmanObjectStore\s+working\s+[0-9A-F]{24} \(\S+ ago\)/);
    expect(s.stdout).toMatch(/0 0 3 \* \* \*, last never, next \S+Z/);
    expect(s.record!.commands.map((c) => c.argv.join(' '))).toContainEqual(expect.stringMatching(/exec --namespace apps immich-db-1 --container postgres -- psql -U postgres -At -c select last_archived_wal/));
  });

  it('names broken archiving and a failed backup with CloudNativePG\'s reason (exit 1)', async () => {
    lab.faults.cnpgArchivingBroken('apps/authentik-db');
    lab.faults.cnpgBackupFails('apps/immich-db', 'exit status 4: barman-cloud-backup could not reach the object store');
    try {
      await new Promise((r) => setTimeout(r, 1200));
      const b = await lab.run(['cnpg:backup', '--cluster', 'lab', '--cluster-name', 'immich-db']);
      expect(b.code).toBe(1);
      expect(b.stderr).toMatch(/Backup apps\/immich-db-rackhand-\S+ failed: exit status 4: barman-cloud-backup could not reach the object store/);
      const s = await lab.run(['cnpg:status', '--cluster', 'lab', '--namespace', 'apps']);
      expect(s.code).toBe(1);
      expect(s.stderr).toMatch(/apps\/authentik-db: WAL archiving failing \(ContinuousArchivingFailing: unexpected failure invoking barman-cloud-wal-archive: exit status 4\)/);
      expect(s.stdout).toMatch(/apps\/authentik-db .* FAILING: ContinuousArchivingFailing .*failed [0-9A-F]{24}/);
      // scratch-db has no backup configured: shown, not failed
      expect((s.record!.data.clusters as Row[]).find((r) => r.cluster === 'apps/scratch-db')).toMatchObject({ backup: 'none' });
    } finally {
      lab.faults.clearFaults();
    }
  });

  it('refuses a cluster without a backup section, or an unknown one (exit 2, nothing created)', async () => {
    const before = lab.store.list('backups.postgresql.cnpg.io').items.length;
    const none = await lab.run(['cnpg:backup', '--cluster', 'lab', '--cluster-name', 'scratch-db']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/Cluster apps\/scratch-db has no backup configured: expected spec\.backup\.barmanObjectStore or the barman-cloud\.cloudnative-pg\.io plugin/);
    const unknown = await lab.run(['cnpg:backup', '--cluster', 'lab', '--cluster-name', 'nope']);
    expect(unknown.code).toBe(2);
    expect(lab.store.list('backups.postgresql.cnpg.io').items.length).toBe(before);
  });
});
