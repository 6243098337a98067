// The lab's etcd snapshots as REAL etcd snapshot files (a bbolt database with etcd's sha256 appended), made and read
// with Debian's etcd-server and etcd-client: a throwaway etcd on 127.0.0.1 is filled with the datastore's objects
// under kube-apiserver's key layout (/registry/<resource>/<namespace>/<name>, /registry/<group>/<resource>/... for
// API groups that are not Kubernetes' own; k8s.io/apiserver pkg/storage/storagebackend), and `etcdctl snapshot save`
// writes the file; reading one is `etcdctl snapshot restore` (which checks the appended hash) into a temp dir and a
// range over every key. So `etcdutl snapshot status`, `etcdctl snapshot restore` and a throwaway etcd work on what the
// lab's k3s and talosctl hand out, as they would on a real cluster's. What only the lab needs (the datastore
// generation, the token hash, which lab resource a key prefix holds) is one more key, /rackhand-lab/meta, the way k3s
// keeps its own bootstrap data in etcd (/bootstrap/<token hash>).
import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatastoreDump } from './dump.js';
import type { KObject } from './types.js';

const META_KEY = '/rackhand-lab/meta';
const CORE_GROUPS = new Set(['', 'apps', 'batch', 'policy', 'autoscaling']);

interface Meta { format: DatastoreDump['format']; epoch: number; token: string; revision: number; prefixes: Record<string, string> }

/** kube-apiserver's prefix for a lab resource ("deployments.apps" => /registry/deployments). */
export function registryPrefix(resource: string): string {
  // the two the apiserver keeps under other names (pkg/registry/core/node/storage, service/storage)
  if (resource === 'nodes') return '/registry/minions';
  if (resource === 'services') return '/registry/services/specs';
  const dot = resource.indexOf('.');
  const [plural, group] = dot < 0 ? [resource, ''] : [resource.slice(0, dot), resource.slice(dot + 1)];
  return CORE_GROUPS.has(group) || group.endsWith('.k8s.io') ? `/registry/${plural}` : `/registry/${group}/${plural}`;
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => { const a = s.address(); s.close(() => ok(typeof a === 'object' && a ? a.port : 0)); });
  });
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

