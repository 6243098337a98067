// k3s etcd snapshots: taken on a server (`k3s etcd-snapshot save --name N`, logs `Snapshot <name> saved.` on
// stderr), listed (`k3s etcd-snapshot ls -o json`, an ETCDSnapshotFileList with status.size as a string quantity;
// older k3s have no -o and print a table: Name Location Size Created), copied off-node byte for byte over SSH and
// checked against the node's sha256sum, and kept to a retention count. Sources: k3s-io/k3s pkg/etcd/snapshot.go,
// pkg/cli/etcdsnapshot/etcd_snapshot.go; docs.k3s.io/cli/etcd-snapshot. A copy is read by etcd's own tools where they
// are installed here (revision, key count; a damaged file is refused).
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeConfig } from '../config.ts';
import { StepFailure } from '../engine/types.ts';
import type { K3sNodes } from './nodes.ts';
import { ensurePrivateDir, sha256File, writeSidecar, type OffNodeCopy } from '../snapshots/offnode.ts';
import { readSnapshot } from '../snapshots/etcd-check.ts';

export const DEFAULT_SNAPSHOT_DIR = '/var/lib/rancher/k3s/server/db/snapshots';

export interface NodeSnapshot { name: string; node: string; location: string; size: number; created: string }


/** The snapshot dir a server uses: --etcd-snapshot-dir from its args, else the default. */
export function snapshotDir(args: string[] | undefined): string {
  for (let i = 0; i < (args ?? []).length; i++) {
    const a = args![i]!;
    if (a === '--etcd-snapshot-dir') return args![i + 1] ?? DEFAULT_SNAPSHOT_DIR;
    if (a.startsWith('--etcd-snapshot-dir=')) return a.slice('--etcd-snapshot-dir='.length);
  }
  return DEFAULT_SNAPSHOT_DIR;
}

export async function saveSnapshot(nodes: K3sNodes, server: NodeConfig, name: string, dir: string): Promise<{ name: string; path: string } | undefined> {
  const r = await nodes.mutate(server, ['k3s', 'etcd-snapshot', 'save', '--name', name], { sudo: true, timeoutMs: 10 * 60_000 });
  if (r.dryRun) return undefined;
  const saved = /Snapshot (\S+) saved\./.exec(r.stderr)?.[1];
  if (!saved) throw new StepFailure(`${server.name}: k3s etcd-snapshot save did not say which snapshot it saved`, `ssh ${server.name} sudo k3s etcd-snapshot ls`);
  return { name: saved, path: `${dir}/${saved}` };
}

export async function listSnapshots(nodes: K3sNodes, server: NodeConfig): Promise<NodeSnapshot[]> {
  const json = await nodes.run(server, ['k3s', 'etcd-snapshot', 'ls', '-o', 'json'], { sudo: true });
  if (json.exitCode === 0) {
    const list = JSON.parse(json.stdout) as { items?: { spec?: { snapshotName?: string; nodeName?: string; location?: string }; status?: { size?: string; creationTime?: string } }[] };
    return (list.items ?? []).map((i) => ({
      name: i.spec?.snapshotName ?? '', node: i.spec?.nodeName ?? server.name, location: i.spec?.location ?? '',
      size: Number.parseInt(i.status?.size ?? '0', 10), created: i.status?.creationTime ?? '',
    }));
  }
  // k3s before -o (urfave/cli: "flag provided but not defined: -o"): the table
  if (!/flag provided but not defined/.test(json.stderr)) throw nodes.commandFailed(server, ['k3s', 'etcd-snapshot', 'ls', '-o', 'json'], json.stderr);
  const table = await nodes.ok(server, ['k3s', 'etcd-snapshot', 'ls'], { sudo: true });
  return table.stdout.split('\n').slice(1).filter((l) => l.trim()).map((l) => {
    const [name = '', location = '', size = '0', created = ''] = l.trim().split(/\s+/);
    return { name, node: server.name, location, size: Number(size), created };
  });
}

/** Copies a snapshot off the node into `dir` (0600) and checks it against the node's sha256sum. */
export async function copyOffNode(nodes: K3sNodes, server: NodeConfig, remote: string, dir: string, meta: { version?: string }): Promise<OffNodeCopy> {
  await ensurePrivateDir(dir);
  const name = remote.split('/').pop()!;
  const local = join(dir, name);
  const got = await nodes.run(server, ['cat', remote], { sudo: true, stdoutFile: local, timeoutMs: 30 * 60_000 });
  if (got.exitCode !== 0) throw nodes.commandFailed(server, ['cat', remote], got.stderr);
  const sum = await nodes.ok(server, ['sha256sum', remote], { sudo: true });
  const remoteSha = sum.stdout.trim().split(/\s+/)[0];
  const sha256 = await sha256File(local);
  if (remoteSha !== sha256) {
    await rm(local, { force: true });
    throw new StepFailure(`the copy of ${name} from ${server.name} does not match it (sha256 ${sha256.slice(0, 12)}… here, ${remoteSha?.slice(0, 12)}… there)`, 'run it again: the copy was removed');
  }
  const size = (await stat(local)).size;
  const read = await readSnapshot(nodes.ctx.exec, local);
  if ('unreadable' in read) {
    await rm(local, { force: true });
    throw new StepFailure(`${name} from ${server.name} is not a readable etcd snapshot (${read.unreadable}): it was damaged on the node; the copy was removed`,
      `ssh ${server.name} sudo k3s etcd-snapshot delete ${name}; check the node's disk, then take another snapshot`);
  }
  const copy: OffNodeCopy = {
    name, path: local, node: server.name, size, sha256, created: new Date().toISOString(), distribution: 'k3s', ...(meta.version ? { version: meta.version } : {}),
    ...('status' in read ? { revision: read.status.revision, keys: read.status.totalKey } : {}),
  };
  await writeSidecar(copy);
  return copy;
}

