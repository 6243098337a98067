// health:cluster — one read-only report of what needs attention: nodes, etcd (Talos), pods, PersistentVolumeClaims,
// Flux objects and Argo CD Applications, cert-manager Certificates (not Ready, expired, expiring soon, a renewal that did
// not happen), a real TLS handshake to every Ingress/HTTPRoute host (chain, expiry, host name, TLS >= 1.2), backups
// (VolSync, CloudNativePG: failed, never run, too old), and with --nfs-probe a write/read/delete on each NFS-backed
// StorageClass. Each finding names the object and the failing value; exit 1 when anything fails (warnings do not).
// Thresholds: flags, else the cluster's health: section in rackhand.yaml, else the defaults. --metrics-file and
// --pushgateway publish Prometheus metrics.
import { resolve } from 'node:path';
import { defineTask } from '../../lib/engine/define.ts';
import type { Step, TaskContext } from '../../lib/engine/types.ts';
import { backupFindings, certificateFindings, cnpgFindings, etcdFindings, gitopsFindings, nodeFindings, podFindings, volumeFindings } from '../../lib/health/cluster-checks.ts';
import type { Finding } from '../../lib/health/findings.ts';
import { pushHealth, writeHealthTextfile } from '../../lib/health/metrics.ts';
import { deleteProbes, nfsFindings, probeRunId } from '../../lib/health/nfs-probe.ts';
import { failOnFindings, reportFindings } from '../../lib/health/report.ts';
import { tlsFindings } from '../../lib/health/tls.ts';
import { DEFAULT_VERIFY_IMAGE } from '../../lib/dr/verify-job.ts';
import { thresholds } from '../../lib/health/thresholds.ts';
import { quoteArgv } from '../../lib/shell-quote.ts';

function health() {
  return {
    async plan(ctx: TaskContext): Promise<Step[]> {
      const h = ctx.cluster.health ?? {};
      const t = thresholds(ctx.cluster, {
        ...(ctx.flags['cert-warn'] !== undefined ? { certificateWarnMs: ctx.flags['cert-warn'] as number } : {}),
        ...(ctx.flags['renewal-grace'] !== undefined ? { renewalGraceMs: ctx.flags['renewal-grace'] as number } : {}),
        ...(ctx.flags['backup-max-age'] !== undefined ? { backupMaxAgeMs: ctx.flags['backup-max-age'] as number } : {}),
      });
      const { certificateWarnMs: warnMs, renewalGraceMs: stuckMs, backupMaxAgeMs: maxAgeMs } = t;
      ctx.data.thresholds = t;
      const findings: Finding[] = [];
      const steps: Step[] = [{
        title: 'check nodes, pods, volumes, GitOps, certificates, TLS endpoints and backups',
        mutating: false,
        async run() {
          const tlsCa = (ctx.flags['tls-ca'] as string | undefined) ? resolve(ctx.cwd, ctx.flags['tls-ca'] as string) : h.tlsCa;
          const parts = await Promise.all([
            nodeFindings(ctx), podFindings(ctx), volumeFindings(ctx), gitopsFindings(ctx),
            certificateFindings(ctx, { warnMs, stuckMs }), tlsFindings(ctx, { warnMs, ...(tlsCa ? { caFile: tlsCa } : {}) }),
            backupFindings(ctx, { maxAgeMs }), cnpgFindings(ctx, { maxAgeMs }), etcdFindings(ctx),
          ]);
          findings.push(...parts.flat());
        },
      }];
      if (ctx.flags['nfs-probe'] || h.nfsProbe) {
        const ns = h.probeNamespace ?? 'default';
        const run = probeRunId();
        steps.push({
          title: `probe each NFS StorageClass: write, read and delete a file (claims and Jobs labelled rackhand.dev/probe=${run} in ${ns}, deleted afterwards)`,
          mutating: true,
          byHand: [quoteArgv(['kubectl', 'delete', 'jobs.batch,persistentvolumeclaims', '--namespace', ns, '--selector', `rackhand.dev/probe=${run}`])],
          cleanup: async () => { await deleteProbes(ctx, ns, run); },
          async run(rt) {
            if (ctx.dryRun) { rt.output('dry run: no probe'); return; }
            findings.push(...await nfsFindings(ctx, { namespace: ns, image: DEFAULT_VERIFY_IMAGE, run, timeoutMs: 120_000 }));
          },
        });
      }
      steps.push({
        title: 'report',
        mutating: false,
        async run() {
          reportFindings(ctx, findings, { all: !!ctx.flags.all, headers: ['AREA', 'OBJECT'] });
          const file = ctx.flags['metrics-file'] ? resolve(ctx.cwd, ctx.flags['metrics-file'] as string) : h.metricsFile;
          if (file) { await writeHealthTextfile(file, ctx.cluster.name, findings); ctx.artifact('metrics', file); }
          const gateway = (ctx.flags.pushgateway as string | undefined) ?? h.pushgateway;
          if (gateway) await pushHealth(gateway, ctx.cluster.name, findings).catch((err: Error) => ctx.log.warning(`could not push to the Pushgateway: ${err.message}`));
          failOnFindings(findings);
        },
      });
      return steps;
    },
  };
}

export default defineTask({
  summary: 'one health report: nodes, etcd, pods, volumes, Flux/Argo CD, certificates and TLS endpoints, backups, NFS; exit 1 on any failure',
  example: 'npx tsx tasks health:cluster --cluster home',
  flags: {
    all: { type: 'boolean', description: 'show the healthy objects too' },
    'cert-warn': { type: 'duration', description: 'warn when a certificate expires sooner than this (default: health.certificateWarn, else 30d)' },
    'renewal-grace': { type: 'duration', description: 'a certificate whose renewalTime passed longer ago is a stuck renewal (default: health.renewalGrace, else 1h)' },
    'backup-max-age': { type: 'duration', description: 'a backup older than this fails (default: health.backupMaxAge, else 26h)' },
    'tls-ca': { type: 'string', description: 'a PEM CA that TLS endpoints are checked against besides the system roots (default: health.tlsCa)' },
    'nfs-probe': { type: 'boolean', description: 'also write, read and delete a file on each NFS-backed StorageClass (default: health.nfsProbe)' },
    'metrics-file': { type: 'string', description: 'also write Prometheus metrics here (node_exporter textfile collector; default: health.metricsFile)' },
    pushgateway: { type: 'string', pattern: /^https?:\/\/\S+$/, hint: 'a URL like http://pushgateway.monitoring:9091', description: 'also push the metrics to this Pushgateway (default: health.pushgateway)' },
  },
  destructive: false,
  cluster: true,
  impl: health,
});
