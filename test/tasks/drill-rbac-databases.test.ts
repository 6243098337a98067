// The scheduled drill of databases as the CronJob runs it: deploy/dr-drill (with rbac-databases.yaml) applied to the
// lab, then `dr:drill --cnpg ... --dump ... --yes --json` as its ServiceAccount. The lab authorizes every request
// with those RBAC objects: a missing verb is a real 403 here, and every rule of the databases ClusterRole must have
// been used by the drill.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { parseAllDocuments, parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRDS, crdManifest } from '../../lab/helmfile/crds.ts';
import { withLab } from '../helpers/lab.ts';
import { cli } from '../helpers/cli.ts';

interface Rule { apiGroups?: string[]; resources?: string[]; verbs: string[]; nonResourceURLs?: string[] }

describe('database drills with the ServiceAccount and RBAC of deploy/dr-drill', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  let manifests = '';
  let env: Record<string, string | undefined>;
  const kubectl = (args: string[], input?: string) => execa('kubectl', args, { env: { ...process.env, ...lab.env }, reject: false, ...(input !== undefined ? { input } : {}) });

  beforeAll(async () => {
    lab = await withLab();
    for (const d of CRDS['cloudnative-pg']!) lab.store.create('customresourcedefinitions.apiextensions.k8s.io', crdManifest(d));
    lab.store.create('clusters.postgresql.cnpg.io', {
      apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'immich-db', namespace: 'apps' },
      spec: { instances: 1, storage: { size: '1Gi' }, bootstrap: { initdb: { postInitApplicationSQL: ['create table items (id int)', 'insert into items values (1)'] } }, backup: { barmanObjectStore: { destinationPath: 's3://cnpg/immich' } } },
    });
    lab.store.create('persistentvolumeclaims', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'pg-dumps', namespace: 'apps' }, spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } } });
    await lab.postgres!.writeDumps(lab.volumePath('apps', 'pg-dumps'), { seed: ['create table items (id int)', 'insert into items values (1)'], count: 1, format: 'custom', prefix: 'gitea' });
    await lab.settled(20_000);
    const end = Date.now() + 20_000;
    while (!lab.store.get('clusters.postgresql.cnpg.io', 'apps', 'immich-db').status?.readyInstances && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect((await lab.run(['cnpg:backup', '--cluster', 'lab', '--cluster-name', 'immich-db'])).code).toBe(0);

    manifests = (await kubectl(['kustomize', join(process.cwd(), 'deploy/dr-drill')])).stdout;
    const cm = parseAllDocuments(manifests).map((d) => d.toJS()).find((o) => o.kind === 'ConfigMap');
    const server = `${lab.url}/_sa/${lab.serviceAccountToken('rackhand-system', 'rackhand-drill')}`;
    const kubeconfig = parse(cm.data.kubeconfig);
    kubeconfig.clusters[0].cluster = { server };
    delete kubeconfig.users[0].user.tokenFile;
    await writeFile(join(lab.dir, 'drill-kubeconfig'), stringify(kubeconfig), { mode: 0o600 });
    const cfg = parse(cm.data['rackhand.yaml']);
    const home = cfg.clusters.home;
    home.kubeconfig = './drill-kubeconfig';
    home.apiServer = server;
    home.nodes = parse(await readFile(lab.configPath, 'utf8')).clusters.lab.nodes;
    home.backups = {
      cnpg: { 'immich-db': { namespace: 'apps', verify: [{ database: 'app', table: 'items' }] } },
      dumps: { gitea: { namespace: 'apps', pvc: 'pg-dumps', retention: 1, database: 'gitea', verify: [{ database: 'gitea', table: 'items' }] } },
    };
    await writeFile(join(lab.dir, 'drill.yaml'), stringify(cfg));
    env = { ...process.env, RACKHAND_CONFIG: join(lab.dir, 'drill.yaml'), RACKHAND_STATE_DIR: join(lab.dir, '.rackhand-drill'), CI: 'true', KUBECONFIG: '' };
    expect((await kubectl(['create', 'namespace', 'rackhand-system'])).exitCode).toBe(0);
    const applied = await kubectl(['apply', '-f', '-'], manifests);
    expect(applied.exitCode, applied.stderr).toBe(0);
  }, 90_000);
  afterAll(async () => { await lab?.stop(); });

  it('the CNPG and dump drills pass with exactly the permissions granted: no 403, and no database rule unused', async () => {
    const r = await cli(['dr:drill', '--cluster', 'home', '--cnpg', 'immich-db', '--dump', 'gitea', '--yes', '--json'], { env, cwd: lab.dir });
    const mine = lab.authorizations.filter((d) => d.user === 'system:serviceaccount:rackhand-system:rackhand-drill');
    expect(mine.filter((d) => !d.allowed)).toEqual([]);
    expect(r.code, r.stderr).toBe(0);
    const role = parseAllDocuments(manifests).map((d) => d.toJS()).find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'rackhand-drill-databases');
    const granted = (role.rules as Rule[]).flatMap((x) => x.apiGroups!.flatMap((g) => x.resources!.flatMap((res) => x.verbs.map((v) => `${g}/${res}:${v}`))));
    const used = new Set(mine.map((d) => `${d.group}/${d.resource}:${d.verb}`));
    expect(granted.filter((g) => !used.has(g))).toEqual([]);
    expect(lab.store.list('namespaces').items.filter((n) => n.metadata.name!.startsWith('rackhand-drill'))).toEqual([]);
    expect(lab.store.list('pods').items.filter((p) => p.metadata.name!.startsWith('rackhand-dump-drill'))).toEqual([]);
  });
});
