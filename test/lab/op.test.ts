// The fake 1Password CLI: `op` in lab.dir/bin driven with argv arrays and lab.env, as rackhand will drive it.
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/lab.js';
import { closeLab, openLab, type Run } from './kubectl.js';
import { randomBytes } from 'node:crypto';
import { labServiceAccountToken } from '../../lab/op/auth.js';

let lab: Lab;
let work: string;
beforeAll(async () => {
  lab = await openLab();
  work = await mkdtemp(join(lab.dir, 'op-'));
});
afterAll(async () => closeLab(lab));

const CF = 'op://homelab/cloudflare/api-token';
const ERROR = /^\[ERROR\] \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /;

// these tests sign in as a service account (lab.env signs the fake op in as a Connect client)
const SERVICE_ACCOUNT = { OP_CONNECT_HOST: undefined, OP_CONNECT_TOKEN: undefined, OP_SERVICE_ACCOUNT_TOKEN: labServiceAccountToken(randomBytes(24)) };

async function op(args: string[], opts: { input?: string; env?: Record<string, string | undefined> } = {}): Promise<Run> {
  const env = Object.fromEntries(Object.entries({ ...process.env, ...lab.env, ...SERVICE_ACCOUNT, ...opts.env }).filter((e): e is [string, string] => e[1] !== undefined));
  const r = await execa('op', args, { env, extendEnv: false, cwd: work, reject: false, stripFinalNewline: false, timeout: 30_000, ...(opts.input !== undefined ? { input: opts.input } : {}) });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** the values of the lab's seeded vault (only the concealed ones), to prove they never leak where they must not */
async function vaultValues(concealedOnly = false): Promise<string[]> {
  const doc = parse(await readFile(join(import.meta.dirname, '../../lab/vault.yaml'), 'utf8'));
  return doc.vaults.flatMap((v: any) => v.items.flatMap((i: any) => i.fields.filter((f: any) => !concealedOnly || f.type === 'CONCEALED').map((f: any) => f.value)));
}

const fault = (body: object) => fetch(`${lab.url}/_lab/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

describe('op read', () => {
  it('prints the value with a newline, or without one with -n; the event names the reference, never the value', async () => {
    expect(await op(['read', CF])).toEqual({ exitCode: 0, stdout: `${lab.vault.get(CF)}\n`, stderr: '' });
    expect((await op(['read', '-n', CF])).stdout).toBe(lab.vault.get(CF));
    expect(lab.vault.get(CF)).toMatch(/^labcf_\w{34}$/);
    expect(lab.events).toContainEqual(expect.objectContaining({ type: 'op-read', object: CF }));
    const logged = JSON.stringify(lab.events);
    for (const v of await vaultValues()) expect(logged).not.toContain(v);
  });

  it('resolves names case-insensitively, references with spaces (one argv element) and fields inside sections', async () => {
    lab.vault.set('op://homelab/home assistant/long lived token', 'hass-lab-token-Zq81');
    lab.vault.set('op://homelab/volsync/s3/endpoint', 'https://lab.r2.invalid', { type: 'STRING' });
    expect((await op(['read', 'op://homelab/home assistant/long lived token'])).stdout).toBe('hass-lab-token-Zq81\n');
    expect((await op(['read', 'op://HomeLab/Volsync/S3/Endpoint'])).stdout).toBe('https://lab.r2.invalid\n');
    expect((await op(['read', 'op://homelab/volsync/endpoint'])).stdout).toBe('https://lab.r2.invalid\n');
  });

  it('writes --out-file with --file-mode, prints its path, and will not overwrite it without --force', async () => {
    const r = await op(['read', '--out-file', 'token.txt', '--file-mode', '0640', 'op://homelab/flux/github-token']);
    expect(r).toMatchObject({ exitCode: 0, stdout: `${join(work, 'token.txt')}\n` });
    expect(await readFile(join(work, 'token.txt'), 'utf8')).toBe(lab.vault.get('op://homelab/flux/github-token'));
    expect((await stat(join(work, 'token.txt'))).mode & 0o777).toBe(0o640);
    const again = await op(['read', '-o', 'token.txt', CF]);
    expect(again.exitCode).toBe(1);
    expect(await readFile(join(work, 'token.txt'), 'utf8')).toBe(lab.vault.get('op://homelab/flux/github-token'));
    expect((await op(['read', '-o', 'token.txt', '--force', CF])).exitCode).toBe(0);
    expect(await readFile(join(work, 'token.txt'), 'utf8')).toBe(lab.vault.get(CF));
  });

  it('fails like op for a missing item, field or vault and an invalid reference, on stderr with exit code 1', async () => {
    const cases: [string, string][] = [
      ['op://homelab/nope/x', `could not read secret 'op://homelab/nope/x': could not get item homelab/nope: "nope" isn't an item in the "homelab" vault. Specify the item with its UUID, name, or domain.`],
      ['op://homelab/cloudflare/nope', `could not read secret 'op://homelab/cloudflare/nope': item 'homelab/cloudflare' does not have a field 'nope'`],
      ['op://nope/cloudflare/api-token', `could not read secret 'op://nope/cloudflare/api-token': could not get item nope/cloudflare: "nope" isn't a vault in this account. Specify the vault with its ID or name.`],
      ['op://homelab/cloud(flare)/api-token', `invalid secret reference: invalid character in secret reference: '('`],
      ['op://homelab/cloudflare', `invalid secret reference 'op://homelab/cloudflare': too few '/': secret references should have at least vault, item and field specified`],
    ];
    const runs = await Promise.all(cases.map(([ref]) => op(['read', ref])));
    for (const [i, [, message]] of cases.entries()) {
      const r = runs[i]!;
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(ERROR);
      expect(r.stderr.replace(ERROR, '')).toBe(`${message}\n`);
    }
  });

  it('fails once the item is deleted from the lab vault, and reads it again once it is back', async () => {
    const ref = 'op://homelab/flux/github-token';
    const value = lab.vault.get(ref)!;
    expect(lab.vault.delete('op://homelab/flux')).toBe(true);
    const r = await op(['read', ref]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`"flux" isn't an item in the "homelab" vault`);
    lab.vault.set(ref, value);
    expect((await op(['read', ref])).stdout).toBe(`${value}\n`);
  });
});

