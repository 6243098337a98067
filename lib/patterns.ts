// Plain regular expressions for values that reach a command line. Kept free of imports so the CLI's start-up path
// (flag parsing for `tasks list` / `--help`) stays cheap; lib/validate.ts wraps them in zod for config files.

// RFC 1123 subdomain, as Kubernetes requires for node names (kubernetes/apimachinery pkg/util/validation/validation.go).
export const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// RFC 1123 label (namespaces, cluster names).
export const DNS_LABEL = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const SEMVER_TAG = /^v\d+\.\d+\.\d+$/;
/** A release tag or a pre-release one (v1.13.0-beta.1): flags accept both; tasks refuse pre-releases unless asked. */
export const VERSION_TAG = /^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
/** Go-style durations as kubectl and talosctl take them (time.ParseDuration subset): 90s, 10m, 1h30m. */
export const DURATION = /^(\d+(ms|s|m|h|d))+$/;

export function parseDuration(text: string): number {
  if (!DURATION.test(text)) throw new Error(`expected a duration like 30s, 10m, 1h30m or 30d, got "${text}"`);
  const unit: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  let total = 0;
  for (const m of text.matchAll(/(\d+)(ms|s|m|h|d)/g)) total += Number(m[1]) * unit[m[2]!]!;
  return total;
}

export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return ms % 1_000 === 0 ? `${ms / 1_000}s` : `${(ms / 1_000).toFixed(1)}s`;
  // 25h, 1h30m, 2m5s: the largest units, whole seconds
  const total = Math.round(ms / 1_000);
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3_600);
  const m = Math.floor((total % 3_600) / 60);
  const sec = total % 60;
  const hours = d >= 2 ? h : h + d * 24;
  return [d >= 2 ? `${d}d` : '', hours ? `${hours}h` : '', m ? `${m}m` : '', sec ? `${sec}s` : ''].join('') || '0s';
}

/** RFC 3339 date-time (section 5.6), with a zone (Z or +hh:mm), checked as a real calendar time: VolSync passes
 *  restoreAsOf to the mover as-is, and Date.parse would accept "12/01/2026" or "2026-02-30T00:00:00Z". */
export function isRfc3339(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/.exec(text);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 60) return false;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return false;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d >= 1 && d <= days;
}

/** 606104 => "592 KiB", 1288490188 => "1.2 GiB" (binary units, as restic prints sizes). */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i += 1; }
  return i === 0 ? `${n} B` : `${v >= 10 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}
