// op:check and op:inject against the lab's 1Password account (the op CLI fake): every op:// reference of rackhand.yaml
// and the bootstrap templates is resolved and a missing one is named with its file and line (exit 1); a template is
// rendered to a 0600 file only when every placeholder resolves, and no value reaches stderr or the run record.
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { withLab } from '../helpers/lab.ts';

const FLUX = fileURLToPath(new URL('../../lab/topologies/flux.yaml', import.meta.url));
const TOKEN = 'labcf_UZzW89m4OAQmx2MBBW2RHXC08iWfGTsmHf';

describe('op:check / op:inject', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => {
    lab = await withLab({ topology: FLUX });
    // rackhand.yaml names a restic password in 1Password; the bootstrap folder has a secrets template
    const config = join(lab.dir, 'rackhand.yaml');
    const doc = parse(await readFile(config, 'utf8')) as { clusters: { lab: Record<string, unknown> } };
    doc.clusters.lab.backups = { apps: { gatus: { credentials: { RESTIC_REPOSITORY: '/mnt/restic/gatus', RESTIC_PASSWORD: 'op://homelab/volsync/restic-password' } } } };
    doc.clusters.lab.bootstrap = './bootstrap';
    await writeFile(config, stringify(doc));
    await mkdir(join(lab.dir, 'bootstrap'), { recursive: true });
    await writeFile(join(lab.dir, 'bootstrap', 'secrets.yaml.tpl'), [
      'apiVersion: v1', 'kind: Secret', 'metadata: { name: cloudflare, namespace: cert-manager }',
      'stringData:', '  api-token: "{{ op://homelab/cloudflare/api-token }}"', '  missing: "{{ op://homelab/unifi/api-key }}"', '',
    ].join('\n'));
  });
  afterAll(async () => { await lab?.stop(); });

  it('op:check lists every reference with where it is; the missing one fails the run (exit 1); no value shown', async () => {
    const r = await lab.run(['op:check', '--cluster', 'lab']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^op:\/\/homelab\/volsync\/restic-password\s+rackhand\.yaml:\d+\s+ok$/m);
    expect(r.stdout).toMatch(/^op:\/\/homelab\/cloudflare\/api-token\s+bootstrap\/secrets\.yaml\.tpl:5\s+ok$/m);
    expect(r.stdout).toMatch(/^op:\/\/homelab\/unifi\/api-key\s+bootstrap\/secrets\.yaml\.tpl:6\s+MISSING: /m);
    expect(r.stdout + r.stderr + JSON.stringify(r.record)).not.toContain(TOKEN);
  });

  it('op:inject writes nothing while a placeholder is missing; then a 0600 file, and not over an existing one without --force', async () => {
    const tpl = join(lab.dir, 'bootstrap', 'secrets.yaml.tpl');
    const out = join(lab.dir, 'secrets.yaml');
    const bad = await lab.run(['op:inject', '--in', tpl, '--out', out]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('op://homelab/unifi/api-key');
    expect(existsSync(out)).toBe(false);
    lab.vault.set('op://homelab/unifi/api-key', 'unifi-Zq81');
    const ok = await lab.run(['op:inject', '--in', tpl, '--out', out]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(await readFile(out, 'utf8')).toContain(`api-token: "${TOKEN}"`);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect(ok.stdout + ok.stderr + JSON.stringify(ok.record)).not.toMatch(new RegExp(`${TOKEN}|unifi-Zq81`));
    const again = await lab.run(['op:inject', '--in', tpl, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('exists (--force replaces it)');
  });

  it('op rate limits are waited out: the references resolve after two 429 answers, each asked once more only', async () => {
    const { cli } = await import('../helpers/cli.ts');
    lab.faults.opRateLimited(2);
    const before = lab.events.length;
    await writeFile(join(lab.dir, 'limited.tpl'), 'token: {{ op://homelab/cloudflare/api-token }}\nagain: {{ op://homelab/cloudflare/api-token }}\n');
    const r = await cli(['op:inject', '--in', 'limited.tpl'], { env: { ...process.env, ...lab.env, RACKHAND_STATE_DIR: join(lab.dir, '.rackhand'), CI: 'true', RACKHAND_OP_BACKOFF_MS: '10' }, cwd: lab.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(lab.events.slice(before).filter((e) => e.type === 'op-rate-limited')).toHaveLength(2);
    expect(lab.events.slice(before).filter((e) => e.type === 'op-read')).toHaveLength(1);
    expect(r.stdout).toContain('again: labcf_');
  });
});
