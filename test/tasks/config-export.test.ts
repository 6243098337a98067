// backup:export-config and backup:restore-config against the default lab (namespace apps: paperless with its VolSync
// backup) and a real restic repository: Secrets are age-encrypted before anything is written (the repository holds no
// plaintext value), the staging folder is gone afterwards, retention and check run; after the app's ConfigMap and
// Secret are lost, restore-config puts them back as they were, restores the volume through volsync:restore, checks
// the rollout and measures the whole against the one-hour target. No secret value is printed or recorded.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Executor } from '../../lib/exec.ts';
import { withLab } from '../helpers/lab.ts';

const SECRET = 'paperless-db-Pa55word-0190';

describe('backup:export-config and backup:restore-config', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  let repo: string;
  beforeAll(async () => {
    lab = await withLab();
    const identity = await generateX25519Identity();
    lab.vault.set('op://homelab/config-export/restic-password', 'config-export-repo-pw');
    lab.vault.set('op://homelab/config-export/age-identity', identity);
    repo = join(lab.dir, 'config-repo');
    await writeFile(lab.configPath, `${(await readFile(lab.configPath, 'utf8')).trimEnd()}
    backups:
      configExport:
        repository: { RESTIC_REPOSITORY: ${repo}, RESTIC_PASSWORD: op://homelab/config-export/restic-password }
        recipients: [${await identityToRecipient(identity)}]
        identity: op://homelab/config-export/age-identity
        keep: { daily: 7 }
`);
    lab.store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'paperless-config', namespace: 'apps', labels: { 'app.kubernetes.io/name': 'paperless' } }, data: { PAPERLESS_URL: 'https://paperless.lab.example', PAPERLESS_TIME_ZONE: 'Europe/Zurich' } });
    lab.store.create('secrets', { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'paperless-secret', namespace: 'apps', labels: { 'app.kubernetes.io/name': 'paperless' } }, data: { PAPERLESS_DBPASS: Buffer.from(SECRET).toString('base64') } });
  });
  afterAll(async () => { await lab?.stop(); });

  it('exports the namespace into a new restic repository, Secrets encrypted, staging removed, retention and check run', async () => {
    const r = await lab.run(['backup:export-config', '--cluster', 'lab', '--namespace', 'apps']);
    expect(r.code, r.stderr).toBe(0);
    const [e] = r.record!.data.exports as { namespace: string; objects: number; secrets: number; snapshot: string }[];
    expect(e).toMatchObject({ namespace: 'apps', secrets: 2 }); // paperless-secret and the VolSync repository Secret
    expect(e!.objects).toBeGreaterThanOrEqual(5);
    const argvs = r.record!.commands.map((c) => c.argv.join(' '));
    expect(argvs).toContainEqual(expect.stringMatching(/^restic init$/));
    expect(argvs).toContainEqual(expect.stringMatching(/^restic backup --json \S+\/config-export\/lab\/apps --host lab --tag rackhand-config --tag namespace=apps$/));
    expect(argvs).toContainEqual('restic forget --prune --host lab --tag rackhand-config,namespace=apps --keep-daily 7');
    expect(argvs).toContainEqual('restic check');
    expect(existsSync(join(lab.dir, '.rackhand', 'config-export', 'lab', 'apps'))).toBe(false);
    // what restic holds: the Secret only as age ciphertext
    const restic = new Executor({ env: { ...process.env, RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: 'config-export-repo-pw' } });
    const dump = await restic.run(['restic', 'dump', 'latest', `${join(lab.dir, '.rackhand', 'config-export', 'lab', 'apps')}/secrets/paperless-secret.yaml.age`], { mutating: false, timeoutMs: 60_000 });
    expect(dump.exitCode, dump.stderr).toBe(0);
    expect(dump.stdout.startsWith('age-encryption.org/v1\n')).toBe(true);
    expect(dump.stdout).not.toContain(Buffer.from(SECRET).toString('base64'));
    for (const text of [r.stdout, r.stderr, JSON.stringify(r.record)]) expect(text).not.toContain(Buffer.from(SECRET).toString('base64'));
  });

  it('restores one app\'s objects as exported, then its volume and its rollout, measured against the one-hour target', async () => {
    lab.store.delete('configmaps', 'apps', 'paperless-config');
    lab.store.delete('secrets', 'apps', 'paperless-secret');
    const r = await lab.run(['backup:restore-config', '--cluster', 'lab', '--namespace', 'apps', '--app', 'paperless', '--yes', '--confirm-cluster', 'lab']);
    expect(r.code, r.stderr).toBe(0);
    expect(lab.store.find('configmaps', 'apps', 'paperless-config')!.data).toEqual({ PAPERLESS_URL: 'https://paperless.lab.example', PAPERLESS_TIME_ZONE: 'Europe/Zurich' });
    expect(Buffer.from(lab.store.find('secrets', 'apps', 'paperless-secret')!.data.PAPERLESS_DBPASS, 'base64').toString()).toBe(SECRET);
    expect(r.record!.data.objects).toEqual(expect.arrayContaining(['ConfigMap paperless-config', 'Secret paperless-secret', 'Deployment paperless']));
    expect(lab.events.filter((e) => e.type.startsWith('volsync-restore')).map((e) => `${e.type} ${e.object}`)).toContainEqual(expect.stringMatching(/^volsync-restore-done apps\//));
    expect((r.record!.steps as { title: string; status: string }[]).map((s) => `${s.status}: ${s.title}`)).toEqual([
      expect.stringMatching(/^done: apply \d+ object\(s\) of paperless to apps from export [0-9a-f]{8}/), 'done: restore the volume of paperless (volsync:restore)', 'done: check paperless: its workloads roll out']);
    expect(r.record!.data.restore).toMatchObject({ targetSeconds: 3600, ok: true });
    for (const text of [r.stdout, r.stderr, await readFile(r.recordPath!, 'utf8')]) { expect(text).not.toContain(SECRET); expect(text).not.toContain(Buffer.from(SECRET).toString('base64')); }
  }, 120_000);

  it('an app the export does not hold, or a cluster without configExport, is bad input (exit 2)', async () => {
    const none = await lab.run(['backup:restore-config', '--cluster', 'lab', '--namespace', 'apps', '--app', 'nextcloud', '--yes']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/has no object of app nextcloud/);
    const bare = join(lab.dir, 'bare.yaml');
    await writeFile(bare, (await readFile(lab.configPath, 'utf8')).replace(/\n    backups:[\s\S]*$/, '\n'));
    const unset = await lab.run(['backup:export-config', '--cluster', 'lab', '--namespace', 'apps', '--config', bare]);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/has no backups\.configExport .*expected \{repository/);
    expect(unset.record!.commands).toEqual([]);
  });
});
