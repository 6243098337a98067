// etcd's own reading of a snapshot copied off a node, where etcd's tools are installed here (etcdutl, or etcdctl
// 3.4/3.5): its revision and key count go into the sidecar, and a file etcd cannot read (a damaged disk on the node:
// the node's own sha256sum agrees with the damage) is refused while the node still has a chance to take another.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Executor } from '../exec.ts';
import { EtcdSnapshotTools, findEtcdTools, type SnapshotStatus } from '../tools/etcd.ts';

export type EtcdReading = { status: SnapshotStatus; tool: string } | { unreadable: string } | { unchecked: string };

/** The sha256 etcd appends to a snapshot it streams (a file whose size % 512 == 32 has one: etcd-io/etcd
 *  etcdutl/snapshot/v3_snapshot.go, the check `snapshot restore` makes; Talos's etcd snapshot checks the same). */
export async function appendedHash(path: string): Promise<'ok' | 'mismatch' | 'absent'> {
  const { size } = await stat(path);
  if (size < 32 || size % 512 !== 32) return 'absent';
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { start: 0, end: size - 33 })) h.update(chunk as Buffer);
  const tail = Buffer.alloc(32);
  const f = await open(path, 'r');
  try { await f.read(tail, 0, 32, size - 32); } finally { await f.close(); }
  return h.digest().equals(tail) ? 'ok' : 'mismatch';
}

export async function readSnapshot(exec: Executor, path: string): Promise<EtcdReading> {
  const hash = await appendedHash(path);
  if (hash === 'mismatch') return { unreadable: 'the sha256 etcd appended does not match the data' };
  const found = await findEtcdTools(exec);
  if ('missing' in found) return { unchecked: found.missing };
  try {
    return { status: await new EtcdSnapshotTools(exec, found).status(path), tool: `${found.snapshotTool} ${found.version}` };
  } catch (err) {
    return { unreadable: (err as Error).message.trim().split('\n').at(-1) ?? 'unreadable' };
  }
}
