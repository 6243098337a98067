// Cluster-state snapshots kept off the nodes: one folder per cluster (snapshots.dir/<cluster>, else
// .rackhand/snapshots/<cluster>), folder 0700, files 0600 (an etcd snapshot holds every Secret of the cluster), each
// described by a <file>.json sidecar (node, size, sha256, when, the version it was taken on) so a copy can be checked
// before it is restored and kept to a retention count.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TaskContext } from '../engine/types.ts';

export interface OffNodeCopy {
  name: string;
  /** the local file */
  path: string;
  node: string;
  size: number;
  sha256: string;
  created: string;
  distribution: 'k3s' | 'talos';
  /** the k3s or Talos version of the node it was taken on */
  version?: string;
  /** from the snapshot's own header where a tool read it (talosctl's snapshot info, etcdutl snapshot status) */
  revision?: number;
  keys?: number;
}

/** Where a cluster's snapshots are copied: snapshots.dir/<cluster>, else .rackhand/snapshots/<cluster>. */
export function offNodeDir(ctx: TaskContext): string {
  return join(ctx.cluster.snapshots?.dir ?? join(ctx.stateDir, 'snapshots'), ctx.cluster.name);
}

export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export async function writeSidecar(c: OffNodeCopy): Promise<void> {
  await writeFile(`${c.path}.json`, `${JSON.stringify(c, null, 2)}\n`, { mode: 0o600 });
}

/** The copies in `dir`, oldest first; a snapshot file without a sidecar (taken by talos:etcd-snapshot) is described
 *  from the file itself. */
export async function offNodeCopies(dir: string): Promise<OffNodeCopy[]> {
  if (!existsSync(dir)) return [];
  const files = await readdir(dir);
  const out: OffNodeCopy[] = [];
  for (const f of files) {
    if (f.endsWith('.json')) {
      try {
        const c = JSON.parse(await readFile(join(dir, f), 'utf8')) as OffNodeCopy;
        if (c.path && existsSync(c.path)) out.push(c);
      } catch { /* not one of ours */ }
    } else if (f.endsWith('.db') && !files.includes(`${f}.json`)) {
      const path = join(dir, f);
      const st = await stat(path);
      out.push({ name: f, path, node: '?', size: st.size, sha256: await sha256File(path), created: st.mtime.toISOString(), distribution: 'talos' });
    }
  }
  return out.sort((a, b) => a.created.localeCompare(b.created));
}

/** Keeps the newest `keep` copies; returns the names removed. */
export async function pruneCopies(dir: string, keep: number): Promise<string[]> {
  const all = await offNodeCopies(dir);
  const drop = all.slice(0, Math.max(0, all.length - keep));
  for (const c of drop) {
    await rm(c.path, { force: true });
    await rm(`${c.path}.json`, { force: true });
  }
  return drop.map((c) => c.name);
}
