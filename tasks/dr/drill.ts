// dr:drill — restores every target's latest backup into a scratch namespace, verifies it in-cluster, measures
// restore duration, RTO and data age, and tears down; --cluster-state also restores the newest etcd snapshot into a
// throwaway etcd on this machine and counts its keys (lib/dr/cluster-state.ts). One target failing does not stop the others (a drill is a
// measurement, and the app itself is never touched); the run exits 1 if any failed. Report: JSON + Markdown;
// metrics: a Prometheus textfile and/or a Pushgateway.
import { join, resolve } from 'node:path';
import { toolPresent } from '../../lib/checks/tools.ts';
import { drillClusterState } from '../../lib/dr/cluster-state.ts';
import { judgeTargets, targetsFor } from '../../lib/dr/targets.ts';
import { snapshotRepoCheck } from '../../lib/snapshots/keep.ts';
import { findEtcdTools } from '../../lib/tools/etcd.ts';
import { drillApp, type DrillResult } from '../../lib/dr/drill.ts';
import { cnpgScratch, drillCnpg } from '../../lib/dr/cnpg-drill.ts';
import { drillDump, dumpPlace, removeDumpPod, removeDumpPodByHand } from '../../lib/dr/dump-drill.ts';
import { backupMethod, clustersOf, type Cluster } from '../../lib/cnpg/objects.ts';
import { deleteScratch, scratchNamespace } from '../../lib/dr/scratch.ts';
import { writeReport, type DrillReport } from '../../lib/dr/drill-report.ts';
import { drillPool } from '../../lib/dr/pool.ts';
import { push, writeTextfile, type DrillSample } from '../../lib/dr/metrics.ts';
import { DEFAULT_VERIFY_IMAGE } from '../../lib/dr/verify-job.ts';
import { StepFailure, UsageError, type Check, type Step, type TaskContext, type TaskImpl } from '../../lib/engine/types.ts';
import { formatBytes, formatDuration } from '../../lib/patterns.ts';
import { table } from '../../lib/table.ts';
import { findApp, resticApps, resticFor, type VolsyncApp } from '../../lib/volsync/app.ts';
import { repositoryUnlocked } from '../../lib/volsync/locks.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { APP, NAMESPACE } from '../../lib/engine/flag-kit.ts';

/** one drill target, whatever it is: its scratch namespace, the repository it reads (never two at once), its drill */
interface DrillUnit { key: string; where: string; title: string; repository(): Promise<string>; drill(output: (t: string) => void): Promise<DrillResult>; remove(timeoutMs: number): Promise<void>; byHand: string }

const SENTINEL_PATH = /^(?!\/)(?!.*(^|\/)\.\.(\/|$))[^\0]+$/;

