// What health checks report: one finding per object looked at (ok, warn or fail) with the failing value in its
// message, grouped by area. Pure: the checks in lib/health/cluster-checks.ts read the cluster and return these.
export type Status = 'ok' | 'warn' | 'fail';
export interface Finding { area: string; object: string; status: Status; message: string }

export const ok = (area: string, object: string, message: string): Finding => ({ area, object, status: 'ok', message });
export const warn = (area: string, object: string, message: string): Finding => ({ area, object, status: 'warn', message });
export const fail = (area: string, object: string, message: string): Finding => ({ area, object, status: 'fail', message });

/** per area: how many findings of each status */
export function summary(findings: Finding[]): Record<string, Record<Status, number>> {
  const out: Record<string, Record<Status, number>> = {};
  for (const f of findings) (out[f.area] ??= { ok: 0, warn: 0, fail: 0 })[f.status]++;
  return out;
}
