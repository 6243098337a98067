// db:verify-dumps — pg_dump backups (backups.dumps.<name> in rackhand.yaml) checked from inside the cluster: the files
// on the volume or NFS export listed, the newest held to the RPO and their number to the retention, each one read
// whole, the newest loaded into a throwaway PostgreSQL pod and its verification queries run; the pod is deleted in
// every case (lib/dr/dump-drill.ts). Exit 1 naming each finding.
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, UsageError, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { drillDump, dumpPlace, removeDumpPod, removeDumpPodByHand, type DumpFile } from '../../lib/dr/dump-drill.ts';
import { judgeTargets, targetsFor } from '../../lib/dr/targets.ts';
import { formatBytes, formatDuration } from '../../lib/patterns.ts';
import { table } from '../../lib/table.ts';

function verifyDumps() {
  const names = (ctx: TaskContext) => (ctx.flags.name ? [String(ctx.flags.name)] : Object.keys(ctx.cluster.backups?.dumps ?? {}));
  return {
    validate(ctx: TaskContext) {
      const dumps = ctx.cluster.backups?.dumps ?? {};
      const where = `${ctx.cluster.source} clusters.${ctx.cluster.name}.backups.dumps`;
      if (ctx.flags.name && ctx.flags.all) throw new UsageError('expected one of --name NAME or --all, not both');
      if (!ctx.flags.name && !ctx.flags.all) throw new UsageError('expected --name NAME or --all');
      if (ctx.flags.name && !dumps[String(ctx.flags.name)]) throw new UsageError(`--name ${String(ctx.flags.name)}: expected a name from ${where} (${Object.keys(dumps).join(', ') || 'none configured'})`);
      if (!Object.keys(dumps).length) throw new UsageError(`${where}: no pg_dump backups configured (expected entries with namespace, pvc or nfs, retention, verify)`);
    },
    async plan(ctx: TaskContext): Promise<Step[]> {
      const results: { name: string; ok: boolean; error?: string; dumps?: DumpFile[]; detail?: string; breaches?: string[] }[] = [];
      const steps: Step[] = names(ctx).map((name) => {
        const t = ctx.cluster.backups!.dumps![name]!;
        const place = dumpPlace(name, t);
        return {
          title: `pg_dump backups ${name}: ${t.nfs ? `nfs ${t.nfs.server}:${t.nfs.path}` : `PVC ${t.namespace}/${t.pvc}`}, checked from pod ${place.namespace}/${place.pod}`,
          mutating: true,
          cleanup: () => removeDumpPod(ctx, name, t, Math.min(ctx.flags.timeout as number, 120_000)),
          byHand: [removeDumpPodByHand(name, t)],
          async run(rt) {
            const r = await drillDump(ctx, name, t, { timeoutMs: ctx.flags.timeout as number, keepOnFailure: Boolean(ctx.flags['keep-on-failure']), output: (x) => rt.output(x) });
            if (r.ok) judgeTargets(r, targetsFor(ctx.cluster, { dump: name }), 'to verified rows');
            results.push({ name, ok: r.ok, ...(r.error ? { error: r.error } : {}), ...(r.dumps ? { dumps: r.dumps } : {}), ...(r.detail ? { detail: r.detail } : {}), ...(r.breaches ? { breaches: r.breaches } : {}) });
            rt.output(r.ok ? `passed: ${r.detail}; data age ${formatDuration((r.dataAgeSeconds ?? 0) * 1000)}` : `FAILED: ${r.error}`);
          },
        };
      });
      steps.push({
        title: 'summary',
        mutating: false,
        async run() {
          if (ctx.dryRun) return;
          ctx.data.dumps = results;
          ctx.out(table(['DUMPS', 'FILE', 'SIZE', 'TIME', 'STATE'], results.flatMap((r) => (r.dumps ?? []).map((f) => [r.name, f.name, formatBytes(f.bytes), f.time, f.ok ? 'whole' : `BROKEN: ${f.message}`]))));
          const bad = results.filter((r) => !r.ok);
          if (bad.length) throw new StepFailure(bad.map((b) => `${b.name}: ${b.error}`).join('; '), `npx tsx tasks db:verify-dumps --name ${bad[0]!.name} --keep-on-failure, then look at the dump CronJob's last runs`);
          ctx.out(results.map((r) => `${r.name}: ${r.detail}`).join('\n'));
        },
      });
      return steps;
    },
  };
}

export default defineTask({
  summary: 'pg_dump backups checked in-cluster: newest within the RPO, count matches retention, every file read whole, the newest loaded into a throwaway PostgreSQL and its verify queries run',
  example: 'npx tsx tasks db:verify-dumps --cluster home --all',
  flags: {
    name: { type: 'string', pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, hint: 'a name from backups.dumps', description: 'the pg_dump backups to check' },
    all: { type: 'boolean', description: 'every entry of backups.dumps' },
    'keep-on-failure': { type: 'boolean', description: 'leave a failed check\'s throwaway PostgreSQL pod for inspection' },
    timeout: { type: 'duration', default: 30 * 60_000, description: 'deadline for each wait and each command (pod start, reads, the restore)' },
  },
  destructive: false,
  cluster: true,
  impl: verifyDumps,
});
