// cnpg:backup — an on-demand base backup of a CloudNativePG Cluster: a Backup object (method plugin with the
// barman-cloud plugin, else barmanObjectStore; cnpg api/v1 BackupSpec cluster.name, method, pluginConfiguration.name),
// waited for until its status.phase is completed or failed, with its result: backupId, the WAL range it covers, how
// long it took, or CloudNativePG's error.
import { randomBytes } from 'node:crypto';
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, UsageError, type TaskContext } from '../../lib/engine/types.ts';
import { BACKUPS, BARMAN_PLUGIN, backupMethod, clustersOf, type Backup, type Cluster } from '../../lib/cnpg/objects.ts';
import { formatDuration } from '../../lib/patterns.ts';
import { waitUntil } from '../../lib/wait.ts';

function backup() {
  let target: Cluster | undefined;
  return {
    async plan(ctx: TaskContext) {
      const name = ctx.flags['cluster-name'] as string;
      const found = await clustersOf(ctx, { name, ...(ctx.flags.namespace ? { namespace: ctx.flags.namespace as string } : {}) });
      if (!found) throw new UsageError('CloudNativePG is not installed (the cluster serves no clusters.postgresql.cnpg.io)');
      if (found.length !== 1) throw new UsageError(found.length ? `${found.length} Clusters are named ${name} (${found.map((c) => c.metadata.namespace).join(', ')}): expected --namespace` : `no CloudNativePG Cluster named ${name}`);
      target = found[0]!;
      const method = backupMethod(target);
      if (!method) throw new UsageError(`Cluster ${target.metadata.namespace}/${name} has no backup configured: expected spec.backup.barmanObjectStore or the ${BARMAN_PLUGIN} plugin`);
      const ns = target.metadata.namespace!;
      const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
      const object = {
        apiVersion: 'postgresql.cnpg.io/v1', kind: 'Backup',
        metadata: { name: `${name}-rackhand-${stamp}-${randomBytes(2).toString('hex')}`.slice(0, 63), namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'rackhand' } },
        spec: { cluster: { name }, method, ...(method === 'plugin' ? { pluginConfiguration: { name: BARMAN_PLUGIN } } : {}) },
      };
      return [{
        title: `base backup of ${ns}/${name} (${method}): Backup ${object.metadata.name}, waited for`,
        mutating: true,
        async run(rt: { output(t: string): void }) {
          await ctx.kubectl.apply(object);
          if (ctx.dryRun) return;
          const started = Date.now();
          const b = await waitUntil<Backup>({
            what: `Backup ${ns}/${object.metadata.name} to complete`, timeoutMs: ctx.flags.timeout as number, intervalMs: 500, signal: ctx.signal,
            probe: async () => {
              const got = await ctx.kubectl.get<Backup>(BACKUPS, object.metadata.name, ns);
              const phase = got?.status?.phase;
              return phase === 'completed' || phase === 'failed' ? { done: true, value: got! } : { done: false, seen: phase ?? 'pending' };
            },
          });
          ctx.data.backup = { name: object.metadata.name, namespace: ns, phase: b.status?.phase, backupId: b.status?.backupId, beginWal: b.status?.beginWal, endWal: b.status?.endWal, error: b.status?.error, seconds: Math.round((Date.now() - started) / 1000) };
          if (b.status?.phase === 'failed') throw new StepFailure(`Backup ${ns}/${object.metadata.name} failed: ${b.status.error ?? 'no error given'}`, `kubectl describe backup.postgresql.cnpg.io -n ${ns} ${object.metadata.name}; npx tsx tasks cnpg:status --cluster-name ${name}`);
          rt.output(`completed in ${formatDuration(Date.now() - started)}: backup ${b.status?.backupId}, WAL ${b.status?.beginWal} .. ${b.status?.endWal}`);
          ctx.out(`${ns}/${name}: base backup ${b.status?.backupId} completed (WAL ${b.status?.beginWal} .. ${b.status?.endWal})`);
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'an on-demand CloudNativePG base backup (Backup object, in-tree barman or the barman-cloud plugin), waited for, with its result',
  example: 'npx tsx tasks cnpg:backup --cluster home --cluster-name immich-db',
  flags: {
    'cluster-name': { type: 'string', required: true, pattern: /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, hint: 'a Cluster name', description: 'the CloudNativePG Cluster' },
    namespace: { type: 'string', pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, hint: 'a namespace', description: 'its namespace (needed when the name is not unique)' },
    timeout: { type: 'duration', default: 3_600_000, description: 'deadline for the backup to complete' },
  },
  destructive: false,
  cluster: true,
  impl: backup,
});