function drill(): TaskImpl {
  let targets: Promise<VolsyncApp[]> | undefined;
  const resolveTargets = (ctx: TaskContext) => (targets ??= ctx.flags.all ? resticApps(ctx) : findApp(ctx, String(ctx.flags.app), ctx.flags.namespace as string | undefined).then((a) => [a]));
  let clusters: Promise<Cluster[]> | undefined;
  // --cnpg NAME, or with --all every Cluster of backups.cnpg
  const resolveCnpg = (ctx: TaskContext) => (clusters ??= (async () => {
    const names = ctx.flags.cnpg ? [String(ctx.flags.cnpg)] : ctx.flags.all ? Object.keys(ctx.cluster.backups?.cnpg ?? {}) : [];
    const found: Cluster[] = [];
    for (const name of names) {
      const namespace = (ctx.flags.namespace as string | undefined) ?? ctx.cluster.backups?.cnpg?.[name]?.namespace;
      const list = (await clustersOf(ctx, { ...(namespace ? { namespace } : {}), name })) ?? [];
      if (list.length !== 1) throw new Error(list.length ? `Cluster ${name} is in several namespaces (${list.map((c) => c.metadata.namespace).join(', ')}): give --namespace or backups.cnpg.${name}.namespace` : `no CloudNativePG Cluster ${name}${namespace ? ` in ${namespace}` : ''}`);
      found.push(list[0]!);
    }
    return found;
  })());
  return {
    validate(ctx) {
      if (ctx.flags.app && ctx.flags.all) throw new UsageError('expected one of --app NAME or --all, not both');
      if (!ctx.flags.app && !ctx.flags.all && !ctx.flags['cluster-state'] && !ctx.flags.cnpg && !ctx.flags.dump) throw new UsageError('expected --app NAME, --all, --cnpg CLUSTER, --dump NAME or --cluster-state');
      if (ctx.flags.dump && !ctx.cluster.backups?.dumps?.[String(ctx.flags.dump)]) {
        throw new UsageError(`--dump ${String(ctx.flags.dump)}: expected a name from ${ctx.cluster.source} clusters.${ctx.cluster.name}.backups.dumps (${Object.keys(ctx.cluster.backups?.dumps ?? {}).join(', ') || 'none configured'})`);
      }
      if (ctx.flags.to !== undefined) {
        if (!ctx.flags.cnpg && !(ctx.flags.all && ctx.cluster.backups?.cnpg)) throw new UsageError('--to: only with --cnpg (a point-in-time recovery)');
        const t = Date.parse(String(ctx.flags.to));
        if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(String(ctx.flags.to)) || Number.isNaN(t)) throw new UsageError(`--to: expected an RFC 3339 time with its zone like 2026-12-03T02:00:00Z, got "${String(ctx.flags.to)}"`);
        if (t > Date.now()) throw new UsageError(`--to: ${String(ctx.flags.to)} is in the future`);
      }
      if (ctx.flags.snapshot && !ctx.flags['cluster-state']) throw new UsageError('--snapshot: only with --cluster-state');
      for (const [app, c] of Object.entries(ctx.cluster.backups?.apps ?? {})) {
        if (c.sentinel && !SENTINEL_PATH.test(c.sentinel.path)) throw new UsageError(`${ctx.cluster.source} clusters.${ctx.cluster.name}.backups.apps.${app}.sentinel.path: expected a relative path inside the volume without "..", got "${c.sentinel.path}"`);
      }
      const gw = (ctx.flags.pushgateway as string | undefined) ?? ctx.cluster.backups?.drill?.pushgateway;
      const pass = gw ? new URL(gw).password : '';
      if (pass) ctx.exec.registerSecret(decodeURIComponent(pass));
    },
    preflight: (ctx) => [
      ...(ctx.flags.cnpg || (ctx.flags.all && ctx.cluster.backups?.cnpg) ? [cnpgTargetsExist(() => resolveCnpg(ctx))] : []),
      ...(ctx.flags.app || ctx.flags.all ? [toolPresent('restic', ['version']), targetsExist(() => resolveTargets(ctx), Boolean(ctx.flags.all && ctx.cluster.backups?.cnpg)),
        repositoryUnlocked(() => resolveTargets(ctx), (app) => resticFor(ctx, app), 'exclusive')] : []),
      ...(ctx.flags['cluster-state'] ? [etcdToolsPresent(ctx), ...snapshotRepoCheck(ctx)] : []),
    ],
    async plan(ctx) {
      const cfg = ctx.cluster.backups ?? {};
      const apps = ctx.flags.app || ctx.flags.all ? await resolveTargets(ctx) : [];
      const results: DrillResult[] = [];
      const startedAt = new Date().toISOString();
      const common = { timeoutMs: ctx.flags.timeout as number, keepOnFailure: Boolean(ctx.flags['keep-on-failure']) };
      const units: DrillUnit[] = apps.map((app) => ({
        key: `${app.namespace}/${app.name}`, where: `namespace ${scratchNamespace(app.name)}`, title: `${app.namespace}/${app.name}`,
        remove: (ms) => deleteScratch(ctx, scratchNamespace(app.name), ms), byHand: `kubectl delete namespace ${scratchNamespace(app.name)} --ignore-not-found`,
        repository: () => resticFor(ctx, app).then((r) => r.repository, () => `${app.namespace}/${app.name}`),
        async drill(output) {
          const sentinel = cfg.apps?.[app.name]?.sentinel;
          const r = await drillApp(ctx, app, { ...common, image: (ctx.flags.image as string | undefined) ?? cfg.drill?.image ?? DEFAULT_VERIFY_IMAGE, ...(sentinel ? { sentinel } : {}), output });
          if (r.ok) judgeTargets(r, targetsFor(ctx.cluster, { app: app.name }));
          return r;
        },
      }));
      for (const c of await resolveCnpg(ctx)) {
        units.push({
          key: `${c.metadata.namespace}/${c.metadata.name}`, where: `namespace ${cnpgScratch(c.metadata.name!)}`, title: `CloudNativePG ${c.metadata.namespace}/${c.metadata.name}`,
          remove: (ms) => deleteScratch(ctx, cnpgScratch(c.metadata.name!), ms), byHand: `kubectl delete namespace ${cnpgScratch(c.metadata.name!)} --ignore-not-found`,
          repository: async () => `cnpg:${c.spec?.backup?.barmanObjectStore?.destinationPath ?? JSON.stringify(c.spec?.plugins ?? [])}`,
          async drill(output) {
            const r = await drillCnpg(ctx, c, { ...common, ...(ctx.flags.to ? { to: new Date(ctx.flags.to as string).toISOString() } : {}), verify: cfg.cnpg?.[c.metadata.name!]?.verify ?? [], output });
            if (r.ok) judgeTargets(r, targetsFor(ctx.cluster, { cnpg: c.metadata.name! }), 'to verified rows');
            return r;
          },
        });
      }
      for (const name of ctx.flags.dump ? [String(ctx.flags.dump)] : ctx.flags.all ? Object.keys(cfg.dumps ?? {}) : []) {
        const t = cfg.dumps![name]!;
        const place = dumpPlace(name, t);
        units.push({
          key: `${t.namespace}/${name}`, where: place.scratch ? `namespace ${place.namespace}` : `pod ${place.namespace}/${place.pod}`, title: `pg_dump backups ${name}`,
          remove: (ms) => removeDumpPod(ctx, name, t, ms), byHand: removeDumpPodByHand(name, t),
          repository: async () => `dump:${t.nfs ? `${t.nfs.server}:${t.nfs.path}` : `${t.namespace}/${t.pvc}`}`,
          async drill(output) {
            const r = await drillDump(ctx, name, t, { ...common, output });
            if (r.ok) judgeTargets(r, targetsFor(ctx.cluster, { dump: name }), 'to verified rows');
            return r;
          },
        });
      }
      const drillOne = async (u: DrillUnit, output: (t: string) => void) => {
        const r = await u.drill(output);
        results.push(r);
        output(r.ok ? `passed: RTO ${fmt(r.rtoSeconds)}, restore ${fmt(r.restoreSeconds)}, data age ${fmt(r.dataAgeSeconds)}` : `FAILED: ${r.error}`);
      };
      // a drill stopped mid-way (a signal, a deadline) tears its scratch namespace down in the step's cleanup too,
      // under the compensation's own deadline: the drill's own teardown may not get to finish
      const teardown = (list: DrillUnit[]) => async () => {
        await Promise.all(list.map((u) => u.remove(Math.min(ctx.flags.timeout as number, 120_000))));
      };
      const byHand = (list: DrillUnit[]) => list.map((u) => u.byHand);
      const parallel = Math.max(1, (ctx.flags.parallel as number | undefined) ?? ctx.cluster.nodes.length);
      const steps: Step[] = parallel > 1 && units.length > 1
        ? [{
          title: `drill ${units.length} targets, up to ${Math.min(parallel, units.length)} at once (one at a time per repository), each in its own scratch namespace`,
          mutating: true,
          cleanup: teardown(units),
          byHand: byHand(units),
          async run(rt) {
            await drillPool(units, parallel, (u) => u.repository(), (u) => drillOne(u, (t) => rt.output(`${u.key}: ${t}`)));
            // the table and the report list the targets in the order they were found, whatever order they ended in
            results.sort((a, b) => units.findIndex((x) => x.key === a.app) - units.findIndex((x) => x.key === b.app));
          },
        }]
        : units.map((u) => ({
          title: `drill ${u.title} in ${u.where}`,
          mutating: true,
          cleanup: teardown([u]),
          byHand: byHand([u]),
          async run(rt) { await drillOne(u, (t) => rt.output(t)); },
        }));
      if (ctx.flags['cluster-state']) {
        steps.push({
          title: `drill the cluster state of ${ctx.cluster.name}: ${ctx.flags.snapshot ? `snapshot ${String(ctx.flags.snapshot)}` : 'the newest snapshot'} into a throwaway etcd`,
          mutating: false,
          async run(rt) {
            if (ctx.dryRun) { rt.output('[dry-run] would restore it into a temp dir with etcd\'s snapshot restore and count its keys'); return; }
            const r = await drillClusterState(ctx, {
              ...(ctx.flags.snapshot ? { snapshot: ctx.flags.snapshot as string } : {}),
              timeoutMs: ctx.flags.timeout as number,
              ...targetsFor(ctx.cluster, 'cluster-state'),
              keepOnFailure: Boolean(ctx.flags['keep-on-failure']),
              output: (t) => rt.output(t),
            });
            results.push(r);
            rt.output(r.ok ? `passed: restored in ${fmt(r.restoreSeconds)}, data age ${fmt(r.dataAgeSeconds)}` : `FAILED: ${r.error}`);
          },
        });
      }
      steps.push({
        title: 'report and metrics',
        mutating: false,
        async run(rt) {
          if (ctx.dryRun) return;
          const report: DrillReport = { kind: 'rackhand.dev/dr-drill-report', cluster: ctx.cluster.name, startedAt, finishedAt: new Date().toISOString(), ok: results.every((r) => r.ok), targets: results };
          const dir = resolve(ctx.cwd, (ctx.flags['report-dir'] as string | undefined) ?? cfg.drill?.reportDir ?? join(ctx.stateDir, 'drills'));
          const paths = await writeReport(dir, report, ctx.flags.trend as number);
          ctx.data.drill = { ...report, report: paths };
          rt.output(`report: ${paths.markdown}`);
          ctx.artifact('drill report', `${paths.markdown} (and ${paths.json})`);
          const samples = results.map((r) => sample(ctx.cluster.name, r));
          const file = (ctx.flags['metrics-file'] as string | undefined) ?? cfg.drill?.metricsFile;
          if (file) {
            await writeTextfile(resolve(ctx.cwd, file), join(ctx.stateDir, 'drills', 'metrics-state.json'), samples);
            rt.output(`metrics: ${file}`);
            ctx.artifact('metrics', resolve(ctx.cwd, file));
          }
          const gw = (ctx.flags.pushgateway as string | undefined) ?? cfg.drill?.pushgateway;
          if (gw) {
            await push(gw, samples).catch((err: Error) => { throw new StepFailure(`Pushgateway push failed: ${ctx.exec.redactor.redact(err.message)}`, 'check the Pushgateway URL and that it is reachable from here'); });
            rt.output('metrics pushed');
          }
          const vs = (v: number | undefined, t: number | undefined) => `${fmt(v)}${t !== undefined ? ` / ${fmt(t)}` : ''}${v !== undefined && t !== undefined && v > t ? ' BREACH' : ''}`;
          ctx.out(table(['APP', 'RESULT', 'SNAPSHOT', 'RESTORE', 'RTO / TARGET', 'DATA AGE / RPO', 'DETAIL'], results.map((r) => [
            r.app, r.ok ? 'passed' : 'FAILED', (r.kind === 'volsync' ? r.restoredSnapshot?.id.slice(0, 8) : r.restoredSnapshot?.id) ?? '-', fmt(r.restoreSeconds), vs(r.rtoSeconds, r.targets?.rtoSeconds), vs(r.dataAgeSeconds, r.targets?.rpoSeconds),
            r.ok ? (r.detail ?? `${r.restored?.files ?? 0} files, ${formatBytes(r.restored?.bytes ?? 0)}`) : (r.checks.find((c) => !c.ok)?.message ?? r.error ?? ''),
          ])));
          const bad = results.filter((r) => !r.ok);
          if (bad.length) {
            throw new StepFailure(`${bad.length} of ${results.length} drill target(s) failed: ${bad.map((b) => `${b.app} (${b.error ?? 'failed'})`).join('; ')}`,
              bad[0]!.remedy ?? `npx tsx tasks dr:drill ${bad[0]!.kind === 'cluster-state' ? '--cluster-state' : `--${bad[0]!.kind === 'cnpg' ? 'cnpg' : bad[0]!.kind === 'dump' ? 'dump' : 'app'} ${bad[0]!.app.split('/')[1]}`} --keep-on-failure, then inspect ${bad[0]!.scratchNamespace}`);
          }
        },
      });
      return steps;
    },
  };
}

