// sops:decrypt, sops:edit and sops:check. The age key lives only in the lab's 1Password (op://homelab/sops/age-key)
// and reaches sops through its environment: the tests check what the operator sees (the plaintext on stdout, the file
// re-encrypted after an edit), that neither the key nor a secret value reaches argv or the run record, and which files
// sops:check reports with their line.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptForLab } from '../../lab/sops/sops.ts';
import { withLab } from '../helpers/lab.ts';

const AGE_KEY = 'AGE-SECRET-KEY-1LABQ7X3M9TZK2V8WN4RJ6YHD5SPC0FGLU3EA7B9XQ2MTK8ZRNV4H6WJD';

describe('sops:decrypt and sops:edit with the age key from 1Password', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  let file: string;
  beforeAll(async () => {
    lab = await withLab();
    const cfg = await readFile(lab.configPath, 'utf8');
    await writeFile(lab.configPath, cfg.replace(/\n    kubeconfig:/, '\n    sopsAgeKey: op://homelab/sops/age-key\n    kubeconfig:'));
    file = join(lab.dir, 'secret.sops.yaml');
    await writeFile(file, encryptForLab({ DB_PASSWORD: 'labpw_Zx81hQ2vKk3', API_KEY: 'labkey_77aa01' }, AGE_KEY));
    // an "editor" that changes one value, as an operator would in vim
    await writeFile(join(lab.dir, 'edit.mjs'), "import { readFileSync, writeFileSync } from 'node:fs';\nconst f = process.argv[2];\nwriteFileSync(f, readFileSync(f, 'utf8').replace('labkey_77aa01', 'labkey_rotated_99'));\n");
  });
  afterAll(async () => { await lab?.stop(); });
  const leaks = (r: { record?: unknown }, ...values: string[]) => values.filter((v) => JSON.stringify(r.record).includes(v));

  it('sops:decrypt prints the plaintext; the key is in sops\' environment only, never in argv or the record', async () => {
    const r = await lab.run(['sops:decrypt', 'secret.sops.yaml']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('DB_PASSWORD: labpw_Zx81hQ2vKk3');
    expect(r.record!.commands.find((c) => c.argv[0] === 'sops')!.argv).toEqual(['sops', '--decrypt', file]);
    expect(leaks(r, AGE_KEY, 'labpw_Zx81hQ2vKk3')).toEqual([]);
    expect(r.stderr).not.toContain(AGE_KEY);
  });

  it('sops:edit re-encrypts what the editor changed; an unchanged file is nothing to do, not a failure', async () => {
    const { cli } = await import('../helpers/cli.ts');
    const { EDITOR: _e, SOPS_EDITOR: _s, VISUAL: _v, ...plain } = process.env;
    const edit = (editor?: string) => cli(['sops:edit', '--file', 'secret.sops.yaml'], {
      env: { ...plain, ...lab.env, RACKHAND_STATE_DIR: join(lab.dir, '.rackhand'), CI: 'true', ...(editor ? { EDITOR: editor } : {}) }, cwd: lab.dir,
    });
    const none = await edit();
    expect(none.code).toBe(2); // no terminal, no editor
    expect(none.stderr).toContain('no terminal and no SOPS_EDITOR or EDITOR');
    const edited = await edit(`node ${join(lab.dir, 'edit.mjs')}`);
    expect(edited.code, edited.stderr).toBe(0);
    expect(edited.record!.data.changed).toBe(true);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('labkey_rotated_99');
    expect(text).toContain('ENC[AES256_GCM');
    expect((await lab.run(['sops:decrypt', 'secret.sops.yaml'])).stdout).toContain('API_KEY: labkey_rotated_99');
    const same = await edit('true');
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).toContain('the file was not changed');
    expect(await readFile(file, 'utf8')).toBe(text);
    expect(leaks(edited, AGE_KEY, 'labkey_rotated_99')).toEqual([]);
  });
});

describe('sops:check', () => {
  let repo: string;
  beforeAll(async () => {
    repo = await mkdtemp(join(tmpdir(), 'rackhand-sops-check-'));
    const put = async (rel: string, text: string) => { await mkdir(join(repo, rel, '..'), { recursive: true }); await writeFile(join(repo, rel), text); };
    await put('.sops.yaml', 'creation_rules:\n  - path_regex: kubernetes/.*\\.sops\\.ya?ml$\n    encrypted_regex: ^(data|stringData)$\n    age: age1labrecipient\n');
    await put('kubernetes/apps/ok/secret.sops.yaml', encryptForLab({ token: 'x' }, AGE_KEY));
    await put('kubernetes/apps/forgot/secret.sops.yaml', 'apiVersion: v1\nkind: Secret\nmetadata: {name: forgot}\nstringData: {password: hunter2}\n');
    await put('kubernetes/apps/plain/app.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: b}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: leaked}\nstringData:\n  token: abc123\n');
    await put('bootstrap/templates/secrets.yaml.tpl', 'apiVersion: v1\nkind: Secret\nmetadata: {name: from-1password}\nstringData: {token: "op://homelab/cloudflare/api-token"}\n');
    await put('scratch/ignored.sops.yaml', 'kind: Secret\nmetadata: {name: scratch}\nstringData: {a: b}\n');
    await put('.gitignore', 'scratch/\n');
  });
  afterAll(async () => { await rm(repo, { recursive: true, force: true }); });

  it('names each unencrypted file and plain Secret with its line; templates and git-ignored files are not findings', async () => {
    await promisify(execFile)('git', ['init', '-q', repo]);
    const { cli } = await import('../helpers/cli.ts');
    const r = await cli(['sops:check', '--dir', join(repo, 'kubernetes')], { env: { ...process.env, CI: 'true', RACKHAND_STATE_DIR: join(repo, '.state') }, cwd: repo });
    expect(r.code).toBe(1);
    const findings = (r.record!.data.findings as { file: string; line?: number }[]).map((f) => `${f.file}${f.line ? `:${f.line}` : ''}`).sort();
    expect(findings, r.stdout).toEqual(['kubernetes/apps/forgot/secret.sops.yaml', 'kubernetes/apps/plain/app.yaml:7']);
    expect(r.stdout).toContain('matches creation rule 1 (path_regex kubernetes/.*\\.sops\\.ya?ml$) but is not encrypted');
    expect(r.stdout).toContain('Secret leaked has values in the clear and no creation rule covers the file');
  });
});
