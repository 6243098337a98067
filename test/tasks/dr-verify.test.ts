import { readdir, writeFile, readFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

type TestLab = Awaited<ReturnType<typeof withLab>>;
const SENTINEL_SHA = 'da7e0f2dff1a1e0b6d5e0bd9ae3eec1f1c1b4b5a1f2e2f1d1c0b0a0908070605';

describe('dr:verify-backups against the lab repositories (real restic)', () => {
  let lab: TestLab | undefined;
  afterEach(async () => { await lab?.stop(); lab = undefined; });

  it('a fresh, intact backup passes every check; the password never appears; the check subset rotates', async () => {
    lab = await withLab();
    const r = await lab.run(['dr:verify-backups', '--app', 'paperless', '--subsets', '3']);
    expect(r.code).toBe(0);
    const results = r.record!.data.results as { app: string; ok: boolean; checks: { name: string; ok: boolean }[]; restore: { files: number } }[];
    expect(results[0]!.checks.map((c) => [c.name, c.ok])).toEqual([
      ['repository opens', true], ['latest snapshot within RPO', true], ['restic check --read-data-subset 1/3', true],
      ['test restore with --verify', true], ['restored content matches the snapshot', true],
    ]);
    expect(results[0]!.restore.files).toBeGreaterThanOrEqual(5);
    const password = lab.volsync.repository('paperless').RESTIC_PASSWORD!;
    expect(`${r.stdout}${r.stderr}${JSON.stringify(r.record)}`).not.toContain(password);
    const again = await lab.run(['dr:verify-backups', '--app', 'paperless', '--subsets', '3']);
    expect((again.record!.data.results as { checks: { name: string }[] }[])[0]!.checks[2]!.name).toBe('restic check --read-data-subset 2/3');
  });

  it('a stale backup fails the RPO check (exit 1) and names the next command', async () => {
    lab = await withLab();
    await new Promise((res) => setTimeout(res, 1_100));
    const r = await lab.run(['dr:verify-backups', '--all', '--rpo', '1s']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/apps\/paperless +latest snapshot within RPO +FAILED/);
    expect(r.stderr).toContain('next: npx tsx tasks volsync:snapshot --app paperless');
  });

  it('a corrupted pack file fails restic check (exit 1)', async () => {
    lab = await withLab();
    const repo = lab.volsync.repository('paperless').RESTIC_REPOSITORY!;
    const dataDir = join(repo, 'data');
    const packs = (await readdir(dataDir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
    const pack = packs[0]!;
    const bytes = await readFile(pack);
    bytes[Math.floor(bytes.length / 2)] = bytes[Math.floor(bytes.length / 2)]! ^ 0xff;
    await chmod(pack, 0o644);
    await writeFile(pack, bytes);
    const r = await lab.run(['dr:verify-backups', '--app', 'paperless', '--subsets', '1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/apps\/paperless +restic check --read-data-subset 1\/1 +FAILED/);
  });

  it('a locked repository is refused in preflight (exit 3) naming the lock and volsync:unlock; no restic check ran', async () => {
    lab = await withLab();
    await lab.faults.resticLocked('paperless');
    const r = await lab.run(['dr:verify-backups', '--app', 'paperless', '--subsets', '1']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/apps\/paperless: exclusive lock [0-9a-f]{8} by .* \(restic check needs the repository to itself\)/);
    expect(r.stderr).toContain('npx tsx tasks volsync:unlock --app paperless');
    expect(r.record!.commands.some((c) => c.argv.includes('check'))).toBe(false);
  });

  it('a configured sentinel must hash right in the test restore', async () => {
    lab = await withLab();
    const cfg = await readFile(lab.configPath, 'utf8');
    await writeFile(lab.configPath, `${cfg}    backups:\n      apps:\n        paperless: { sentinel: { path: .rackhand-sentinel, sha256: ${SENTINEL_SHA} } }\n`);
    const r = await lab.run(['dr:verify-backups', '--app', 'paperless']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/sentinel \.rackhand-sentinel +FAILED +sha256 [0-9a-f]{64}, expected da7e0f/);
  });
});

describe('dr:verify-backups with op:// credentials from rackhand.yaml (fake op CLI)', () => {
  let lab: TestLab | undefined;
  afterEach(async () => { await lab?.stop(); lab = undefined; });

  it('resolves the password from 1Password instead of the Secret; a missing item names the reference; values never print', async () => {
    lab = await withLab();
    const repo = lab.volsync.repository('paperless');
    lab.vault.set('op://homelab/volsync/restic-password', repo.RESTIC_PASSWORD!);
    // the cluster's Secret gets a wrong password: only the 1Password value opens the repository
    lab.faults.wrongPassword('paperless');
    const cfg = await readFile(lab.configPath, 'utf8');
    const withCreds = (ref: string) => `${cfg}    backups:\n      apps:\n        paperless:\n          credentials: { RESTIC_REPOSITORY: ${repo.RESTIC_REPOSITORY}, RESTIC_PASSWORD: "${ref}" }\n`;
    await writeFile(lab.configPath, withCreds('op://homelab/volsync/restic-password'));
    const r = await lab.run(['dr:verify-backups', '--app', 'paperless', '--subsets', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(lab.events.filter((e) => e.type === 'op-read').map((e) => e.object)).toContain('op://homelab/volsync/restic-password');
    expect(`${r.stdout}${r.stderr}${JSON.stringify(r.record)}`).not.toContain(repo.RESTIC_PASSWORD!);

    await writeFile(lab.configPath, withCreds('op://homelab/nope/password'));
    const bad = await lab.run(['dr:verify-backups', '--app', 'paperless']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/apps\/paperless +repository opens +FAILED .*op:\/\/homelab\/nope\/password/);
  });

  it('a literal password in rackhand.yaml is refused (exit 2) naming the field', async () => {
    lab = await withLab();
    const cfg = await readFile(lab.configPath, 'utf8');
    await writeFile(lab.configPath, `${cfg}    backups:\n      apps:\n        paperless:\n          credentials: { RESTIC_REPOSITORY: /x, RESTIC_PASSWORD: hunter2hunter2 }\n`);
    const r = await lab.run(['dr:verify-backups', '--app', 'paperless']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('backups.apps.paperless.credentials.RESTIC_PASSWORD: expected an op://vault/item/field reference');
    expect(r.stderr).not.toContain('hunter2hunter2');
  });
});
