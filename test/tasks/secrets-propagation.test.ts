// secrets:verify-propagation against the lab's External Secrets controller (1Password store on the lab's account, a
// configurable delay): a canary text field reaches the Secret and a pod's mounted file, each hop timed; --restart rolls
// an env consumer to see it there; a controller slower than --target fails the hop that is late; the field's previous
// value is back in 1Password and in the Secret afterwards, whatever happened; a concealed field is refused (exit 2).
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

const FLUX = fileURLToPath(new URL('../../lab/topologies/flux.yaml', import.meta.url));
const CANARY = 'op://homelab/sonarr/rackhand-canary';

describe('secrets:verify-propagation', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  type Hop = { externalSecret: string; hop: string; seconds: number | null; ok: boolean; detail: string };
  const hops = (r: { record?: { data: Record<string, unknown> } }) => r.record!.data.hops as Hop[];
  const secretValue = (key: string) => Buffer.from(lab.store.find('secrets', 'observability', 'sonarr-secret')!.data[key], 'base64').toString();
  beforeAll(async () => {
    lab = await withLab({ topology: FLUX, esoDelayMs: 300 });
    lab.vault.set('op://homelab/sonarr/api-key', '3f9c0e1d2b4a59687766554433221100', { type: 'CONCEALED' });
    lab.vault.set(CANARY, 'v0', { type: 'STRING' });
    lab.store.create('externalsecrets.external-secrets.io', {
      apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'sonarr', namespace: 'observability' },
      spec: { refreshInterval: '1h', secretStoreRef: { kind: 'ClusterSecretStore', name: 'onepassword' }, target: { name: 'sonarr-secret' },
        data: [{ secretKey: 'SONARR__AUTH__APIKEY', remoteRef: { key: 'sonarr', property: 'api-key' } }, { secretKey: 'CANARY', remoteRef: { key: 'sonarr', property: 'rackhand-canary' } }] },
    });
    lab.store.create('deployments.apps', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'sonarr', namespace: 'observability' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'sonarr' } }, template: { metadata: { labels: { app: 'sonarr' } }, spec: {
        containers: [{ name: 'app', image: 'ghcr.io/home-operations/sonarr:4.0.15', env: [{ name: 'CANARY', valueFrom: { secretKeyRef: { name: 'sonarr-secret', key: 'CANARY' } } }], volumeMounts: [{ name: 'secret', mountPath: '/secrets', readOnly: true }] }],
        volumes: [{ name: 'secret', secret: { secretName: 'sonarr-secret' } }],
      } } },
    });
    await lab.settled(20_000);
  });
  afterAll(async () => { await lab?.stop(); });

  it('times 1Password -> Secret -> mounted file, and with --restart the env variable; the field is put back', async () => {
    const r = await lab.run(['secrets:verify-propagation', '--cluster', 'lab', '--external-secret', 'observability/sonarr', '--yes', '--restart', '--target', '30s']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const h = hops(r);
    expect(h.map((x) => x.hop)).toEqual(['1Password -> Secret sonarr-secret', expect.stringMatching(/^Secret -> sonarr-\S+ env CANARY$/), expect.stringMatching(/^Secret -> sonarr-\S+ \/secrets\/CANARY$/)]);
    expect(h.every((x) => x.ok)).toBe(true);
    expect(h[0]!.seconds).toBeGreaterThanOrEqual(0.3); // the controller's delay is in the measurement
    expect(lab.vault.get(CANARY)).toBe('v0');
    expect(secretValue('CANARY')).toBe('v0');
    expect(r.stdout).toMatch(/observability\/sonarr\s+1Password -> Secret sonarr-secret\s+[\d.]+\s+OK/);
    expect(JSON.stringify(r.record) + r.stdout + r.stderr).not.toContain('3f9c0e1d2b4a59687766554433221100');
  });

  it('a controller slower than --target fails that hop, and the previous value still comes back', async () => {
    lab.faults.esoDelay(3000);
    try {
      const r = await lab.run(['secrets:verify-propagation', '--cluster', 'lab', '--external-secret', 'observability/sonarr', '--yes', '--target', '1s']);
      expect(r.code).toBe(1);
      expect(hops(r)).toEqual([expect.objectContaining({ hop: '1Password -> Secret sonarr-secret', ok: false, detail: expect.stringMatching(/^not within 1 s/) })]);
      expect(r.stderr).toMatch(/1 hop\(s\) missed the 1 s target: observability\/sonarr 1Password -> Secret sonarr-secret/);
      expect(lab.vault.get(CANARY)).toBe('v0');
    } finally {
      lab.faults.esoDelay(0);
    }
    await lab.run(['k8s:sync-secrets', '--cluster', 'lab', '--namespace', 'observability', '--timeout', '10s']);
    expect(secretValue('CANARY')).toBe('v0');
  });

  it('Ctrl-C while it waits for the Secret: exit 130, the field is put back in 1Password and in the Secret', async () => {
    lab.faults.esoDelay(1500);
    const interrupt = new AbortController();
    // the moment the ExternalSecret is annotated (force-sync), the canary is in 1Password: interrupt then
    const stop = lab.store.listen((ev) => { if (ev.resource === 'externalsecrets.external-secrets.io' && ev.object.metadata.annotations?.['force-sync']) setTimeout(() => interrupt.abort(), 50); });
    try {
      const r = await lab.run(['secrets:verify-propagation', '--cluster', 'lab', '--external-secret', 'observability/sonarr', '--yes', '--target', '30s'], { interrupt });
      expect(r.code).toBe(130);
      expect(r.record!.steps[0]!.cleanup).toBe('done');
    } finally {
      stop();
      lab.faults.esoDelay(0);
    }
    expect(lab.vault.get(CANARY)).toBe('v0');
    expect(secretValue('CANARY')).toBe('v0');
  });

  it('refuses a concealed field and an ExternalSecret that does not sync the field (exit 2, nothing changed)', async () => {
    const edits = () => lab.events.filter((e) => e.type === 'op-item-edit').length;
    const before = edits();
    const concealed = await lab.run(['secrets:verify-propagation', '--cluster', 'lab', '--external-secret', 'observability/sonarr', '--field', 'api-key', '--yes']);
    expect(concealed.code).toBe(2);
    expect(concealed.stderr).toMatch(/homelab\/sonarr\/api-key is CONCEALED: expected a text field/);
    const none = await lab.run(['secrets:verify-propagation', '--cluster', 'lab', '--external-secret', 'observability/gatus', '--yes']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/ExternalSecret observability\/gatus syncs no field "rackhand-canary"/);
    expect(edits()).toBe(before);
  });
});
