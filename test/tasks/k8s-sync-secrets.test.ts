// k8s:sync-secrets against the lab's External Secrets (1Password store backed by the lab's 1Password account): a
// forced sync creates the Secret once the item exists, reports "unchanged" when 1Password did not change and "CHANGED"
// when it did, and names ESO's own error when the item is gone (exit 1). No value reaches the output or the record.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

const FLUX = fileURLToPath(new URL('../../lab/topologies/flux.yaml', import.meta.url));
const REF = 'op://homelab/gatus/db-password';

describe('k8s:sync-secrets', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => { lab = await withLab({ topology: FLUX }); });
  afterAll(async () => { await lab?.stop(); });
  const secret = () => lab.store.find('secrets', 'observability', 'gatus-secret');
  const sync = () => lab.run(['k8s:sync-secrets', '--cluster', 'lab', '--namespace', 'observability', '--app', 'gatus', '--timeout', '10s']);

  it('creates the Secret once the item exists, then reports unchanged and CHANGED as 1Password says; a missing item is ESO\'s error', async () => {
    expect(secret()).toBeUndefined(); // the item did not exist when the lab started
    lab.vault.set(REF, 'first-Pa55');
    const first = await sync();
    expect(first.code, first.stderr).toBe(0);
    expect(Buffer.from(secret()!.data.DB_PASSWORD, 'base64').toString()).toBe('first-Pa55');
    expect((first.record!.data.secrets as { changed: string[] }).changed).toEqual(['observability/gatus-secret']);
    const same = await sync();
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).toContain('Secret gatus-secret: unchanged');
    lab.vault.set(REF, 'second-Pa55');
    const changed = await sync();
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stderr).toContain('Secret gatus-secret: CHANGED');
    for (const r of [first, same, changed]) expect(JSON.stringify(r.record) + r.stdout + r.stderr).not.toMatch(/first-Pa55|second-Pa55/);
    lab.vault.delete('op://homelab/gatus');
    const gone = await sync();
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('ExternalSecret observability/gatus: error processing spec.data[]: could not get secret data from provider: key "gatus/db-password" not found');
  });

  it('refuses a call without --namespace or --all (exit 2)', async () => {
    const r = await lab.run(['k8s:sync-secrets', '--cluster', 'lab']);
    expect(r.code).toBe(2);
  });

  it('k8s:view-secret lists keys, sizes and short sha256s; a value only with --reveal, on stdout and never in the record', async () => {
    lab.store.create('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sonarr', namespace: 'observability' }, data: { API_KEY: Buffer.from('0123456789abcdef').toString('base64'), URL: Buffer.from('http://sonarr:8989').toString('base64') } });
    const list = await lab.run(['k8s:view-secret', '--cluster', 'lab', '--namespace', 'observability', '--name', 'sonarr']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^API_KEY\s+16\s+[0-9a-f]{12}…$/m);
    expect(list.stdout + list.stderr + JSON.stringify(list.record)).not.toContain('0123456789abcdef');
    const one = await lab.run(['k8s:view-secret', '--cluster', 'lab', '--namespace', 'observability', '--name', 'sonarr', '--reveal', '--key', 'API_KEY']);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toBe('0123456789abcdef\n');
    expect(one.stderr + JSON.stringify(one.record)).not.toContain('0123456789abcdef');
    const json = await lab.run(['k8s:view-secret', '--cluster', 'lab', '--namespace', 'observability', '--name', 'sonarr', '--reveal', '--json']);
    expect(json.stdout).not.toContain('0123456789abcdef');
    expect((await lab.run(['k8s:view-secret', '--cluster', 'lab', '--namespace', 'observability', '--name', 'sonarr', '--key', 'URL'])).code).toBe(2);
  });
});
