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
export const DURATION = /^(\d+(ms|s|m|h))+$/;

export function parseDuration(text: string): number {
  if (!DURATION.test(text)) throw new Error(`expected a duration like 30s, 10m or 1h30m, got "${text}"`);
  const unit: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const m of text.matchAll(/(\d+)(ms|s|m|h)/g)) total += Number(m[1]) * unit[m[2]!]!;
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
