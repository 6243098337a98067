// Files seeded into a PVC folder: text as given, or {bytes, seed} of deterministic pseudo-random content (SHA-256 in
// counter mode), so tests can compare hashes after a restore.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, isAbsolute } from 'node:path';

export type SeedFile = string | { bytes: number; seed: number };

export function seededBytes(bytes: number, seed: number): Buffer {
  const out = Buffer.alloc(bytes);
  for (let off = 0, i = 0; off < bytes; off += 32, i++) createHash('sha256').update(`${seed}:${i}`).digest().copy(out, off);
  return out;
}

export async function writeSeedFiles(dir: string, files: Record<string, SeedFile>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [rel, spec] of Object.entries(files)) {
    const clean = normalize(rel);
    if (isAbsolute(clean) || clean.startsWith('..')) throw new Error(`seed file ${rel}: must be a relative path inside the volume`);
    const path = join(dir, clean);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, typeof spec === 'string' ? spec : seededBytes(spec.bytes, spec.seed));
  }
}