describe('op inject', () => {
  const template = [
    'apiVersion: v1', 'kind: Secret', 'stringData:',
    '  CLOUDFLARE_API_TOKEN: "{{ op://homelab/cloudflare/api-token }}"',
    '  RESTIC_PASSWORD: op://homelab/volsync/restic-password',
    '  note: {{ "{{ literal braces }}" }} and mailto:op-not-a-ref',
    '',
  ].join('\n');
  const rendered = () => template
    .replace('{{ op://homelab/cloudflare/api-token }}', lab.vault.get(CF)!)
    .replace('op://homelab/volsync/restic-password', lab.vault.get('op://homelab/volsync/restic-password')!)
    .replace('{{ "{{ literal braces }}" }}', '{{ literal braces }}');

  it('renders stdin to stdout: enclosed and unenclosed references, quoted literals, everything else untouched', async () => {
    expect(await op(['inject'], { input: template })).toEqual({ exitCode: 0, stdout: rendered(), stderr: '' });
    expect(lab.events).toContainEqual(expect.objectContaining({ type: 'op-inject', object: 'stdin', detail: '2 references' }));
    expect((await op(['inject', '--in-file=/dev/stdin'], { input: template })).stdout).toBe(rendered()); // op-js's argv
  });

  it('renders --in-file to --out-file with the file mode', async () => {
    await writeFile(join(work, 'secret.yaml.tpl'), template);
    const r = await op(['inject', '-i', 'secret.yaml.tpl', '-o', 'secret.yaml', '--file-mode', '0600']);
    expect(r).toMatchObject({ exitCode: 0, stdout: `${join(work, 'secret.yaml')}\n` });
    expect(await readFile(join(work, 'secret.yaml'), 'utf8')).toBe(rendered());
    expect((await stat(join(work, 'secret.yaml'))).mode & 0o777).toBe(0o600);
  });

  it('fails on a missing item, a stray op:// and {{ }} around something else, without writing the output', async () => {
    const missing = await op(['inject', '-o', 'never.yaml'], { input: 'a: {{ op://homelab/nope/x }}\n' });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(ERROR);
    expect(missing.stderr).toContain(`"nope" isn't an item in the "homelab" vault`);
    await expect(stat(join(work, 'never.yaml'))).rejects.toThrow();
    const stray = await op(['inject'], { input: '# Names + op:// pointers\n' });
    expect(stray.stderr.replace(ERROR, '')).toBe(`invalid secret reference 'op://': too few '/': secret references should have at least vault, item and field specified\n`);
    const helm = await op(['inject'], { input: 'a: 1\nb: {{ .Values.b }}\n' });
    expect(helm.stderr.replace(ERROR, '')).toBe('parsing error at 2:4: only secret references or quoted strings can be enclosed in unescaped {{ }}s\n');
  });
});

