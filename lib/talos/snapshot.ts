// etcd snapshots kept on the workstation: .rackhand/snapshots/<cluster>/etcd-<time>.db, mode 0600 (an etcd snapshot
// holds every Secret of the cluster), with size and sha256 reported.
import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClusterConfig } from '../config.ts';
import type { Talosctl } from '../tools/talosctl.ts';

export interface SnapshotResult { path: string; bytes: number; sha256: string; node: string; dryRun: boolean; revision?: number; keys?: number }

export function snapshotPath(stateDir: string, cluster: string, when = new Date()): string {
  return join(stateDir, 'snapshots', cluster, `etcd-${when.toISOString().replace(/[:.]/g, '-')}.db`);
}

/** Takes the snapshot from the first control plane in `from` (talosctl etcd snapshot is single-node). */
export async function takeEtcdSnapshot(talosctl: Talosctl, cluster: ClusterConfig, stateDir: string, from = cluster.nodes.filter((n) => n.role === 'controlplane')): Promise<SnapshotResult> {
  const node = from[0];
  if (!node) throw new Error(`cluster ${cluster.name} has no control plane in rackhand.yaml`);
  const path = snapshotPath(stateDir, cluster.name);
  // talosctl creates the file itself (its .part, then a rename): it runs with umask 077, so the file is 0600 from its
  // first byte, and the folder is 0700 (also when it already existed, looser)
  const dir = join(stateDir, 'snapshots', cluster.name);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const r = await talosctl.etcdSnapshot(node.address, path);
  if (r.dryRun) return { path, bytes: 0, sha256: '', node: node.name, dryRun: true };
  const bytes = (await stat(path)).size;
  const sha256 = createHash('sha256').update(await readFile(path)).digest('hex');
  return { path, bytes, sha256, node: node.name, dryRun: false, ...(r.revision !== undefined ? { revision: r.revision, keys: r.keys } : {}) };
}
