// Restoring a k3s cluster's state from an etcd snapshot, docs.k3s.io/datastore/backup-restore: stop k3s on every
// server; on the first, `k3s server --cluster-reset --cluster-reset-restore-path=<file>` (it prints "Managed etcd
// cluster membership has been reset, restart without --cluster-reset flag now" and exits; a second reset is refused
// while server/db/reset-flag exists: pkg/etcd/etcd.go); start it; on every other server move server/db aside before
// it starts again (a server that rejoins with its old db/ cannot join the reset cluster: k3s-io/k3s issues 2337 and
// 13085). Progress is kept in .rackhand/restores/<cluster>.json so an interrupted restore resumes instead of
// resetting twice.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeConfig } from '../config.ts';
import { StepFailure } from '../engine/types.ts';
import type { K3sNodes } from './nodes.ts';

export const DB = '/var/lib/rancher/k3s/server/db';
export const RESET_FLAG = `${DB}/reset-flag`;
export const RESET_DONE = /restart without --cluster-reset flag now/;

export interface RestoreProgress { snapshot: string; sha256: string; resetOn?: string; resetAt?: string; /** the first server runs the reset cluster and the API answered */ firstUpAt?: string }

const file = (stateDir: string, cluster: string) => join(stateDir, 'restores', `${cluster}.json`);

export function readRestoreProgress(stateDir: string, cluster: string): RestoreProgress | undefined {
  const f = file(stateDir, cluster);
  if (!existsSync(f)) return undefined;
  try { return JSON.parse(readFileSync(f, 'utf8')) as RestoreProgress; } catch { return undefined; }
}

export function saveRestoreProgress(stateDir: string, cluster: string, p: RestoreProgress | undefined): void {
  const f = file(stateDir, cluster);
  if (!p) { rmSync(f, { force: true }); return; }
  mkdirSync(join(stateDir, 'restores'), { recursive: true });
  writeFileSync(`${f}.tmp`, JSON.stringify(p, null, 2));
  renameSync(`${f}.tmp`, f);
}

/** sha256 of a file on a node (root), or undefined when it is not there. */
export async function remoteSha256(nodes: K3sNodes, n: NodeConfig, path: string): Promise<string | undefined> {
  const r = await nodes.run(n, ['sha256sum', path], { sudo: true });
  return r.exitCode === 0 ? r.stdout.trim().split(/\s+/)[0] : undefined;
}

export async function clusterReset(nodes: K3sNodes, first: NodeConfig, path: string, timeoutMs: number): Promise<void> {
  const argv = ['k3s', 'server', '--cluster-reset', `--cluster-reset-restore-path=${path}`];
  const r = await nodes.ssh.run(nodes.target(first), argv, { sudo: true, mutating: true, timeoutMs });
  if (r.dryRun) return;
  if (r.exitCode !== 0 || !RESET_DONE.test(r.stderr)) {
    const said = (r.stderr.match(/msg="([^"]+)"/g) ?? []).pop()?.slice(5, -1) ?? r.stderr.trim().split('\n').pop();
    throw new StepFailure(`${first.name}: the cluster reset did not finish (exit ${r.exitCode}): ${said}`, `ssh ${first.name} sudo journalctl -u k3s -n 50 --no-pager`);
  }
}
