// health:cluster beyond the object checks: a real TLS handshake to each Ingress and HTTPRoute host (lab TLS endpoints
// made with openssl: healthy, expiring, self-signed, for another host, TLS 1.1 only), thresholds from rackhand.yaml's
// health: section, CloudNativePG backup freshness, the NFS probe (a root-squashed export fails it, the probe objects
// are gone afterwards) and the Pushgateway push.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRDS, crdManifest } from '../../lab/helmfile/crds.ts';
import { withLab } from '../helpers/lab.ts';

type F = { area: string; object: string; status: string; message: string };
const iso = (ms: number) => new Date(Date.now() + ms).toISOString().replace(/\.\d+Z$/, 'Z');

describe('health:cluster: TLS endpoints, thresholds, CloudNativePG, NFS, Pushgateway', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => { lab = await withLab(); });
  afterAll(async () => { await lab?.stop(); });
  const findings = (r: { record?: { data: Record<string, unknown> } }) => r.record!.data.findings as F[];
  const area = (r: { record?: { data: Record<string, unknown> } }, a: string) => findings(r).filter((f) => f.area === a);
  const ingress = (name: string, host: string, port: number) => lab.store.create('ingresses.networking.k8s.io', {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: 'default' },
    spec: { ingressClassName: 'nginx', tls: [{ hosts: [host], secretName: `${name}-tls` }], rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
    status: { loadBalancer: { ingress: [{ ip: '127.0.0.1', ports: [{ port, protocol: 'TCP' }] }] } },
  });

  it('checks every Ingress and HTTPRoute host with a real handshake: chain, expiry, host name, protocol', async () => {
    const good = await lab.tls.endpoint({ hosts: ['app.lab.example'], days: 90 });
    const soon = await lab.tls.endpoint({ hosts: ['soon.lab.example'], days: 10 });
    const self = await lab.tls.endpoint({ hosts: ['self.lab.example'], days: 90, selfSigned: true });
    const old = await lab.tls.endpoint({ hosts: ['old.lab.example'], days: 90, maxVersion: 'TLSv1.1' });
    const route = await lab.tls.endpoint({ hosts: ['route.lab.example'], days: 90 });
    ingress('app', 'app.lab.example', good.port);
    ingress('soon', 'soon.lab.example', soon.port);
    ingress('self', 'self.lab.example', self.port);
    ingress('wrong', 'wrong.lab.example', good.port);
    ingress('old', 'old.lab.example', old.port);
    for (const d of CRDS['gateway-api']!) lab.store.create('customresourcedefinitions.apiextensions.k8s.io', crdManifest(d));
    await lab.settled();
    lab.store.create('gateways.gateway.networking.k8s.io', { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'external', namespace: 'default' }, spec: { gatewayClassName: 'cilium', listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }, { name: 'https', protocol: 'HTTPS', port: route.port }] }, status: { addresses: [{ type: 'IPAddress', value: '127.0.0.1' }] } });
    lab.store.create('httproutes.gateway.networking.k8s.io', { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'app', namespace: 'default' }, spec: { parentRefs: [{ name: 'external', sectionName: 'https' }], hostnames: ['route.lab.example'] } });

    try {
    const r = await lab.run(['health:cluster', '--cluster', 'lab', '--all', '--tls-ca', good.caFile]);
    expect(r.code).toBe(1);
    const tls = Object.fromEntries(area(r, 'tls').map((f) => [f.object, `${f.status}: ${f.message}`]));
    expect(tls['app.lab.example (Ingress default/app)']).toMatch(/^ok: TLSv1\.3, trusted, valid until /);
    expect(tls['route.lab.example (HTTPRoute default/app)']).toMatch(/^ok: TLSv1\.3, trusted/);
    expect(tls['soon.lab.example (Ingress default/soon)']).toMatch(/^warn: certificate expires \S+ \(in (9|10)d/);
    expect(tls['self.lab.example (Ingress default/self)']).toMatch(/^fail: chain not trusted: DEPTH_ZERO_SELF_SIGNED_CERT/);
    expect(tls['wrong.lab.example (Ingress default/wrong)']).toMatch(/^fail: certificate is not for wrong\.lab\.example \(DNS:app\.lab\.example\)/);
    expect(tls['old.lab.example (Ingress default/old)']).toMatch(/^fail: protocol TLSv1\.1: expected TLS 1\.2 or newer/);
    const untrusted = await lab.run(['health:cluster', '--cluster', 'lab', '--all']);
    expect(area(untrusted, 'tls').find((f) => f.object === 'app.lab.example (Ingress default/app)')?.message).toMatch(/chain not trusted: UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to get local issuer/i);
    } finally {
      for (const name of ['app', 'soon', 'self', 'wrong', 'old']) lab.store.delete('ingresses.networking.k8s.io', 'default', name);
      lab.store.delete('httproutes.gateway.networking.k8s.io', 'default', 'app');
    }
  });

  it('takes its thresholds from rackhand.yaml health:, flags still winning; CloudNativePG backups must be fresh and archiving', async () => {
    for (const d of CRDS['cloudnative-pg']!) lab.store.create('customresourcedefinitions.apiextensions.k8s.io', crdManifest(d));
    await lab.settled();
    const cluster = (name: string, status: Record<string, unknown>) => lab.store.create('clusters.postgresql.cnpg.io', {
      apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name, namespace: 'apps' },
      spec: { instances: 1, backup: { barmanObjectStore: { destinationPath: 's3://backups/pg', endpointURL: 'http://minio:9000' } } }, status,
    });
    cluster('fresh', { conditions: [{ type: 'ContinuousArchiving', status: 'True', reason: 'ContinuousArchivingSuccess' }] });
    lab.store.create('backups.postgresql.cnpg.io', { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Backup', metadata: { name: 'fresh-1', namespace: 'apps' }, spec: { cluster: { name: 'fresh' } }, status: { phase: 'completed', stoppedAt: iso(-3 * 3_600_000) } });
    // the lab's CloudNativePG controller keeps the status; its fault breaks WAL archiving as barman-cloud-wal-archive would
    cluster('broken', {});
    lab.faults.cnpgArchivingBroken('apps/broken');
    await lab.settled();
    // bootstrapped on the lab's PostgreSQL first: then archiving starts, and fails
    for (let i = 0; i < 200 && !lab.store.get('clusters.postgresql.cnpg.io', 'apps', 'broken').status?.conditions?.some((c: { type: string }) => c.type === 'ContinuousArchiving'); i++) await new Promise((r) => setTimeout(r, 100));
    const config = join(lab.dir, 'health.yaml');
    await writeFile(config, (await readFile(lab.configPath, 'utf8')).replace('    nodes:\n', '    health: { backupMaxAge: 2h }\n    nodes:\n'));
    const r = await lab.run(['health:cluster', '--cluster', 'lab', '--all', '--config', config]);
    expect(r.record!.data.thresholds).toMatchObject({ backupMaxAgeMs: 7_200_000 });
    const cnpg = Object.fromEntries(area(r, 'backups').filter((f) => f.object.startsWith('Cluster')).map((f) => [f.object, `${f.status}: ${f.message}`]));
    expect(cnpg['Cluster apps/fresh']).toMatch(/^fail: last base backup 3h\S* ago, older than 2h/);
    expect(cnpg['Cluster apps/broken']).toBe('fail: WAL archiving failing: ContinuousArchivingFailing (unexpected failure invoking barman-cloud-wal-archive: exit status 4)');
    const flag = await lab.run(['health:cluster', '--cluster', 'lab', '--all', '--config', config, '--backup-max-age', '26h']);
    expect(area(flag, 'backups').find((f) => f.object === 'Cluster apps/fresh')).toMatchObject({ status: 'ok', message: expect.stringMatching(/^last base backup 3h\S* ago, archiving working/) });
    lab.store.delete('clusters.postgresql.cnpg.io', 'apps', 'broken');
    lab.faults.clearFaults();
  });

  it('probes each NFS StorageClass (write, read, delete as an unprivileged user), catches a root-squashed export, leaves nothing behind; pushes to a Pushgateway', async () => {
    const pushes: { method: string; url: string; body: string }[] = [];
    const gw: Server = createServer((req, res) => { let b = ''; req.on('data', (c: Buffer) => { b += c; }); req.on('end', () => { pushes.push({ method: req.method!, url: req.url!, body: b }); res.writeHead(200).end(); }); });
    await new Promise<void>((ok) => gw.listen(0, '127.0.0.1', () => ok()));
    try {
      lab.store.create('storageclasses.storage.k8s.io', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'nfs' }, provisioner: 'nfs.csi.k8s.io', parameters: { server: 'nas.lab', share: '/export/k8s' } });
      lab.store.create('storageclasses.storage.k8s.io', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'openebs-hostpath' }, provisioner: 'openebs.io/local' });
      const good = await lab.run(['health:cluster', '--cluster', 'lab', '--all', '--nfs-probe', '--pushgateway', `http://127.0.0.1:${(gw.address() as AddressInfo).port}`]);
      expect(area(good, 'storage')).toEqual([expect.objectContaining({ object: 'StorageClass nfs (nfs.csi.k8s.io)', status: 'ok', message: expect.stringMatching(/^write, read and delete as uid 65534/) })]);
      expect(pushes).toContainEqual(expect.objectContaining({ method: 'PUT', url: '/metrics/job/rackhand_health/cluster/lab', body: expect.stringContaining('rackhand_health_findings{cluster="lab",area="storage",status="ok"} 1') }));
      lab.faults.nfsRootSquash('nfs');
      const squashed = await lab.run(['health:cluster', '--cluster', 'lab', '--nfs-probe']);
      expect(squashed.code).toBe(1);
      expect(area(squashed, 'storage')).toEqual([expect.objectContaining({ status: 'fail', message: "the probe could not write a file on a new claim: touch: cannot touch '/probe/.rackhand-nfs-probe': Permission denied" })]);
      const left = [...lab.store.list('jobs.batch').items, ...lab.store.list('persistentvolumeclaims').items].filter((o) => o.metadata.labels?.['rackhand.dev/probe'] && !o.metadata.deletionTimestamp);
      expect(left).toEqual([]);
    } finally {
      lab.faults.clearFaults();
      gw.close();
    }
  });
});