const fmt = (s: number | undefined) => (s === undefined ? '-' : formatDuration(Math.round(s * 1000)));

function sample(cluster: string, r: DrillResult): DrillSample {
  const [namespace, app] = r.app.split('/') as [string, string];
  const secs = (iso: string | undefined) => (iso ? Math.floor(Date.parse(iso) / 1000) : undefined);
  const latest = secs(r.latestSnapshot?.time);
  return {
    cluster, namespace, app, success: r.ok, at: Math.floor(Date.parse(r.finishedAt) / 1000),
    ...(r.rtoSeconds !== undefined ? { rtoSeconds: r.rtoSeconds } : {}),
    ...(r.restoreSeconds !== undefined ? { restoreSeconds: r.restoreSeconds } : {}),
    ...(r.dataAgeSeconds !== undefined ? { dataAgeSeconds: r.dataAgeSeconds } : {}),
    ...(latest !== undefined ? { latestSnapshotSeconds: latest } : {}),
    ...(r.targets ? { rtoTargetSeconds: r.targets.rtoSeconds, rpoTargetSeconds: r.targets.rpoSeconds } : {}),
  };
}

/** etcd's own tools are here: etcd for the throwaway member, etcdutl or an etcdctl before 3.6 for the file. */
function etcdToolsPresent(ctx: TaskContext): Check {
  return {
    name: 'etcd, etcdctl and etcdutl (or etcdctl 3.4/3.5) are installed here',
    async run() {
      const found = await findEtcdTools(ctx.exec);
      const etcd = await ctx.exec.run(['etcd', '--version'], { mutating: false, timeoutMs: 10_000 });
      if ('missing' in found || etcd.exitCode !== 0) {
        return { ok: false, message: 'missing' in found ? found.missing : 'etcd is not installed', remedy: 'apt-get install etcd-server etcd-client (Debian/Ubuntu), or an etcd 3.5+ release with etcdutl' };
      }
      return { ok: true, message: `${found.snapshotTool} ${found.version}` };
    },
  };
}

