// Git against the running container, one service at a time, each difference with a severity an operator can act on:
// critical (the image's major version or repository changed, a secret differs, a port or volume differs, a service
// is missing), warning (labels, environment, restart policy, networks, another image tag, a container Git does not
// know), info (healthcheck, resource limits). Values of secret keys (and of labels carrying credentials, such as
// traefik's basicauth.users) are compared by sha256 and shown only as a short hash: neither side's secret is printed.
import { createHash } from 'node:crypto';
import type { ServiceState } from './state.ts';

export type Severity = 'critical' | 'warning' | 'info';
export interface Finding {
  host: string;
  project: string;
  service: string;
  field: string;
  severity: Severity;
  /** what runs (a hash for a secret; absent: nothing runs) */
  running?: string;
  /** what Git says (a hash for a secret; absent: Git has nothing) */
  git?: string;
  message: string;
}

export const DEFAULT_SECRET_KEYS = /(PASS(WORD)?|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)$|^(PASS(WORD)?|SECRET|TOKEN)/i;

/** labels that carry credentials (traefik's basic/digest auth users with their password hashes, and the like) */
export const SECRET_LABELS = /(basicauth\.users|digestauth\.users|password|secret|token|api[_-]?key)/i;

export const hashed = (v: string) => `sha256:${createHash('sha256').update(v).digest('hex').slice(0, 12)}`;

/** the leading number of a tag (v1.2.3 -> 1, 4.0.9-ls258 -> 4); undefined for latest, a digest or a word */
function major(ref: string): { repo: string; major?: number; tag: string } {
  const at = ref.indexOf('@');
  const name = at < 0 ? ref : ref.slice(0, at);
  const colon = name.lastIndexOf(':');
  const repo = colon > name.lastIndexOf('/') ? name.slice(0, colon) : name;
  const tag = at >= 0 ? ref.slice(at + 1) : colon > name.lastIndexOf('/') ? name.slice(colon + 1) : 'latest';
  const m = /^v?(\d+)/.exec(tag);
  return { repo, tag, ...(m ? { major: Number(m[1]) } : {}) };
}

export function compareService(where: { host: string; project: string; service: string }, git: ServiceState, run: ServiceState, o: { isSecret?: (key: string) => boolean; imageHealthcheck?: string } = {}): Finding[] {
  const out: Finding[] = [];
  const add = (field: string, severity: Severity, running: string | undefined, gitValue: string | undefined, message: string) =>
    out.push({ ...where, field, severity, ...(running !== undefined ? { running } : {}), ...(gitValue !== undefined ? { git: gitValue } : {}), message });
  const secret = o.isSecret ?? ((k: string) => DEFAULT_SECRET_KEYS.test(k));

  if (git.image !== run.image) {
    const a = major(run.image);
    const b = major(git.image);
    const sev: Severity = a.repo !== b.repo || (a.major !== undefined && b.major !== undefined && a.major !== b.major) ? 'critical' : 'warning';
    add('image', sev, run.image, git.image, a.repo !== b.repo ? 'another image' : sev === 'critical' ? `major version ${b.major} in Git, ${a.major} running` : `tag ${b.tag} in Git, ${a.tag} running`);
  }
  const open = new Set(git.environmentOpen ?? []);
  for (const k of [...new Set([...Object.keys(git.environment), ...Object.keys(run.environment)])].sort()) {
    if (open.has(k)) continue;
    const g = git.environment[k];
    const r = run.environment[k];
    if (g === undefined && open.has('*')) continue;
    if (g === r) continue;
    const isSecret = secret(k);
    const show = (v: string | undefined) => (v === undefined ? undefined : isSecret ? hashed(v) : v);
    add(`environment.${k}`, isSecret ? 'critical' : 'warning', show(r), show(g),
      g === undefined ? 'set on the container, not in Git' : r === undefined ? 'in Git, not set on the container' : isSecret ? 'secret differs (values compared by hash)' : 'value differs');
  }
  for (const k of [...new Set([...Object.keys(git.labels), ...Object.keys(run.labels)])].sort()) {
    const g = git.labels[k];
    const r = run.labels[k];
    if (g === r) continue;
    const isSecret = SECRET_LABELS.test(k) || secret(k);
    const show = (v: string | undefined) => (v === undefined ? undefined : isSecret ? hashed(v) : v);
    add(`labels.${k}`, isSecret ? 'critical' : 'warning', show(r), show(g), g === undefined ? 'label added by hand' : r === undefined ? 'label missing on the container' : isSecret ? 'credential label differs (values compared by hash)' : 'label differs');
  }
  const setDiff = (field: 'ports' | 'volumes' | 'networks', severity: Severity) => {
    const g = new Set(git[field]);
    const r = new Set(run[field]);
    const only = (a: Set<string>, b: Set<string>) => [...a].filter((x) => !b.has(x));
    const [onlyRun, onlyGit] = [only(r, g), only(g, r)];
    if (onlyRun.length || onlyGit.length) add(field, severity, onlyRun.join(', ') || undefined, onlyGit.join(', ') || undefined, `${onlyRun.length ? `running only: ${onlyRun.join(', ')}` : ''}${onlyRun.length && onlyGit.length ? '; ' : ''}${onlyGit.length ? `Git only: ${onlyGit.join(', ')}` : ''}`);
  };
  setDiff('ports', 'critical');
  setDiff('volumes', 'critical');
  setDiff('networks', 'warning');
  if (git.restart !== run.restart) add('restart', 'warning', run.restart, git.restart, 'restart policy differs');
  const wantHealth = git.healthcheck ?? o.imageHealthcheck;
  if ((wantHealth ?? '') !== (run.healthcheck ?? '')) add('healthcheck', 'info', run.healthcheck, wantHealth, 'healthcheck differs');
  if ((git.memory ?? 0) !== (run.memory ?? 0)) add('memory', 'info', run.memory?.toString(), git.memory?.toString(), 'memory limit differs (bytes)');
  if ((git.cpus ?? 0) !== (run.cpus ?? 0)) add('cpus', 'info', run.cpus?.toString(), git.cpus?.toString(), 'CPU limit differs');
  return out;
}