/** A throwaway etcd on its own data dir; stopped (and its dir removed by the caller) when done. */
async function withEtcd<T>(dataDir: string, name: string, peer: string, fn: (client: string) => Promise<T>): Promise<T> {
  const client = `http://127.0.0.1:${await freePort()}`;
  const etcd = execa('etcd', ['--data-dir', dataDir, '--name', name, '--listen-client-urls', client, '--advertise-client-urls', client,
    '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `${name}=${peer}`, '--log-level', 'error'],
  { reject: false, stdin: 'ignore', timeout: 120_000, forceKillAfterDelay: 2_000 });
  try {
    const deadline = Date.now() + 15_000;
    for (;;) {
      // etcd's /health answers {"health":"true"} once it serves (etcdserver/api/etcdhttp/metrics.go)
      const ok = await fetch(`${client}/health`).then((r) => r.ok, () => false);
      if (ok) break;
      if (etcd.exitCode !== null || Date.now() > deadline) throw new Error(`lab: etcd did not start on ${client}: ${String((await etcd).stderr ?? '').split('\n').slice(-3).join(' ')}`);
      await new Promise((r) => setTimeout(r, 40));
    }
    return await fn(client);
  } finally {
    etcd.kill('SIGTERM');
    await etcd;
  }
}

async function post<T>(client: string, path: string, body: object): Promise<T> {
  // the gRPC gateway's JSON API, /v3/... since etcd 3.4 (etcd.io/docs/v3.4/dev-guide/api_grpc_gateway)
  const r = await fetch(`${client}${path}`, { method: 'POST', body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`lab: etcd ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

/** The datastore as a real etcd snapshot file. */
export async function encodeEtcdSnapshot(d: DatastoreDump): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'rackhand-lab-etcd-'));
  try {
    const peer = `http://127.0.0.1:${await freePort()}`;
    return await withEtcd(join(dir, 'data'), 'lab', peer, async (client) => {
      const prefixes: Record<string, string> = {};
      const puts: { key: string; value: string }[] = [];
      for (const { resource, objects } of d.resources) {
        const prefix = registryPrefix(resource);
        prefixes[prefix] = resource;
        for (const o of objects) puts.push({ key: `${prefix}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`, value: JSON.stringify(o) });
      }
      const meta: Meta = { format: d.format, epoch: d.epoch, token: d.token, revision: d.revision, prefixes };
      puts.push({ key: META_KEY, value: JSON.stringify(meta) });
      // --max-txn-ops defaults to 128
      for (let i = 0; i < puts.length; i += 100) {
        await post(client, '/v3/kv/txn', { success: puts.slice(i, i + 100).map((p) => ({ requestPut: { key: b64(p.key), value: b64(p.value) } })) });
      }
      const file = join(dir, 'snapshot.db');
      const r = await execa('etcdctl', ['--endpoints', client, 'snapshot', 'save', file], { reject: false, env: { ETCDCTL_API: '3' }, timeout: 30_000 });
      if (r.exitCode !== 0) throw new Error(`lab: etcdctl snapshot save: ${r.stderr}`);
      return readFile(file);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export class CorruptSnapshot extends Error {}

/** Reads a real etcd snapshot back into the datastore it holds; CorruptSnapshot when etcd cannot restore it. */
export async function decodeEtcdSnapshot(file: Buffer, o: { skipHashCheck?: boolean } = {}): Promise<DatastoreDump> {
  const dir = await mkdtemp(join(tmpdir(), 'rackhand-lab-etcd-'));
  try {
    await writeFile(join(dir, 'snapshot.db'), file);
    const peer = `http://127.0.0.1:${await freePort()}`;
    const r = await execa('etcdctl', ['snapshot', 'restore', join(dir, 'snapshot.db'), '--data-dir', join(dir, 'data'), '--name', 'lab',
      '--initial-cluster', `lab=${peer}`, '--initial-advertise-peer-urls', peer, ...(o.skipHashCheck ? ['--skip-hash-check'] : [])], { reject: false, env: { ETCDCTL_API: '3' }, timeout: 30_000 });
    if (r.exitCode !== 0) throw new CorruptSnapshot(String(r.stderr).trim().split('\n').at(-1) ?? 'snapshot restore failed');
    return await withEtcd(join(dir, 'data'), 'lab', peer, async (client) => {
      // key "\0" with range_end "\0": every key (etcd api/etcdserverpb rpc.proto RangeRequest)
      const all = await post<{ kvs?: { key: string; value: string }[] }>(client, '/v3/kv/range', { key: b64('\0'), range_end: b64('\0') });
      const kvs = (all.kvs ?? []).map((kv) => ({ key: unb64(kv.key), value: unb64(kv.value) }));
      const metaKv = kvs.find((kv) => kv.key === META_KEY);
      if (!metaKv) throw new CorruptSnapshot('not a snapshot of a rackhand lab (no /rackhand-lab/meta key)');
      const meta = JSON.parse(metaKv.value) as Meta;
      const byResource = new Map<string, KObject[]>();
      const prefixes = Object.entries(meta.prefixes).sort((a, b) => b[0].length - a[0].length);
      for (const kv of kvs) {
        const hit = prefixes.find(([p]) => kv.key.startsWith(`${p}/`));
        if (!hit) continue;
        const list = byResource.get(hit[1]) ?? [];
        list.push(JSON.parse(kv.value) as KObject);
        byResource.set(hit[1], list);
      }
      return { format: meta.format, epoch: meta.epoch, token: meta.token, revision: meta.revision, resources: [...byResource].map(([resource, objects]) => ({ resource, objects })) };
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `etcdctl snapshot status -w json` of a snapshot file: {hash, revision, totalKey, totalSize} (etcdctl 3.4). */
export async function snapshotStatus(file: Buffer): Promise<{ hash: number; revision: number; totalKey: number; totalSize: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'rackhand-lab-etcd-'));
  try {
    await writeFile(join(dir, 'snapshot.db'), file);
    const r = await execa('etcdctl', ['snapshot', 'status', join(dir, 'snapshot.db'), '-w', 'json'], { reject: false, env: { ETCDCTL_API: '3' }, timeout: 30_000 });
    if (r.exitCode !== 0) throw new CorruptSnapshot(String(r.stderr).trim().split('\n').at(-1) ?? 'snapshot status failed');
    return JSON.parse(String(r.stdout)) as { hash: number; revision: number; totalKey: number; totalSize: number };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