function cnpgTargetsExist(clusters: () => Promise<Cluster[]>): Check {
  return {
    name: 'the CloudNativePG Clusters to drill exist and have a backup configured',
    async run() {
      try {
        const list = await clusters();
        const bare = list.filter((c) => !backupMethod(c));
        if (bare.length) return { ok: false, message: `${bare.map((c) => `${c.metadata.namespace}/${c.metadata.name}`).join(', ')}: no backup configured, nothing to recover from`, remedy: 'add spec.backup.barmanObjectStore or the barman-cloud plugin; npx tsx tasks cnpg:status' };
        return { ok: true, message: list.map((c) => `${c.metadata.namespace}/${c.metadata.name} (${backupMethod(c)})`).join(', ') || 'none' };
      } catch (err) {
        return { ok: false, message: (err as Error).message, remedy: 'kubectl get clusters.postgresql.cnpg.io -A' };
      }
    },
  };
}

function targetsExist(targets: () => Promise<VolsyncApp[]>, mayBeEmpty = false): Check {
  return {
    name: 'drill targets exist',
    async run() {
      try {
        const apps = await targets();
        if (!apps.length && !mayBeEmpty) return { ok: false, message: 'no ReplicationSource with a restic repository in the cluster', remedy: 'kubectl get replicationsources -A' };
        return { ok: true, message: apps.map((a) => `${a.namespace}/${a.name}`).join(', ') };
      } catch (err) {
        return { ok: false, message: (err as Error).message, remedy: 'kubectl get replicationsources -A' };
      }
    },
  };
}

