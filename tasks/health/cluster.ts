// health:cluster — one read-only report of what needs attention: nodes, pods, PersistentVolumeClaims, etcd, Flux objects and
// Argo CD Applications, cert-manager Certificates (not Ready, expired, expiring within --cert-warn, a renewal that did
// not happen) and VolSync backups (failed, never run, older than --backup-max-age). Each finding names the object and
// the failing value; --all shows the healthy ones too; exit 1 when anything fails (warnings do not fail). First part
// of issue 15: TLS handshakes and the NFS probe come next. --metrics-file writes a Prometheus textfile.
import { defineTask } from '../../lib/engine/define.ts';
import type { TaskContext } from '../../lib/engine/types.ts';
import { resolve } from 'node:path';
import { backupFindings, certificateFindings, etcdFindings, gitopsFindings, nodeFindings, podFindings, volumeFindings } from '../../lib/health/cluster-checks.ts';
import { writeHealthTextfile } from '../../lib/health/metrics.ts';
import type { Finding } from '../../lib/health/findings.ts';
import { failOnFindings, reportFindings } from '../../lib/health/report.ts';

function health() {
  return {
    async plan(ctx: TaskContext) {
      return [{
        title: 'check nodes, pods, volumes, GitOps, certificates and backups',
        mutating: false,
        async run() {
          const parts = await Promise.all([
            nodeFindings(ctx), podFindings(ctx), volumeFindings(ctx), gitopsFindings(ctx),
            certificateFindings(ctx, { warnMs: ctx.flags['cert-warn'] as number, stuckMs: ctx.flags['renewal-grace'] as number }),
            backupFindings(ctx, { maxAgeMs: ctx.flags['backup-max-age'] as number }), etcdFindings(ctx),
          ]);
          const findings: Finding[] = parts.flat();
          reportFindings(ctx, findings, { all: !!ctx.flags.all, headers: ['AREA', 'OBJECT'] });
          if (ctx.flags['metrics-file']) {
            const file = resolve(ctx.cwd, ctx.flags['metrics-file'] as string);
            await writeHealthTextfile(file, ctx.cluster.name, findings);
            ctx.artifact('metrics', file);
          }
          failOnFindings(findings);
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'one read-only health report: nodes, pods, volumes, Flux/Argo CD, certificates, backups; exit 1 on any failure',
  example: 'npx tsx tasks health:cluster --cluster home',
  flags: {
    all: { type: 'boolean', description: 'show the healthy objects too' },
    'cert-warn': { type: 'duration', default: 30 * 86_400_000, description: 'warn when a certificate expires sooner than this' },
    'renewal-grace': { type: 'duration', default: 3_600_000, description: 'a certificate whose renewalTime passed longer ago than this is a stuck renewal' },
    'backup-max-age': { type: 'duration', default: 26 * 3_600_000, description: 'a VolSync backup older than this fails' },
    'metrics-file': { type: 'string', description: 'also write Prometheus metrics here (node_exporter textfile collector)' },
  },
  destructive: false,
  cluster: true,
  impl: health,
});
