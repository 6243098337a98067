// What a drill is held to: an RTO (from the start of the target's drill until its restored data was verified) and an
// RPO (how old the restored data may be), from rackhand.yaml (backups.apps.<app>.rto|rpo, backups.clusterState,
// backups.rto|rpo; defaults 30 min and 26 h). A restore that worked but missed a target is a failed drill, each breach
// named: a drill that took three hours does not "pass".
import type { ClusterConfig } from '../config.ts';
import { formatDuration, parseDuration } from '../patterns.ts';
import type { DrillResult } from './drill.ts';

export interface Targets { rtoMs: number; rpoMs: number }

export function targetsFor(c: ClusterConfig, target: { app: string } | { cnpg: string } | { dump: string } | 'cluster-state'): Targets {
  const b = c.backups ?? {};
  const own = target === 'cluster-state' ? b.clusterState : 'cnpg' in target ? b.cnpg?.[target.cnpg] : 'dump' in target ? b.dumps?.[target.dump] : b.apps?.[target.app];
  return {
    rtoMs: parseDuration(own?.rto ?? b.rto ?? '30m'),
    rpoMs: parseDuration(own?.rpo ?? b.rpo ?? '26h'),
  };
}

/** Adds the two target checks to a drill that restored and verified its data; a breach fails the drill. */
export function judgeTargets(r: DrillResult, t: Targets, what = 'to verified data'): void {
  r.targets = { rtoSeconds: t.rtoMs / 1000, rpoSeconds: t.rpoMs / 1000 };
  if (r.rtoSeconds === undefined || r.dataAgeSeconds === undefined) return;
  const age = Math.round(r.dataAgeSeconds) * 1000;
  const rto = Math.round(r.rtoSeconds * 1000);
  const checks = [
    { name: 'recovery point within target', ok: age <= t.rpoMs, message: `the restored data is ${formatDuration(age)} old (target ${formatDuration(t.rpoMs)})`, breach: `RPO breach: data ${formatDuration(age)} old, target ${formatDuration(t.rpoMs)}` },
    { name: 'restore within target', ok: rto <= t.rtoMs, message: `${formatDuration(rto)} ${what} (target ${formatDuration(t.rtoMs)})`, breach: `RTO breach: ${formatDuration(rto)}, target ${formatDuration(t.rtoMs)}` },
  ];
  for (const c of checks) r.checks.push({ name: c.name, ok: c.ok, message: c.message });
  const breaches = checks.filter((c) => !c.ok).map((c) => c.breach);
  if (!breaches.length) return;
  r.breaches = breaches;
  r.ok = false;
  r.error ??= breaches.join('; ');
}