describe('op item get', () => {
  it('prints the item as JSON; concealed values only with --reveal (op 2.30+)', async () => {
    const hidden = JSON.parse((await op(['item', 'get', 'volsync', '--vault', 'homelab', '--format', 'json'])).stdout);
    expect(hidden).toMatchObject({ id: expect.stringMatching(/^[a-z2-7]{26}$/), title: 'volsync', vault: { id: expect.stringMatching(/^[a-z0-9]{26}$/), name: 'homelab' } });
    const byLabel = Object.fromEntries(hidden.fields.map((f: any) => [f.label, f]));
    expect(byLabel['s3-access-key-id']).toMatchObject({ type: 'STRING', value: lab.vault.get('op://homelab/volsync/s3-access-key-id'), reference: 'op://homelab/volsync/s3-access-key-id' });
    expect(byLabel['restic-password']).toMatchObject({ id: expect.any(String), type: 'CONCEALED', value: `[use 'op item get ${hidden.id} --reveal' to reveal]`, reference: 'op://homelab/volsync/restic-password' });
    expect(byLabel.endpoint).toMatchObject({ section: { id: expect.any(String), label: 's3' }, reference: 'op://homelab/volsync/s3/endpoint' });
    const shown = JSON.parse((await op(['item', 'get', 'volsync', '--vault=homelab', '--format=json', '--reveal'])).stdout);
    expect(shown.fields.find((f: any) => f.label === 'restic-password').value).toBe(lab.vault.get('op://homelab/volsync/restic-password'));
  });

  it('selects --fields (one field: an object; text: comma-separated)', async () => {
    const one = JSON.parse((await op(['item', 'get', 'cloudflare', '--vault', 'homelab', '--fields', 'label=api-token', '--format', 'json', '--reveal'])).stdout);
    expect(one).toMatchObject({ label: 'api-token', value: lab.vault.get(CF) });
    const text = await op(['item', 'get', 'volsync', '--vault', 'homelab', '--fields', 'label=s3-access-key-id,label=restic-password']);
    expect(text.stdout).toMatch(/^[0-9a-f]{32},\[use 'op item get [a-z0-9]{26} --reveal' to reveal\]\n$/);
  });

  it('a missing item fails like op', async () => {
    const r = await op(['item', 'get', 'nope', '--vault', 'homelab']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.replace(ERROR, '')).toBe(`"nope" isn't an item in the "homelab" vault. Specify the item with its UUID, name, or domain.\n`);
  });
});

describe('op auth', () => {
  it('whoami is the lab service account; --version is 2.x', async () => {
    expect((await op(['whoami'])).stdout).toMatch(/^URL: +https:\/\/\S+\nIntegration ID: +[A-Z0-9]+\nUser Type: +SERVICE_ACCOUNT\n$/);
    expect((await op(['--version'])).stdout).toMatch(/^2\.\d+\.\d+\n$/);
  });

  it('without OP_SERVICE_ACCOUNT_TOKEN (or with the op-signed-out fault) every read fails as signed out', async () => {
    const signedOut = `could not read secret '${CF}': error initializing client: You are not currently signed in. Please run \`op signin --help\` for instructions\n`;
    const r = await op(['read', CF], { env: { OP_SERVICE_ACCOUNT_TOKEN: undefined } });
    expect(r).toMatchObject({ exitCode: 1, stdout: '' });
    expect(r.stderr.replace(ERROR, '')).toBe(signedOut);
    expect((await op(['read', CF], { env: { OP_SERVICE_ACCOUNT_TOKEN: 'not-a-token' } })).stderr).toContain('unrecognized auth type');
    expect((await fault({ type: 'op-signed-out' })).status).toBe(200);
    expect((await op(['read', CF])).stderr.replace(ERROR, '')).toBe(signedOut);
    expect((await op(['item', 'get', 'cloudflare'])).exitCode).toBe(1);
    await fault({ type: 'clear' });
    expect((await op(['read', CF])).exitCode).toBe(0);
  });

  it('no concealed value appears in errors or unrevealed output, and no value at all in the lab events', async () => {
    const outputs = await Promise.all([op(['read', 'op://homelab/nope/x']), op(['item', 'get', 'volsync', '--vault', 'homelab']), op(['inject'], { input: 'x: {{ op://homelab/flux/nope }}' })]);
    for (const v of await vaultValues(true)) for (const o of outputs) expect(o.stderr + o.stdout).not.toContain(v);
    for (const v of await vaultValues()) expect(JSON.stringify(lab.events)).not.toContain(v);
  });
});
