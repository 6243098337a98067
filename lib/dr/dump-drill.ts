// pg_dump backups on a volume or an NFS export (backups.dumps.<name>), checked and drilled from a throwaway
// PostgreSQL pod that mounts them read-only: the dumps are listed (name, size, time), the newest held to the RPO and
// their number to the retention, every file read whole (custom format: `pg_restore --list` for its table of contents,
// then `pg_restore -f /dev/null` reading every data block; plain gzipped: `gzip -t`; plain: pg_dump's closing
// "PostgreSQL database dump complete" line), then the newest loaded into the pod's own database and the verification
// queries run. The pod runs where the dumps can be mounted: the scratch namespace for NFS, the claim's own namespace
// for a PVC (a claim is mounted only in its namespace); it is deleted in every case.
import { randomBytes } from 'node:crypto';
import picomatch from 'picomatch';
import type { DumpTarget } from '../config/databases.ts';
import type { TaskContext } from '../engine/types.ts';
import { StepFailure } from '../engine/types.ts';
import { RESTRICTED_CONTAINER } from '../k8s/restricted.ts';
import { formatBytes, formatDuration } from '../patterns.ts';
import { condition, type KubeObject, type Pod } from '../tools/kube-types.ts';
import { deleteAndWait } from '../k8s/gone.ts';
import { watched } from '../k8s/watch.ts';
import { waitUntil } from '../wait.ts';
import { failed, type DrillResult } from './drill.ts';
import { createScratch, deleteScratch, scratchNamespace } from './scratch.ts';
import { execError, runVerifications } from './sql-verify.ts';

// postgres' own image, Debian based (find, gzip, tail, pg_restore, psql); a dump restores with its major or newer
export const DEFAULT_DUMP_IMAGE = 'docker.io/library/postgres:17.2';
const MOUNT = '/dumps';
const DEFAULT_PATTERNS = ['*.dump', '*.sql.gz', '*.sql'];
const seconds = (ms: number) => Math.round(ms / 100) / 10;

export interface DumpFile { name: string; bytes: number; time: string; format: 'custom' | 'plain-gz' | 'plain'; ok?: boolean; message?: string }

export interface DumpDrillOptions {
  timeoutMs: number;
  keepOnFailure: boolean;
  output(text: string): void;
}

/** where the drill pod of a dump target runs, and what removes it */
export function dumpPlace(name: string, t: DumpTarget): { namespace: string; pod: string; scratch: boolean } {
  const pod = `rackhand-dump-drill-${name}`.slice(0, 63).replace(/-+$/, '');
  return t.nfs ? { namespace: scratchNamespace(`dump-${name}`), pod, scratch: true } : { namespace: t.namespace, pod, scratch: false };
}

const formatOf = (file: string): DumpFile['format'] => (/\.gz$/.test(file) ? 'plain-gz' : /\.sql$/.test(file) ? 'plain' : 'custom');

export function renderDumpPod(name: string, t: DumpTarget, password: string): KubeObject {
  const place = dumpPlace(name, t);
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: place.pod, namespace: place.namespace, labels: { 'app.kubernetes.io/managed-by': 'rackhand', 'rackhand.dev/drill': `dump.${name}` } },
    spec: {
      restartPolicy: 'Never',
      // the image runs as any uid whose data folder is writable (docker-library/postgres README "Arbitrary --user Notes")
      securityContext: { runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, fsGroup: 999, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{
        name: 'postgres', image: t.image ?? DEFAULT_DUMP_IMAGE, securityContext: RESTRICTED_CONTAINER,
        env: [
          { name: 'POSTGRES_PASSWORD', value: password },
          { name: 'POSTGRES_DB', value: t.database ?? 'postgres' },
          { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
        ],
        readinessProbe: { exec: { command: ['pg_isready', '-U', 'postgres'] }, periodSeconds: 2 },
        volumeMounts: [
          { name: 'dumps', mountPath: MOUNT, readOnly: true },
          { name: 'data', mountPath: '/var/lib/postgresql/data' },
          { name: 'run', mountPath: '/var/run/postgresql' },
          { name: 'tmp', mountPath: '/tmp' },
        ],
      }],
      volumes: [
        t.nfs ? { name: 'dumps', nfs: { server: t.nfs.server, path: t.nfs.path, readOnly: true } } : { name: 'dumps', persistentVolumeClaim: { claimName: t.pvc!, readOnly: true } },
        { name: 'data', emptyDir: {} }, { name: 'run', emptyDir: {} }, { name: 'tmp', emptyDir: { medium: 'Memory' } },
      ],
    },
  } as KubeObject;
}

