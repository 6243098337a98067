// The lab's sops (registered as the fake CLI tool "sops"): `sops --decrypt [--input-type yaml] [--output-type yaml]
// FILE` for YAML files encrypted the way sops lays them out -- every value `ENC[AES256_GCM,data:...,iv:...,tag:...,
// type:str]`, a `sops:` block with age recipients each holding the wrapped data key (getsops/sops stores/yaml,
// aes/cipher.go). The key wrapping is the lab's own, NOT age's X25519: a recipient is "age1" + a hash of the
// identity and the data key is sealed with AES-GCM under sha256(identity). Identities come from SOPS_AGE_KEY
// (one per line) or SOPS_AGE_KEY_FILE, as sops reads them (age/keysource.go). Without a matching identity sops
// exits 128 ("Failed to get the data key required to decrypt the SOPS file."; cmd/sops/codes CouldNotRetrieveKey).
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parse as shellParse } from 'shell-quote';
import { basename, join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import type { CliRequest, CliResult } from '../talos/talosctl.js';

const sha = (s: string) => createHash('sha256').update(s).digest();
export const recipientOf = (identity: string) => `age1${sha(`recipient:${identity.trim()}`).toString('hex').slice(0, 58)}`;

function seal(key: Buffer, plain: Buffer): { data: string; iv: string; tag: string } {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([c.update(plain), c.final()]);
  return { data: data.toString('base64'), iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64') };
}

function open(key: Buffer, s: { data: string; iv: string; tag: string }): Buffer {
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(s.iv, 'base64'));
  d.setAuthTag(Buffer.from(s.tag, 'base64'));
  return Buffer.concat([d.update(Buffer.from(s.data, 'base64')), d.final()]);
}

const ENC = /^ENC\[AES256_GCM,data:([^,]*),iv:([^,]*),tag:([^,]*),type:(\w+)\]$/;

/** Every string leaf of a YAML map (nested maps and lists too) encrypted with the data key, as sops does it. */
function encryptTree(dataKey: Buffer, v: unknown): unknown {
  if (typeof v === 'string') {
    const s = seal(dataKey, Buffer.from(v));
    return `ENC[AES256_GCM,data:${s.data},iv:${s.iv},tag:${s.tag},type:str]`;
  }
  if (Array.isArray(v)) return v.map((x) => encryptTree(dataKey, x));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encryptTree(dataKey, x)]));
  return v;
}

function decryptTree(dataKey: Buffer, v: unknown): unknown {
  const m = typeof v === 'string' ? ENC.exec(v) : null;
  if (m) return open(dataKey, { data: m[1]!, iv: m[2]!, tag: m[3]! }).toString('utf8');
  if (Array.isArray(v)) return v.map((x) => decryptTree(dataKey, x));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decryptTree(dataKey, x)]));
  return v;
}

/** A YAML map (string leaves, nested maps and lists) encrypted for `identity` (what `sops --encrypt --age
 *  <recipient>` writes). */
export function encryptForLab(values: Record<string, unknown>, identity: string): string {
  const dataKey = randomBytes(32);
  const out = encryptTree(dataKey, values) as Record<string, unknown>;
  const wrapped = seal(sha(identity.trim()), dataKey);
  out.sops = {
    age: [{ recipient: recipientOf(identity), enc: `-----BEGIN AGE ENCRYPTED FILE-----\n${Buffer.from(JSON.stringify(wrapped)).toString('base64')}\n-----END AGE ENCRYPTED FILE-----\n` }],
    lastmodified: new Date().toISOString(), unencrypted_suffix: '_unencrypted', version: '3.9.4',
  };
  return stringify(out);
}

