// etcd's own tools for snapshot files, on the workstation: `etcdutl snapshot status|restore` (etcd 3.5+, where these
// moved from etcdctl: etcd-io/etcd etcdutl/README.md), else `etcdctl snapshot status|restore` (etcd 3.4, Debian
// bookworm's etcd-client; deprecated in 3.5, removed in 3.6: etcd-io/etcd CHANGELOG-3.6.md); `etcd` itself for a
// throwaway member and `etcdctl get` to read it. Output shapes: `snapshot status -w json` prints
// {"hash","revision","totalKey","totalSize"} (etcdutl/snapshot/v3_snapshot.go Status); `get --keys-only -w json`
// prints {"header","kvs":[{"key": base64}],"count"} (etcdctl/ctlv3/command/printer_json.go).
import type { Executor } from '../exec.ts';
import { parseSemver, compareSemver } from './talosctl.ts';

export interface SnapshotStatus { hash: number; revision: number; totalKey: number; totalSize: number }

export interface EtcdToolset {
  /** the binary that reads and restores snapshot files, and its version */
  snapshotTool: 'etcdutl' | 'etcdctl';
  version: string;
}

/** What is installed: etcdutl, else an etcdctl before 3.6; undefined with the reason when neither will do. */
export async function findEtcdTools(exec: Executor): Promise<EtcdToolset | { missing: string }> {
  const v = async (bin: string) => {
    const r = await exec.run([bin, 'version'], { mutating: false, timeoutMs: 10_000 });
    // "etcdutl version: 3.5.17" / "etcdctl version: 3.4.23" (first line)
    return r.exitCode === 0 ? /version:\s*(\d+\.\d+\.\d+)/.exec(r.stdout)?.[1] : undefined;
  };
  const utl = await v('etcdutl');
  if (utl) return { snapshotTool: 'etcdutl', version: utl };
  const ctl = await v('etcdctl');
  if (ctl && compareSemver(parseSemver(ctl)!, parseSemver('3.6.0')!) < 0) return { snapshotTool: 'etcdctl', version: ctl };
  return { missing: ctl ? `etcdctl ${ctl} has no snapshot restore (etcd 3.6 moved it to etcdutl) and etcdutl is not installed` : 'neither etcdutl nor etcdctl is installed' };
}

export class EtcdSnapshotTools {
  constructor(private readonly exec: Executor, readonly tools: EtcdToolset) {}

  async status(file: string): Promise<SnapshotStatus> {
    const r = await this.exec.ok([this.tools.snapshotTool, 'snapshot', 'status', file, '-w', 'json'], { mutating: false, timeoutMs: 5 * 60_000 });
    return JSON.parse(r.stdout) as SnapshotStatus;
  }

  /** Restores into a new data dir as a one-member cluster `name` at `peer` (the appended sha256 is checked). */
  async restore(file: string, dataDir: string, name: string, peer: string): Promise<void> {
    await this.exec.ok([this.tools.snapshotTool, 'snapshot', 'restore', file, '--data-dir', dataDir, '--name', name,
      '--initial-cluster', `${name}=${peer}`, '--initial-advertise-peer-urls', peer], { mutating: false, timeoutMs: 30 * 60_000 });
  }

  /** A throwaway etcd serving a restored data dir on 127.0.0.1 only. */
  serve(dataDir: string, name: string, peer: string, client: string, timeoutMs: number): { done: Promise<unknown>; stop(): Promise<unknown> } {
    return this.exec.background(['etcd', '--data-dir', dataDir, '--name', name, '--listen-client-urls', client, '--advertise-client-urls', client,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `${name}=${peer}`, '--log-level', 'error'], { timeoutMs });
  }

  /** `etcdctl endpoint health`: true once the member serves. */
  async healthy(client: string): Promise<boolean> {
    const r = await this.exec.run(['etcdctl', '--endpoints', client, '--command-timeout', '2s', 'endpoint', 'health'], { mutating: false, timeoutMs: 5_000 });
    return r.exitCode === 0;
  }

  /** Every key under `prefix`, without values. */
  async keys(client: string, prefix: string): Promise<string[]> {
    const r = await this.exec.ok(['etcdctl', '--endpoints', client, 'get', prefix, '--prefix', '--keys-only', '-w', 'json'], { mutating: false, timeoutMs: 5 * 60_000 });
    const out = JSON.parse(r.stdout) as { kvs?: { key: string }[] };
    return (out.kvs ?? []).map((kv) => Buffer.from(kv.key, 'base64').toString('utf8'));
  }
}