/** `find -printf` lines: name<TAB>bytes<TAB>epoch seconds (GNU findutils) */
export function parseListing(text: string, pattern?: string): DumpFile[] {
  const match = picomatch(pattern ? [pattern] : DEFAULT_PATTERNS, { dot: false });
  return text.split('\n').map((l) => l.split('\t')).filter((p) => p.length === 3 && match(p[0]!))
    .map(([name, bytes, t]) => ({ name: name!, bytes: Number(bytes), time: new Date(Number(t) * 1000).toISOString(), format: formatOf(name!) }))
    .sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
}

export async function drillDump(ctx: TaskContext, name: string, t: DumpTarget, o: DumpDrillOptions): Promise<DrillResult & { dumps?: DumpFile[] }> {
  const started = Date.now();
  const place = dumpPlace(name, t);
  const where = t.nfs ? `nfs ${t.nfs.server}:${t.nfs.path}` : `PVC ${t.namespace}/${t.pvc}`;
  const r: DrillResult & { dumps?: DumpFile[] } = { app: `${t.namespace}/${name}`, kind: 'dump', scratchNamespace: place.namespace, ok: false, startedAt: new Date(started).toISOString(), finishedAt: '', checks: [], kept: false };
  const check = (c: string, ok: boolean, message: string) => { r.checks.push({ name: c, ok, message }); if (!ok) throw new StepFailure(`${r.app}: ${c}: ${message}`, `npx tsx tasks db:verify-dumps --name ${name}`); };
  const dir = t.path ? `${MOUNT}/${t.path.replace(/\/+$/, '')}` : MOUNT;
  const exec = (argv: string[]) => ctx.kubectl.execIn(place.namespace, place.pod, 'postgres', argv, Math.min(o.timeoutMs, 600_000));
  const password = randomBytes(18).toString('base64url');
  ctx.exec.registerSecret(password);
  try {
    // 1. The throwaway PostgreSQL, mounting the dumps read-only.
    if (place.scratch) {
      if (await ctx.kubectl.get('namespace', place.namespace)) await deleteScratch(ctx, place.namespace, o.timeoutMs);
      await createScratch(ctx, place.namespace, { name: `dump-${name}`, namespace: t.namespace });
    } else if (await ctx.kubectl.get('pod', place.pod, place.namespace)) {
      await deletePod(ctx, place, o.timeoutMs);
    }
    await ctx.kubectl.apply(renderDumpPod(name, t, password));
    if (ctx.dryRun) { r.ok = true; return r; }
    o.output(`throwaway PostgreSQL ${place.namespace}/${place.pod} mounts ${where} read-only`);
    await waitUntil({
      what: `pod ${place.namespace}/${place.pod} to be Ready`, timeoutMs: o.timeoutMs, signal: ctx.signal, ...watched(ctx, 'pods', place.namespace, place.pod, 500),
      probe: async () => {
        const p = await ctx.kubectl.get<Pod>('pod', place.pod, place.namespace);
        return p && condition(p, 'Ready')?.status === 'True' ? { done: true, value: undefined } : { done: false, seen: p?.status?.phase ?? 'not created' };
      },
    });

    // 2. The dumps there, their number, and each one read whole.
    const ls = await exec(['find', dir, '-maxdepth', '1', '-type', 'f', '-printf', '%f\\t%s\\t%T@\\n']);
    if (ls.exitCode !== 0) check(`dumps in ${where}${t.path ? ` at ${t.path}` : ''}`, false, execError(ls));
    const files = parseListing(ls.stdout, t.pattern);
    r.dumps = files;
    const newest = files[files.length - 1];
    check('dumps found', files.length > 0, files.length ? `${files.length}, newest ${newest!.name} (${formatBytes(newest!.bytes)}, ${newest!.time})` : `no file matching ${t.pattern ?? DEFAULT_PATTERNS.join(', ')} in ${dir}`);
    r.latestSnapshot = { id: newest!.name, time: newest!.time };
    for (const f of files) {
      const path = `${dir}/${f.name}`;
      if (f.format === 'custom') {
        const list = await exec(['pg_restore', '--list', path]);
        const whole = list.exitCode === 0 ? await exec(['pg_restore', '-f', '/dev/null', path]) : list;
        f.ok = list.exitCode === 0 && whole.exitCode === 0;
        f.message = f.ok ? `${list.stdout.split('\n').filter((l) => /^\d+;/.test(l)).length} archive entries, every block readable` : execError(whole);
      } else if (f.format === 'plain-gz') {
        const g = await exec(['gzip', '-t', path]);
        f.ok = g.exitCode === 0;
        f.message = f.ok ? 'gzip stream intact' : execError(g);
      } else {
        // pg_dump ends a plain dump with this comment (src/bin/pg_dump/pg_backup_archiver.c)
        const tail = await exec(['tail', '-n', '4', path]);
        f.ok = tail.exitCode === 0 && /PostgreSQL database dump complete/.test(tail.stdout);
        f.message = f.ok ? 'ends with "PostgreSQL database dump complete"' : 'no "PostgreSQL database dump complete" at its end: cut short';
      }
      o.output(`${f.ok ? 'ok    ' : 'BROKEN'} ${f.name}: ${f.message}`);
    }
    const broken = files.filter((f) => !f.ok);
    r.checks.push({ name: 'every dump is whole', ok: !broken.length, message: broken.length ? broken.map((f) => `${f.name}: ${f.message}`).join('; ') : `${files.length} read whole` });
    if (t.retention !== undefined) {
      r.checks.push({ name: 'dumps kept match retention', ok: files.length === t.retention,
        message: files.length === t.retention ? `${files.length} (retention ${t.retention})` : files.length < t.retention ? `${files.length}, retention keeps ${t.retention}: dumps are missing` : `${files.length}, retention keeps ${t.retention}: old dumps are not being removed` });
    }

    // 3. The newest loaded into the throwaway database, then the verification queries.
    const db = t.database ?? 'postgres';
    const restoreStarted = Date.now();
    o.output(`loading ${newest!.name} into database ${db}`);
    const path = `${dir}/${newest!.name}`;
    const load = newest!.format === 'custom'
      ? await exec(['pg_restore', '-U', 'postgres', '-d', db, '--no-owner', '--no-privileges', '--exit-on-error', path])
      : newest!.format === 'plain-gz'
        ? await exec(['sh', '-c', 'gunzip -c "$1" | psql -X -q -v ON_ERROR_STOP=1 -U postgres -d "$2"', 'sh', path, db])
        : await exec(['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-U', 'postgres', '-d', db, '-f', path]);
    check(`newest dump ${newest!.name} loads`, load.exitCode === 0, load.exitCode === 0 ? `into ${db}` : execError(load));
    r.restoreSeconds = seconds(Date.now() - restoreStarted);
    r.restoredSnapshot = { id: newest!.name, time: newest!.time };
    const checks = await runVerifications(ctx, { namespace: place.namespace, pod: place.pod, container: 'postgres' }, t.verify ?? [], o.timeoutMs);
    r.checks.push(...checks);
    const bad = checks.find((c) => !c.ok) ?? r.checks.find((c) => !c.ok);
    if (bad) throw new StepFailure(`${r.app}: ${bad.name}: ${bad.message}`, `npx tsx tasks db:verify-dumps --name ${name} --keep-on-failure`);
    const verified = Date.now();
    r.rtoSeconds = seconds(verified - started);
    r.dataAgeSeconds = seconds(verified - Date.parse(newest!.time));
    r.recoveryPoint = newest!.time;
    r.detail = `${files.length} dumps whole, newest loaded in ${formatDuration(r.restoreSeconds * 1000)}, ${checks.length} quer${checks.length === 1 ? 'y' : 'ies'} passed`;
    r.ok = true;
    return r;
  } catch (err) {
    return failed(ctx, r, err);
  } finally {
    r.finishedAt = new Date().toISOString();
    if (!ctx.signal.aborted) {
      if (!r.ok && o.keepOnFailure) {
        r.kept = true;
        o.output(`kept ${place.namespace}/${place.pod} for inspection; remove it with: ${removeDumpPodByHand(name, t)}`);
      } else {
        await removeDumpPod(ctx, name, t, o.timeoutMs).catch((err: Error) => {
          r.checks.push({ name: 'teardown', ok: false, message: `${place.namespace}/${place.pod} was not deleted: ${err.message}` });
          r.ok = false;
        });
      }
    }
  }
}

const deletePod = (ctx: TaskContext, place: { namespace: string; pod: string }, timeoutMs: number) => deleteAndWait(ctx, 'pods', place.pod, place.namespace, timeoutMs);

/** the drill pod gone: its scratch namespace (NFS), or the pod itself (in the claim's namespace) */
export async function removeDumpPod(ctx: TaskContext, name: string, t: DumpTarget, timeoutMs: number): Promise<void> {
  const place = dumpPlace(name, t);
  if (place.scratch) await deleteScratch(ctx, place.namespace, timeoutMs);
  else await deletePod(ctx, place, timeoutMs);
}

export function removeDumpPodByHand(name: string, t: DumpTarget): string {
  const place = dumpPlace(name, t);
  return place.scratch ? `kubectl delete namespace ${place.namespace} --ignore-not-found` : `kubectl delete pod -n ${place.namespace} ${place.pod} --ignore-not-found`;
}
