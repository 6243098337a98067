// The checks of health:cluster, media:check and media:vpn-check as pre/postflight checks of any task (built-in or the
// operator's own): the same functions over the same objects, a failing finding making the check fail with its message.
//   preflight: () => [certificatesValid(), backupsFresh(), mediaStackHealthy()]
import type { Check, CheckResult, TaskContext } from '../engine/types.ts';
import type { Finding } from '../health/findings.ts';
import type { Thresholds } from '../health/thresholds.ts';


/** A check from a findings function: fails on any failing finding (named with its message), warns on warnings. */
export function findingsCheck(name: string, f: (ctx: TaskContext) => Promise<Finding[]>, remedy?: string): Check {
  return {
    name,
    async run(ctx): Promise<CheckResult> {
      const found = await f(ctx);
      const failed = found.filter((x) => x.status === 'fail');
      const warned = found.filter((x) => x.status === 'warn');
      if (failed.length) return { ok: false, message: failed.map((x) => `${x.area} ${x.object}: ${x.message}`).join('; '), ...(remedy ? { remedy } : {}) };
      if (warned.length) return { ok: true, warning: true, message: warned.map((x) => `${x.area} ${x.object}: ${x.message}`).join('; ') };
      return { ok: true, message: `${found.length} checked, all fine` };
    },
  };
}

/** thresholds: the options given, else the cluster's health: section, else the defaults (lib/health/thresholds.ts) */
const limits = async (ctx: TaskContext, given: Partial<Thresholds>) => (await import('../health/thresholds.ts')).thresholds(ctx.cluster, given);

export const certificatesValid = (o: { warnMs?: number; stuckMs?: number } = {}): Check =>
  findingsCheck('certificates valid, renewals happening', async (ctx) => {
    const t = await limits(ctx, { ...(o.warnMs !== undefined ? { certificateWarnMs: o.warnMs } : {}), ...(o.stuckMs !== undefined ? { renewalGraceMs: o.stuckMs } : {}) });
    return (await import('../health/cluster-checks.ts')).certificateFindings(ctx, { warnMs: t.certificateWarnMs, stuckMs: t.renewalGraceMs });
  }, 'npx tsx tasks health:cluster --all');

export const tlsEndpointsValid = (o: { warnMs?: number; caFile?: string } = {}): Check =>
  findingsCheck('TLS endpoints valid', async (ctx) => (await import('../health/tls.ts')).tlsFindings(ctx, { warnMs: (await limits(ctx, o.warnMs !== undefined ? { certificateWarnMs: o.warnMs } : {})).certificateWarnMs, ...((o.caFile ?? ctx.cluster.health?.tlsCa) ? { caFile: o.caFile ?? ctx.cluster.health!.tlsCa! } : {}) }));

export const backupsFresh = (o: { maxAgeMs?: number } = {}): Check =>
  findingsCheck('backups fresh (VolSync, CloudNativePG)', async (ctx) => {
    const c = await import('../health/cluster-checks.ts');
    const maxAgeMs = (await limits(ctx, o.maxAgeMs !== undefined ? { backupMaxAgeMs: o.maxAgeMs } : {})).backupMaxAgeMs;
    return [...await c.backupFindings(ctx, { maxAgeMs }), ...await c.cnpgFindings(ctx, { maxAgeMs })];
  }, 'npx tsx tasks volsync:status');

/** media:check's checks (read-only) over the cluster's media: section */
export const mediaStackHealthy = (): Check =>
  findingsCheck('media stack healthy', async (ctx) => {
    const m = ctx.cluster.media;
    if (!m) return [];
    const [{ runApiProxy }, { loadStack }, { checkStack }] = await Promise.all([import('../k8s/api-proxy.ts'), import('../media/stack.ts'), import('../media/check.ts')]);
    const base = Object.values(m.services).some((s) => s.service) ? (await runApiProxy(ctx, 300_000)).base : undefined;
    return checkStack(ctx, await loadStack(ctx, m, base));
  }, 'npx tsx tasks media:check --all');