export function runSops(req: CliRequest, home = '/root'): CliResult {
  const io = { stdout: '', stderr: '' };
  const done = (exitCode: number): CliResult => ({ ...io, exitCode });
  const argv = req.argv;
  if (argv.includes('--version')) { io.stdout += 'sops 3.9.4 (latest)\n'; return done(0); }
  const editing = !argv.includes('--decrypt') && !argv.includes('-d');
  if (editing && argv.some((a) => a === '--encrypt' || a === '-e' || a === '--rotate' || a === '-r' || a === '--set')) { io.stderr += 'the lab\'s fake sops decrypts (sops --decrypt FILE) and edits (sops FILE) only\n'; return done(1); }
  const withValue = new Set(['--input-type', '--output-type']);
  // `sops edit FILE` (sops >= 3.9) and `sops FILE` both edit
  const file = argv.find((a, i) => !a.startsWith('-') && !withValue.has(argv[i - 1] ?? '') && !(a === 'edit' && i === 0 && argv.length > 1));
  if (!file) { io.stderr += 'Error: no file specified\n'; return done(1); }
  const path = resolve(req.cwd, file);
  if (!existsSync(path)) { io.stderr += `Error: cannot operate on non-existent file\n`; return done(100); }
  const doc = parse(readFileSync(path, 'utf8')) as Record<string, any>;
  const recipients: { recipient: string; enc: string }[] = doc?.sops?.age ?? [];
  if (!recipients.length) { io.stderr += 'sops metadata not found\n'; return done(128); }
  const env = req.env ?? {};
  const identities = [...(env.SOPS_AGE_KEY ?? '').split('\n'), ...(env.SOPS_AGE_KEY_FILE && existsSync(env.SOPS_AGE_KEY_FILE) ? readFileSync(env.SOPS_AGE_KEY_FILE, 'utf8').split('\n') : [])]
    .map((l) => l.trim()).filter((l) => l.startsWith('AGE-SECRET-KEY-'));
  let dataKey: Buffer | undefined;
  for (const r of recipients) {
    const id = identities.find((i) => recipientOf(i) === r.recipient);
    if (!id) continue;
    const body = r.enc.replace(/-----[A-Z ]+-----/g, '').trim();
    dataKey = open(sha(id), JSON.parse(Buffer.from(body, 'base64').toString('utf8')));
  }
  if (!dataKey) {
    io.stderr += `Failed to get the data key required to decrypt the SOPS file.\n\nGroup 0: FAILED\n${recipients.map((r) => `  ${r.recipient}: FAILED\n    - | failed to load age identities: failed to open file: open ${home}/.config/sops/age/keys.txt: no such file or directory\n`).join('')}\nRecovery failed because no master key was able to decrypt the file. In\norder for SOPS to recover the file, at least 1 key has to be successful,\nbut only 0 were.\n`;
    return done(128);
  }
  const { sops: _meta, ...body } = doc;
  const out = decryptTree(dataKey, body) as Record<string, unknown>;
  if (editing) return edit(req, path, doc, out, dataKey, io);
  io.stdout += stringify(out);
  return done(0);
}

/**
 * `sops FILE`: the plaintext in a private temp file, $SOPS_EDITOR or $EDITOR run on it (split like a shell would:
 * getsops/sops cmd/sops/edit.go runEditor, shlex), then re-encrypted with the same data key and recipients. An
 * unchanged file exits 200 "File has not changed, exiting." (cmd/sops/codes FileHasNotBeenModified). The lab runs the
 * editor itself, without a terminal: an editor that edits non-interactively (a script) is what works here.
 */
function edit(req: CliRequest, path: string, doc: Record<string, any>, plain: Record<string, unknown>, dataKey: Buffer, io: { stdout: string; stderr: string }): CliResult {
  const env = req.env ?? {};
  const editor = env.SOPS_EDITOR || env.EDITOR;
  if (!editor) { io.stderr += 'the lab\'s fake sops needs SOPS_EDITOR or EDITOR to edit\n'; return { ...io, exitCode: 1 }; }
  const dir = mkdtempSync(join(tmpdir(), 'lab-sops-'));
  try {
    const tmp = join(dir, basename(path));
    const before = stringify(plain);
    writeFileSync(tmp, before, { mode: 0o600 });
    const [cmd, ...args] = shellParse(editor).map(String);
    const r = spawnSync(cmd!, [...args, tmp], { cwd: req.cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    if (r.status !== 0) { io.stderr += `Could not run editor: exit status ${r.status ?? r.signal}\n`; return { ...io, exitCode: 1 }; }
    const after = readFileSync(tmp, 'utf8');
    if (after === before) { io.stderr += 'File has not changed, exiting.\n'; return { ...io, exitCode: 200 }; }
    const edited = (parse(after) ?? {}) as Record<string, unknown>;
    const enc = encryptTree(dataKey, edited) as Record<string, unknown>;
    enc.sops = { ...doc.sops, lastmodified: new Date().toISOString() };
    writeFileSync(path, stringify(enc));
    return { ...io, exitCode: 0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
