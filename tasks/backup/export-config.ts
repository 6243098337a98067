// backup:export-config — each namespace's configuration (ConfigMaps, Secrets, PVC specs, Services, workload specs)
// into a restic repository: Secrets age-encrypted to backups.configExport.recipients before anything is written,
// every file's sha256 in a manifest, one snapshot per namespace (tags rackhand-config, namespace=<ns>; host the
// cluster), then retention (forget --prune) and `restic check`. Read-only for the cluster. The staging folder is
// private and removed afterwards, also on failure and Ctrl-C.
import { rm } from 'node:fs/promises';
import { writeArchive } from '../../lib/backup/archive.ts';
import { collect, type Exported } from '../../lib/backup/objects.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { table } from '../../lib/table.ts';
import type { Restic } from '../../lib/tools/restic.ts';
import { CONFIG_TAG, configRepo, exportConfig, stagingDir } from '../../lib/backup/repo.ts';

function exportTask() {
  return {
    validate(ctx: TaskContext) { exportConfig(ctx); },
    async plan(ctx: TaskContext): Promise<Step[]> {
      const cfg = exportConfig(ctx);
      const keep = Object.fromEntries(Object.entries(cfg.keep ?? { daily: 7, weekly: 4 }).filter(([, n]) => n !== undefined)) as Record<string, number>;
      const namespaces = ctx.flags.namespace as string[];
      const found: Record<string, Exported[]> = {};
      const results: { namespace: string; objects: number; secrets: number; snapshot?: string }[] = [];
      ctx.data.exports = results;
      let restic: Restic | undefined;
      const steps: Step[] = [{
        title: `read ${namespaces.join(', ')}: ConfigMaps, Secrets, claims, Services, workloads`,
        mutating: false,
        async run() { for (const ns of namespaces) found[ns] = await collect(ctx, ns); },
      }];
      for (const ns of namespaces) {
        const dir = stagingDir(ctx, ns);
        steps.push({
          title: `export ${ns} to the restic repository (Secrets encrypted with age)`,
          mutating: true,
          cleanup: async () => { await rm(dir, { recursive: true, force: true }); },
          async run(rt) {
            restic ??= await configRepo(ctx);
            if (!ctx.dryRun && await restic.initIfMissing()) rt.output('initialised the repository');
            const objects = found[ns] ?? [];
            if (!objects.length) throw new StepFailure(`namespace ${ns} has nothing to export (no such namespace?)`, `kubectl get configmaps,secrets,deployments -n ${ns}`);
            const manifest = await writeArchive(dir, { cluster: ctx.cluster.name, namespace: ns, objects, recipients: cfg.recipients });
            try {
              const snapshot = await restic.backupDir(dir, { host: ctx.cluster.name, tags: [CONFIG_TAG, `namespace=${ns}`] });
              results.push({ namespace: ns, objects: manifest.objects.length, secrets: manifest.objects.filter((o) => o.encrypted).length, ...(snapshot ? { snapshot } : {}) });
              rt.output(`${manifest.objects.length} objects${snapshot ? `, snapshot ${snapshot.slice(0, 8)}` : ''}`);
            } finally {
              await rm(dir, { recursive: true, force: true });
            }
          },
        });
      }
      steps.push({
        title: `retention (${Object.entries(keep).map(([k, n]) => `${k} ${n}`).join(', ')}) and restic check`,
        mutating: true,
        async run() {
          restic ??= await configRepo(ctx);
          for (const ns of namespaces) await restic.forgetPolicy(keep, { host: ctx.cluster.name, tags: [CONFIG_TAG, `namespace=${ns}`] });
          if (ctx.dryRun) return;
          const check = await restic.check();
          if (check.exitCode !== 0) throw new StepFailure(`restic check failed: ${check.stderr.trim().split('\n').pop()}`, 'restic check --read-data (with the repository of backups.configExport)');
          ctx.out(table(['NAMESPACE', 'OBJECTS', 'SECRETS (encrypted)', 'SNAPSHOT'], results.map((r) => [r.namespace, String(r.objects), String(r.secrets), r.snapshot?.slice(0, 8) ?? '-'])));
        },
      });
      return steps;
    },
  };
}

export default defineTask({
  summary: 'export namespaces\' configuration (ConfigMaps, Secrets age-encrypted, PVC specs, Services, workloads) into restic, with checksums, retention and check',
  example: 'npx tsx tasks backup:export-config --cluster home --namespace media',
  flags: {
    namespace: { type: 'list', required: true, description: 'the namespaces to export' },
  },
  destructive: false,
  cluster: true,
  impl: exportTask,
});
