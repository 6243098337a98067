// backup:restore-config — puts one app's configuration back from the newest export of its namespace (or --snapshot):
// the export restored into a private folder, every file checked against its sha256, Secrets decrypted in memory with
// the age identity from 1Password, the app's objects applied server-side; then its volume through volsync:restore
// when it has a ReplicationSource, then its checks (media:check --service APP for a media service, else its
// workloads' rollout). The whole restore is held to --target (default 1h, "any single service restored within an
// hour") and measured in the run record.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { readArchive } from '../../lib/backup/archive.ts';
import { ofApp, type Exported } from '../../lib/backup/objects.ts';
import { CONFIG_TAG, configRepo, exportConfig } from '../../lib/backup/repo.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, UsageError, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { formatDuration } from '../../lib/patterns.ts';
import { resolveEnvRefs } from '../../lib/secrets/env-refs.ts';

async function findManifest(dir: string): Promise<string | undefined> {
  const hit = (await readdir(dir, { recursive: true })).find((f) => String(f).endsWith('MANIFEST.json'));
  return hit ? join(dir, String(hit)) : undefined;
}

function restoreTask() {
  let chosen: Exported[] = [];
  return {
    validate(ctx: TaskContext) { exportConfig(ctx); },
    async plan(ctx: TaskContext): Promise<Step[]> {
      const started = Date.now();
      const cfg = exportConfig(ctx);
      const ns = ctx.flags.namespace as string;
      const app = ctx.flags.app as string;
      const target = ctx.flags.target as number;
      const restic = await configRepo(ctx);
      const snaps = (await restic.tagged([CONFIG_TAG, `namespace=${ns}`])).filter((s) => s.hostname === ctx.cluster.name).sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
      const snap = ctx.flags.snapshot ? snaps.find((s) => s.id.startsWith(ctx.flags.snapshot as string)) : snaps[0];
      if (!snap) throw new UsageError(`no configuration export of namespace ${ns} from cluster ${ctx.cluster.name}${ctx.flags.snapshot ? ` with snapshot ${String(ctx.flags.snapshot)}` : ''}: run backup:export-config --namespace ${ns} first`);
      const identity = cfg.identity ? (await resolveEnvRefs(ctx, { identity: cfg.identity }, `clusters.${ctx.cluster.name}.backups.configExport.identity`)).identity : undefined;
      if (identity) ctx.exec.registerSecret(identity);
      const dir = await mkdtemp(join(ctx.stateDir, 'config-restore-'));
      try {
        await restic.restoreTo(snap.id, dir);
        const manifest = await findManifest(dir);
        if (!manifest) throw new StepFailure(`snapshot ${snap.short_id} holds no MANIFEST.json: not a configuration export`);
        const { objects } = await readArchive(dirname(manifest), identity).catch((err: Error) => { throw new StepFailure(`snapshot ${snap.short_id}: ${err.message}`); });
        chosen = ofApp(objects, app);
        // every Secret value is a secret: never printed, not even in a dry run's stdin
        for (const o of chosen) for (const v of Object.values(o.data ?? {})) if (o.kind === 'Secret') { ctx.exec.registerSecret(v); ctx.exec.registerSecret(Buffer.from(v, 'base64').toString('utf8')); }
        if (!chosen.length) throw new UsageError(`the export ${snap.short_id} of ${ns} has no object of app ${app}: expected objects labelled app.kubernetes.io/name=${app} (or named ${app}...)`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      ctx.data.snapshot = { id: snap.id, time: snap.time };
      ctx.data.objects = chosen.map((o) => `${o.kind} ${o.metadata.name}`);
      const rs = await ctx.kubectl.get('replicationsources.volsync.backube', app, ns).catch(() => undefined);
      const media = Object.entries(ctx.cluster.media?.services ?? {}).find(([n, s]) => n === app && (s.service?.replace(/^[^/]+\//, '').startsWith(`${app}:`) || s.url));
      const steps: Step[] = [{
        title: `apply ${chosen.length} object(s) of ${app} to ${ns} from export ${snap.short_id} (${snap.time})`,
        mutating: true,
        async run() {
          // a namespace that is gone too (a new cluster) is made first, in the same apply
          const nsDoc = (await ctx.kubectl.get('namespace', ns)) ? [] : [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }];
          const docs = [...nsDoc, ...chosen.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: ns } }))];
          await ctx.kubectl.mutate(['apply', '--server-side', '--force-conflicts', '--field-manager', 'rackhand', '--filename', '-'], { input: docs.map((d) => stringify(d)).join('---\n') });
        },
      }];
      if (rs && !ctx.flags['skip-volume']) {
        steps.push({
          title: `restore the volume of ${app} (volsync:restore)`,
          mutating: true,
          async run() {
            const r = await ctx.runTask('volsync:restore', ['--cluster', ctx.cluster.name, '--app', app, '--namespace', ns, '--yes', '--confirm-cluster', ctx.cluster.name, ...(ctx.dryRun ? ['--dry-run'] : [])]);
            if (r.exitCode !== 0) throw new StepFailure(`volsync:restore of ${app} failed: ${r.error?.message ?? `exit ${r.exitCode}`}`, r.error?.remedy);
          },
        });
      }
      steps.push({
        title: media ? `check ${app} (media:check --service ${app})` : `check ${app}: its workloads roll out`,
        mutating: false,
        async run(rt) {
          if (ctx.dryRun) return;
          if (media) {
            const r = await ctx.runTask('media:check', ['--cluster', ctx.cluster.name, '--service', app]);
            if (r.exitCode !== 0) throw new StepFailure(`media:check of ${app} after the restore: ${r.error?.message ?? `exit ${r.exitCode}`}`, `npx tsx tasks media:check --service ${app} --all`);
          } else {
            for (const w of chosen.filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind ?? ''))) {
              await ctx.kubectl.mutate(['rollout', 'status', `${w.kind!.toLowerCase()}/${w.metadata.name}`, '--namespace', ns, `--timeout=${Math.ceil(target / 1000)}s`], { timeoutMs: target + 30_000 });
            }
          }
          const seconds = Math.round((Date.now() - started) / 1000);
          ctx.data.restore = { seconds, targetSeconds: target / 1000, ok: seconds * 1000 <= target };
          rt.output(`restored in ${formatDuration(seconds * 1000)} (target ${formatDuration(target)})`);
          if (seconds * 1000 > target) throw new StepFailure(`${app} took ${formatDuration(seconds * 1000)} to restore, more than the ${formatDuration(target)} target`);
        },
      });
      return steps;
    },
    changes: () => chosen.map((o) => `${o.kind} ${o.metadata.name}: replaced by the exported one`),
  };
}

export default defineTask({
  summary: 'restore one app\'s configuration from the newest export of its namespace, then its volume (volsync:restore) and its checks, within --target',
  example: 'npx tsx tasks backup:restore-config --cluster home --namespace media --app sonarr',
  flags: {
    namespace: { type: 'string', required: true, pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, hint: 'a namespace', description: 'the namespace the app lives in' },
    app: { type: 'string', required: true, pattern: /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, hint: 'an app name', description: 'the app whose objects are restored' },
    snapshot: { type: 'string', pattern: /^[0-9a-f]{8,64}$/, hint: 'a restic snapshot id', description: 'an older export (default: the newest)' },
    'skip-volume': { type: 'boolean', description: 'do not restore the app\'s volume' },
    target: { type: 'duration', default: 3_600_000, description: 'the whole restore must take less than this' },
    'confirm-cluster': { type: 'string', description: 'with --yes: the cluster name, as the typed confirmation volsync:restore wants' },
  },
  destructive: true,
  cluster: true,
  impl: restoreTask,
});
