// The on-disk form of a configuration export, as restic stores it: <namespace>/<resource>/<name>.yaml for each
// object, <namespace>/secrets/<name>.yaml.age for each Secret (age-encrypted in memory to the configured recipients:
// its plaintext never touches the disk), and <namespace>/MANIFEST.json with each file's sha256. The folder and files
// are private (0700/0600).
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Decrypter, Encrypter } from 'age-encryption';
import { parse, stringify } from 'yaml';
import type { Exported } from './objects.ts';

export interface ManifestEntry { kind: string; name: string; file: string; sha256: string; encrypted: boolean }
export interface Manifest { kind: 'rackhand.dev/config-export'; cluster: string; namespace: string; exportedAt: string; objects: ManifestEntry[] }

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const folderOf = (o: Exported) => `${(o.kind ?? 'object').toLowerCase()}s`;

export async function writeArchive(dir: string, o: { cluster: string; namespace: string; objects: Exported[]; recipients: string[] }): Promise<Manifest> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const entries: ManifestEntry[] = [];
  for (const obj of o.objects) {
    const folder = join(dir, folderOf(obj));
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const text = stringify(obj);
    let bytes: Uint8Array | string = text;
    let file = `${folderOf(obj)}/${obj.metadata.name}.yaml`;
    if (obj.kind === 'Secret') {
      const e = new Encrypter();
      for (const r of o.recipients) e.addRecipient(r);
      bytes = await e.encrypt(text);
      file += '.age';
    }
    await writeFile(join(dir, file), bytes, { mode: 0o600 });
    entries.push({ kind: obj.kind ?? '?', name: obj.metadata.name, file, sha256: sha256(bytes), encrypted: obj.kind === 'Secret' });
  }
  const manifest: Manifest = { kind: 'rackhand.dev/config-export', cluster: o.cluster, namespace: o.namespace, exportedAt: new Date().toISOString(), objects: entries };
  await writeFile(join(dir, 'MANIFEST.json'), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  return manifest;
}

/** Reads an archive back, checking every file against the manifest and decrypting Secrets in memory. */
export async function readArchive(dir: string, identity: string | undefined): Promise<{ manifest: Manifest; objects: Exported[] }> {
  const manifest = JSON.parse(await readFile(join(dir, 'MANIFEST.json'), 'utf8')) as Manifest;
  const objects: Exported[] = [];
  for (const e of manifest.objects) {
    const bytes = await readFile(join(dir, e.file));
    if (sha256(bytes) !== e.sha256) throw new Error(`${e.file}: sha256 differs from the manifest: the export is damaged`);
    if (!e.encrypted) { objects.push(parse(bytes.toString('utf8')) as Exported); continue; }
    if (!identity) throw new Error(`${e.file} is encrypted: backups.configExport.identity (an op:// reference to the age identity) is needed to restore Secrets`);
    const d = new Decrypter();
    d.addIdentity(identity);
    objects.push(parse(await d.decrypt(bytes, 'text')) as Exported);
  }
  return { manifest, objects };
}

export async function filesIn(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));
}