export default defineTask({
  summary: 'DR drill: restore each app into a scratch namespace, verify the data in-cluster, measure RTO; report + metrics',
  description: [
    'Never touches the app: restores its latest backup into rackhand-drill-<app> (a ReplicationDestination into a new',
    'volume, never a ReplicationSource), checks files, bytes and the sentinel with a Job, deletes the namespace in any',
    'case (kept on failure with --keep-on-failure). Writes a JSON + Markdown report and Prometheus metrics. Exit 1 if any',
    'target fails. Made for a schedule: `dr:drill --all --yes --json`.',
  ].join('\n'),
  example: 'npx tsx tasks dr:drill --cluster lab --all --metrics-file /var/lib/node_exporter/textfile/dr.prom',
  flags: {
    app: APP,
    all: { type: 'boolean', description: 'every ReplicationSource with a restic repository' },
    'cluster-state': { type: 'boolean', description: 'also drill the newest etcd snapshot (cluster:snapshot): restored into a throwaway etcd here, keys counted' },
    snapshot: { type: 'string', pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/, hint: 'a snapshot name from cluster:snapshots', description: 'with --cluster-state: this snapshot instead of the newest' },
    cnpg: { type: 'string', pattern: /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, hint: 'a CloudNativePG Cluster name', description: 'drill this CloudNativePG Cluster: a new Cluster recovered from its object store, checked with backups.cnpg.<name>.verify' },
    dump: { type: 'string', pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, hint: 'a name from backups.dumps', description: 'drill these pg_dump backups: every file read whole, the newest loaded into a throwaway PostgreSQL and checked with its verify queries' },
    to: { type: 'string', hint: 'an RFC 3339 time like 2026-12-03T02:00:00Z', description: 'with --cnpg: recover to this point in time instead of the end of the archive' },
    namespace: NAMESPACE,
    'keep-on-failure': { type: 'boolean', description: 'leave a failed target\'s scratch namespace for inspection' },
    timeout: { type: 'duration', description: 'deadline for each wait (mover, verification Job, teardown)', default: 30 * 60_000 },
    parallel: { type: 'number', description: 'with --all: how many apps are drilled at once (default: the number of nodes); never two on one repository' },
    trend: { type: 'number', default: 10, description: 'the Markdown report shows each target over this many drills (this one included)' },
    'report-dir': { type: 'string', description: 'where the report goes (default: backups.drill.reportDir, else .rackhand/drills)' },
    'metrics-file': { type: 'string', description: 'Prometheus textfile to write, atomically (default: backups.drill.metricsFile)' },
    pushgateway: { type: 'string', pattern: /^https?:\/\/\S+$/, hint: 'a URL like http://pushgateway.monitoring:9091', description: 'Pushgateway to push the metrics to (default: backups.drill.pushgateway)' },
    image: { type: 'string', pattern: /^[a-z0-9][\w./:@-]*$/, hint: 'an image reference like docker.io/library/busybox:1.37.0', description: 'image of the verification Job (default: backups.drill.image, else pinned busybox)' },
  },
  destructive: false,
  cluster: true,
  impl: drill,
});
