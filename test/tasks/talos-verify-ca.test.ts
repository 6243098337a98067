// talos:verify-machine-ca with real certificates (made here with openssl): a talosconfig whose CA and client
// certificate match the machine CA passes; one from before a CA rotation fails naming both CAs; a client certificate
// near its end passes with a warning; the key is never printed.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

const sh = promisify(execFile);

describe('talos:verify-machine-ca', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  let original: Record<string, any>;
  const b64 = async (f: string) => Buffer.from(await readFile(join(lab.dir, f))).toString('base64');
  const ossl = (...args: string[]) => sh('openssl', args, { cwd: lab.dir });
  const ca = (name: string) => ossl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-subj', '/O=talos', '-days', '3650');
  const client = async (name: string, caName: string, days: number) => {
    await ossl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/O=os:admin');
    await ossl('x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', String(days));
  };
  const useTalosconfig = async (caName: string, clientName: string) => {
    const t = structuredClone(original);
    Object.assign(t.contexts[t.context], { ca: await b64(`${caName}.crt`), crt: await b64(`${clientName}.crt`), key: await b64(`${clientName}.key`) });
    await writeFile(lab.talosconfigPath, stringify(t), { mode: 0o600 });
  };
  beforeAll(async () => {
    lab = await withLab();
    original = parse(await readFile(lab.talosconfigPath, 'utf8'));
    await ca('machine');
    await ca('old');
    await client('admin', 'machine', 365);
    await client('stale', 'old', 365);
    await client('soon', 'machine', 10);
    await writeFile(join(lab.dir, 'controlplane.yaml'), stringify({ version: 'v1alpha1', machine: { type: 'controlplane', ca: { crt: await b64('machine.crt'), key: await b64('machine.key') } } }));
  });
  afterAll(async () => { await lab?.stop(); });
  const run = () => lab.run(['talos:verify-machine-ca', '--file', 'controlplane.yaml']);

  it('passes when the talosconfig matches the machine CA, and the nodes accept it', async () => {
    await useTalosconfig('machine', 'admin');
    const r = await run();
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect((r.record!.data.checks as { name: string; ok: boolean }[]).map((c) => [c.name, c.ok])).toEqual([
      ['machine CA readable', true], ['talosconfig CA is the machine CA', true], ['client certificate issued by the machine CA', true],
      ['client certificate valid', true], ['client certificate has an admin role', true], ['cp1 accepts it (talosctl version)', true],
    ]);
    const key = Buffer.from(await b64('admin.key'), 'base64').toString('utf8').split('\n')[1]!;
    expect(`${r.stdout}${r.stderr}${JSON.stringify(r.record)}`).not.toContain(key);
  });

  it('a talosconfig from before a CA rotation fails (exit 1), naming both CAs; a certificate near its end warns', async () => {
    await useTalosconfig('old', 'stale');
    const r = await run();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/talosconfig CA is the machine CA\s+FAIL\s+talosconfig trusts CA [0-9a-f]{16}…, the machines use [0-9a-f]{16}… \(rotated CA\?\)/);
    expect(r.stdout).toMatch(/client certificate issued by the machine CA\s+FAIL/);
    await useTalosconfig('machine', 'soon');
    const soon = await run();
    expect(soon.code, soon.stdout).toBe(0);
    expect(soon.stdout).toMatch(/client certificate valid\s+WARN\s+expires .* \(in (9|10) days\): rotate it soon/);
  });

  it('reads the machine CA from talhelper\'s talsecret.sops.yaml, decrypted with the age key from 1Password', async () => {
    const { encryptForLab } = await import('../../lab/sops/sops.ts');
    const AGE_KEY = 'AGE-SECRET-KEY-1LABQ7X3M9TZK2V8WN4RJ6YHD5SPC0FGLU3EA7B9XQ2MTK8ZRNV4H6WJD';
    await writeFile(join(lab.dir, 'talsecret.sops.yaml'), encryptForLab({ certs: { os: { crt: await b64('machine.crt'), key: await b64('machine.key') } } }, AGE_KEY));
    const cfg = await readFile(lab.configPath, 'utf8');
    await writeFile(lab.configPath, cfg.replace(/\n    kubeconfig:/, '\n    sopsAgeKey: op://homelab/sops/age-key\n    kubeconfig:'));
    await useTalosconfig('machine', 'admin');
    const r = await lab.run(['talos:verify-machine-ca', '--file', 'talsecret.sops.yaml', '--offline']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.record!.commands.map((c) => c.argv[0])).toEqual(['op', 'sops']); // the key from 1Password, then sops; no talosctl (--offline)
    expect(JSON.stringify(r.record)).not.toContain(AGE_KEY);
  });
});
