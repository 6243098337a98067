// Helpers for the VolSync suites: real restic against a lab repository, folder hashes, waiting on status.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import type { Lab } from '../../lab/lab.js';
import type { KObject } from '../../lab/store/types.js';
import { ok, until } from './kubectl.js';

export const RS = 'replicationsources.volsync.backube';
export const RD = 'replicationdestinations.volsync.backube';

export async function restic(lab: Lab, app: string, ...argv: string[]) {
  const r = await execa('restic', argv, { env: { PATH: process.env.PATH ?? '', HOME: lab.dir, TZ: 'UTC', ...lab.volsync.repository(app) }, extendEnv: false, reject: false, timeout: 60_000 });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export async function snapshots(lab: Lab, app: string): Promise<{ id: string; short_id: string; time: string; hostname: string }[]> {
  const r = await restic(lab, app, 'snapshots', '--json');
  if (r.exitCode !== 0) throw new Error(`restic snapshots failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** relative path => sha256 of every file under dir */
export async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const p = join(e.parentPath, e.name);
    out[relative(dir, p)] = createHash('sha256').update(await readFile(p)).digest('hex');
  }
  return Object.fromEntries(Object.entries(out).sort());
}

export const get = (lab: Lab, resource: string, ns: string, name: string): KObject | undefined => lab.store.find(resource, ns, name);

export async function patch(lab: Lab, kind: string, ns: string, name: string, body: unknown): Promise<void> {
  await ok(lab, 'patch', kind, name, '-n', ns, '--type', 'merge', '-p', JSON.stringify(body));
}

export async function waitSynced(lab: Lab, resource: string, ns: string, name: string, trigger: string, timeoutMs = 20_000): Promise<KObject> {
  await until(`${resource} ${ns}/${name} lastManualSync=${trigger}`, () => get(lab, resource, ns, name)?.status?.lastManualSync === trigger, timeoutMs);
  return get(lab, resource, ns, name)!;
}

export async function waitFailed(lab: Lab, resource: string, ns: string, name: string, timeoutMs = 20_000): Promise<KObject> {
  await until(`${resource} ${ns}/${name} latestMoverStatus Failed`, () => get(lab, resource, ns, name)?.status?.latestMoverStatus?.result === 'Failed', timeoutMs);
  return get(lab, resource, ns, name)!;
}

export function restoreDestination(name: string, ns: string, restic: Record<string, unknown>, trigger: string) {
  return JSON.stringify({
    apiVersion: 'volsync.backube/v1alpha1', kind: 'ReplicationDestination', metadata: { name, namespace: ns },
    spec: { trigger: { manual: trigger }, restic: { copyMethod: 'Direct', moverSecurityContext: { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 }, ...restic } },
  });
}

let applied = 0;
/** kubectl apply -f of one manifest (written to a file in the lab dir) */
export async function apply(lab: Lab, manifest: string): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  const file = join(lab.dir, `manifest-${++applied}.json`);
  await writeFile(file, manifest);
  await ok(lab, 'apply', '-f', file);
}
