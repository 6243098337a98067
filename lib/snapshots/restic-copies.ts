// Cluster-state snapshots kept in a restic repository (rackhand.yaml clusters.<name>.snapshots.restic), beside the
// folder copy: each copy is one restic snapshot holding one file, `/<snapshot name>`, backed up through stdin, with
// its description in tags (rackhand-etcd, cluster=, node=, sha256=, ...) so listing needs no download, and a copy
// fetched back is checked against the sha256 it was stored with.
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StepFailure, type TaskContext } from '../engine/types.ts';
import { resolveEnvRefs } from '../secrets/env-refs.ts';
import { Restic, type Snapshot } from '../tools/restic.ts';
import { ensurePrivateDir, sha256File, writeSidecar, type OffNodeCopy } from './offnode.ts';

export const SNAPSHOT_TAG = 'rackhand-etcd';

export interface RepoCopy extends Omit<OffNodeCopy, 'path'> { id: string; shortId: string }

const perRun = new WeakMap<object, Promise<Restic>>();

/** The snapshot repository of the run's cluster (credentials resolved once per run), or undefined when none is set. */
export function snapshotRepo(ctx: TaskContext): Promise<Restic> | undefined {
  const configured = ctx.cluster.snapshots?.restic;
  if (!configured) return undefined;
  let r = perRun.get(ctx.data);
  if (!r) {
    r = resolveEnvRefs(ctx, configured, `clusters.${ctx.cluster.name}.snapshots.restic`).then((env) => new Restic(ctx.exec, env, 30 * 60_000));
    perRun.set(ctx.data, r);
  }
  return r;
}

export function repoLabel(ctx: TaskContext): string {
  return ctx.cluster.snapshots?.restic?.RESTIC_REPOSITORY ?? '';
}

function tagsOf(c: OffNodeCopy, cluster: string): string[] {
  return [SNAPSHOT_TAG, `cluster=${cluster}`, `name=${c.name}`, `node=${c.node}`, `sha256=${c.sha256}`, `size=${c.size}`, `distribution=${c.distribution}`,
    ...(c.version ? [`version=${c.version}`] : []), ...(c.revision !== undefined ? [`revision=${c.revision}`] : []), ...(c.keys !== undefined ? [`keys=${c.keys}`] : [])];
}

/** Stores a checked local copy in the repository; returns the restic snapshot id (undefined under --dry-run). */
export async function pushCopy(restic: Restic, c: OffNodeCopy, cluster: string): Promise<string | undefined> {
  return restic.backupFile(c.path, c.name, { host: `rackhand-${cluster}`, tags: tagsOf(c, cluster) });
}

function fromSnapshot(s: Snapshot): RepoCopy | undefined {
  const t = new Map((s.tags ?? []).flatMap((x) => { const i = x.indexOf('='); return i > 0 ? [[x.slice(0, i), x.slice(i + 1)] as const] : []; }));
  const name = t.get('name');
  const sha256 = t.get('sha256');
  if (!name || !sha256) return undefined;
  const num = (k: string) => (t.has(k) ? Number(t.get(k)) : undefined);
  const revision = num('revision');
  const keys = num('keys');
  return {
    id: s.id, shortId: s.short_id, name, sha256, node: t.get('node') ?? '?', size: num('size') ?? 0, created: s.time,
    distribution: t.get('distribution') === 'talos' ? 'talos' : 'k3s',
    ...(t.get('version') ? { version: t.get('version')! } : {}), ...(revision !== undefined ? { revision } : {}), ...(keys !== undefined ? { keys } : {}),
  };
}

/** The cluster's copies in the repository, oldest first. */
export async function repoCopies(restic: Restic, cluster: string): Promise<RepoCopy[]> {
  const snaps = await restic.tagged([SNAPSHOT_TAG, `cluster=${cluster}`]);
  return snaps.flatMap((s) => fromSnapshot(s) ?? []).sort((a, b) => a.created.localeCompare(b.created));
}

/** Fetches a copy from the repository into `dir` (0600), checks it against the sha256 it was stored with and writes
 *  its sidecar, so it is an ordinary folder copy from then on. */
export async function fetchCopy(restic: Restic, rc: RepoCopy, dir: string): Promise<OffNodeCopy> {
  await ensurePrivateDir(dir);
  const path = join(dir, rc.name);
  await restic.dumpTo(rc.id, `/${rc.name}`, path);
  const sha256 = await sha256File(path);
  if (sha256 !== rc.sha256) {
    await rm(path, { force: true });
    throw new StepFailure(`${rc.name} from the restic repository (snapshot ${rc.shortId}) does not match the sha256 it was stored with`, 'restic check --read-data; restore another snapshot');
  }
  const { id: _id, shortId: _s, ...meta } = rc;
  const copy: OffNodeCopy = { ...meta, path, size: (await stat(path)).size };
  await writeSidecar(copy);
  return copy;
}

/** Keeps the newest `keep` copies of the cluster in the repository; returns the names forgotten. */
export async function pruneRepo(restic: Restic, cluster: string, keep: number): Promise<string[]> {
  const all = await repoCopies(restic, cluster);
  const drop = all.slice(0, Math.max(0, all.length - keep));
  if (drop.length) await restic.forget(drop.map((d) => d.id));
  return drop.map((d) => d.name);
}
