// health:cluster on the default lab (VolSync apps, Flux objects) with cert-manager's CRDs installed and three
// Certificates: a healthy one, one expiring in 10 days, one whose renewal time passed a day ago. A healthy cluster
// passes and says so in its Prometheus textfile; each planted problem (a NotReady node, a Pending claim, a stuck
// renewal, an expiring certificate, an unhealthy etcd member) is reported under its area with the object and the failing value.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRDS, crdManifest } from '../../lab/helmfile/crds.ts';
import { withLab } from '../helpers/lab.ts';

const CERTS = 'certificates.cert-manager.io';
const iso = (ms: number) => new Date(Date.now() + ms).toISOString().replace(/\.\d+Z$/, 'Z');
const DAY = 86_400_000;

describe('health:cluster', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => { lab = await withLab(); });
  afterAll(async () => { await lab?.stop(); });
  type F = { area: string; object: string; status: string; message: string };
  const findings = (r: { record?: { data: Record<string, unknown> } }) => (r.record!.data.findings as F[]);

  it('a healthy lab passes, cert-manager not installed is said, not failed', async () => {
    const r = await lab.run(['health:cluster', '--cluster', 'lab', '--metrics-file', 'health.prom']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(findings(r).filter((f) => f.status === 'fail')).toEqual([]);
    expect(findings(r)).toContainEqual(expect.objectContaining({ area: 'etcd', status: 'ok', message: expect.stringMatching(/etcd members healthy/) }));
    const prom = await readFile(join(lab.dir, 'health.prom'), 'utf8');
    expect(prom).toContain('rackhand_health_ok{cluster="lab"} 1');
    expect(prom).toMatch(/rackhand_health_findings\{cluster="lab",area="nodes",status="ok"\} \d+/);
    expect(findings(r)).toContainEqual({ area: 'certificates', object: 'cert-manager', status: 'ok', message: 'not installed (no Certificate kind)' });
    expect(r.stdout).toMatch(/^nodes: \d+ ok$/m);
  });

  it('names each planted problem with its object and value; warnings alone do not fail', async () => {
    for (const d of CRDS['cert-manager']!) lab.store.create('customresourcedefinitions.apiextensions.k8s.io', crdManifest(d));
    await lab.settled();
    const cert = (name: string, status: Record<string, unknown>) => lab.store.create(CERTS, {
      apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name, namespace: 'default' },
      spec: { secretName: `${name}-tls`, dnsNames: [`${name}.example.org`], issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' } },
      status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired' }], ...status },
    });
    cert('fine', { notAfter: iso(80 * DAY), renewalTime: iso(50 * DAY) });
    cert('soon', { notAfter: iso(10 * DAY), renewalTime: iso(5 * DAY) });
    const warnOnly = await lab.run(['health:cluster', '--cluster', 'lab']);
    expect(warnOnly.code, warnOnly.stdout).toBe(0);
    expect(findings(warnOnly)).toContainEqual(expect.objectContaining({ area: 'certificates', object: 'Certificate default/soon', status: 'warn', message: expect.stringMatching(/^expires .* \(in (9|10)d/) }));
    cert('stuck', { notAfter: iso(20 * DAY), renewalTime: iso(-DAY) });
    lab.faults.setNodeReady('w1', false);
    lab.faults.etcdUnhealthy('cp1', 'etcdserver: request timed out');
    lab.store.create('storageclasses.storage.k8s.io', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local-path' }, provisioner: 'rancher.io/local-path' });
    lab.store.create('persistentvolumeclaims', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'orphan', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'nowhere', resources: { requests: { storage: '1Gi' } } } });
    try {
      const r = await lab.run(['health:cluster', '--cluster', 'lab', '--metrics-file', 'health.prom']);
      expect(r.code).toBe(1);
      expect(await readFile(join(lab.dir, 'health.prom'), 'utf8')).toContain('rackhand_health_ok{cluster="lab"} 0');
      const failed = findings(r).filter((f) => f.status === 'fail').map((f) => `${f.area} ${f.object}: ${f.message}`);
      expect(failed).toContainEqual(expect.stringMatching(/^nodes w1: not Ready/));
      expect(failed).toContainEqual(expect.stringMatching(/^volumes default\/orphan: PersistentVolumeClaim Pending for .* \(storage class nowhere\)$/));
      expect(failed).toContainEqual(expect.stringMatching(/^certificates Certificate default\/stuck: renewal stuck: renewalTime \S+ passed (24h|1d)/));
      expect(r.stdout).toMatch(/certificates\s+Certificate default\/stuck\s+FAIL/);
      expect(failed).toContainEqual(expect.stringMatching(/^etcd members: etcd unhealthy on cp1: .*request timed out/));
    } finally {
      lab.faults.setNodeReady('w1', true);
      lab.faults.clearFaults();
    }
  });
});
