// Talking to a Talos Image Factory (factory.talos.dev or a self-hosted one) over HTTP: a schematic uploaded with
// `POST /schematics` (body: the schematic YAML; answer {"id": "<sha256>"}: siderolabs/image-factory README "API"),
// images downloaded from `/image/<schematic>/<version>/<file>` (metal-amd64.iso, metal-amd64.raw.zst, ...). A download
// goes to a private temp file next to the target with its sha256 computed on the way, is checked against a given
// checksum, and only then renamed into place, with `<file>.sha256` (sha256sum's format) beside it; a file whose
// .sha256 still matches is not downloaded again. Every request has a deadline and stops on Ctrl-C.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StepFailure } from '../engine/types.ts';

export function deadline(signal: AbortSignal | undefined, ms: number): AbortSignal {
  return signal ? AbortSignal.any([signal, AbortSignal.timeout(ms)]) : AbortSignal.timeout(ms);
}

function unreachable(url: string, err: unknown): StepFailure {
  // undici's "fetch failed" carries the socket error as its cause (an AggregateError when several addresses failed)
  const e = err as { cause?: { code?: string; message?: string; errors?: { code?: string }[] }; name?: string; message?: string };
  const why = e.name === 'TimeoutError' ? 'timed out' : e.cause?.code ?? e.cause?.errors?.[0]?.code ?? e.cause?.message ?? e.message ?? String(err);
  return new StepFailure(`${url}: ${why}`, `offline? --offline prints the URL to fetch elsewhere: curl -fLO ${url}`);
}

export async function uploadSchematic(base: string, yaml: string, signal: AbortSignal | undefined, timeoutMs = 60_000): Promise<string> {
  const url = `${base.replace(/\/+$/, '')}/schematics`;
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', body: yaml, headers: { 'Content-Type': 'application/yaml' }, signal: deadline(signal, timeoutMs) });
  } catch (err) { throw unreachable(url, err); }
  const text = await res.text();
  if (!res.ok) throw new StepFailure(`${url} answered ${res.status}: ${text.trim().slice(0, 300)}`);
  const id = (JSON.parse(text) as { id?: string }).id;
  if (!id || !/^[0-9a-f]{64}$/.test(id)) throw new StepFailure(`${url} answered without a schematic id: ${text.slice(0, 200)}`);
  return id;
}

export async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
}

/** The checksum recorded next to `path` when it still matches the file, else undefined. */
export async function verifiedChecksum(path: string): Promise<string | undefined> {
  if (!existsSync(path) || !existsSync(`${path}.sha256`)) return undefined;
  const recorded = (await readFile(`${path}.sha256`, 'utf8')).trim().split(/\s+/)[0];
  return recorded && recorded === (await fileSha256(path)) ? recorded : undefined;
}

export async function download(url: string, dest: string, o: { signal?: AbortSignal; timeoutMs: number; sha256?: string; onProgress?: (bytes: number) => void }): Promise<{ sha256: string; bytes: number }> {
  let res: Response;
  const signal = deadline(o.signal, o.timeoutMs);
  try {
    res = await fetch(url, { signal });
  } catch (err) { throw unreachable(url, err); }
  if (!res.ok || !res.body) throw new StepFailure(`${url} answered ${res.status} ${res.statusText}`, res.status === 404 ? 'check the schematic id and the version (talos:schematic, talos:image)' : undefined);
  await mkdir(dirname(dest), { recursive: true });
  const tmp = `${dest}.rackhand-${process.pid}.part`;
  const hash = createHash('sha256');
  let bytes = 0;
  const count = new Transform({ transform(chunk: Buffer, _e, done) { hash.update(chunk); bytes += chunk.length; o.onProgress?.(bytes); done(null, chunk); } });
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), count, createWriteStream(tmp, { mode: 0o644 }), { signal });
    const sha256 = hash.digest('hex');
    if (o.sha256 && o.sha256.toLowerCase() !== sha256) throw new StepFailure(`${basename(dest)} from ${url} has sha256 ${sha256}, expected ${o.sha256}: not kept`);
    await rename(tmp, dest);
    await writeFile(`${dest}.sha256`, `${sha256}  ${basename(dest)}\n`);
    return { sha256, bytes };
  } catch (err) {
    if (err instanceof StepFailure) throw err;
    // a local file error is not the network's: say it as it is
    if (typeof (err as { code?: unknown }).code === 'string' && /^E[A-Z]+$/.test((err as { code: string }).code) && (err as { syscall?: string }).syscall) throw new StepFailure(`writing ${dest}: ${(err as Error).message}`);
    throw unreachable(url, err);
  } finally {
    await rm(tmp, { force: true });
  }
}
