// k3s etcd snapshots: taken on a server (`k3s etcd-snapshot save --name N`, logs `Snapshot <name> saved.` on
// stderr), listed (`k3s etcd-snapshot ls -o json`, an ETCDSnapshotFileList with status.size as a string quantity;
// older k3s have no -o and print a table: Name Location Size Created), copied off-node byte for byte over SSH and
// checked against the node's sha256sum, and kept to a retention count. Sources: k3s-io/k3s pkg/etcd/snapshot.go,
// pkg/cli/etcdsnapshot/etcd_snapshot.go; docs.k3s.io/cli/etcd-snapshot.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeConfig } from '../config.ts';
import { StepFailure } from '../engine/types.ts';
import type { K3sNodes } from './nodes.ts';

export const DEFAULT_SNAPSHOT_DIR = '/var/lib/rancher/k3s/server/db/snapshots';

export interface NodeSnapshot { name: string; node: string; location: string; size: number; created: string }

export interface OffNodeCopy {
  name: string;
  /** the local file */
  path: string;
  node: string;
  size: number;
  sha256: string;
  created: string;
  /** the k3s version of the server it was taken on */
  version?: string;
}

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

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Copies a snapshot off the node into `dir` (0600) and checks it against the node's sha256sum. */
export async function copyOffNode(nodes: K3sNodes, server: NodeConfig, remote: string, dir: string, meta: { version?: string }): Promise<OffNodeCopy> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
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
  const copy: OffNodeCopy = { name, path: local, node: server.name, size, sha256, created: new Date().toISOString(), ...(meta.version ? { version: meta.version } : {}) };
  await writeFile(`${local}.json`, `${JSON.stringify(copy, null, 2)}\n`, { mode: 0o600 });
  return copy;
}

/** The off-node copies in `dir`, oldest first (each described by its .json sidecar). */
export async function offNodeCopies(dir: string): Promise<OffNodeCopy[]> {
  if (!existsSync(dir)) return [];
  const out: OffNodeCopy[] = [];
  for (const f of await readdir(dir)) {
    if (!f.endsWith('.json')) continue;
    try {
      const c = JSON.parse(await readFile(join(dir, f), 'utf8')) as OffNodeCopy;
      if (existsSync(c.path)) out.push(c);
    } catch { /* not one of ours */ }
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
