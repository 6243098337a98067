// Version moves that cannot be right, judged with `semver` before anything runs: downgrades, skipped minors,
// pre-releases, and Kubernetes versions the installed talosctl does not support.
import semver from 'semver';

export interface MovePolicy {
  /** what moves: "Talos" or "Kubernetes" */
  what: string;
  allowDowngrade: boolean;
  allowPrerelease: boolean;
  /** how many minors one move may go forward (Talos: 1, "upgrade through each minor": talos.dev/v1.12/talos-guides/upgrading-talos/;
   *  Kubernetes: 1, kubernetes.io/releases/version-skew-policy/ "upgrade one minor at a time") */
  maxMinorStep: number;
}

const clean = (v: string): semver.SemVer | null => semver.parse(v.replace(/^v/, ''));

/** Bad on its face (exit 2): not a version, or a pre-release without --allow-prerelease. */
export function targetProblem(target: string, flag: string, allowPrerelease: boolean): string | undefined {
  const t = clean(target);
  if (!t) return `${flag}: expected a version like v1.12.3, got "${target}"`;
  if (t.prerelease.length && !allowPrerelease) return `${flag}: ${target} is a pre-release; add --allow-prerelease to use it`;
  return undefined;
}

/** Why moving `from` -> `to` is refused, or undefined when it is a plain upgrade (or nothing to do). */
export function moveProblem(from: string, to: string, p: MovePolicy): string | undefined {
  const f = clean(from);
  const t = clean(to);
  if (!f || !t) return `cannot compare ${p.what} versions "${from}" and "${to}"`;
  if (semver.eq(f, t)) return undefined;
  if (semver.lt(t, f)) return p.allowDowngrade ? undefined : `${to} is older than the running ${from}: a downgrade (--allow-downgrade forces it, with the cluster name typed)`;
  if (t.major !== f.major) return `${from} -> ${to} changes the major version`;
  if (t.minor - f.minor > p.maxMinorStep) {
    const next = `v${f.major}.${f.minor + 1}`;
    return `${from} -> ${to} skips ${t.minor - f.minor - 1} minor release(s): upgrade to the latest ${next}.x first`;
  }
  return undefined;
}

/** Kubernetes minors a talosctl release can upgrade to: Talos 1.N supports Kubernetes 1.(N+18) to 1.(N+23)
 *  (talos.dev/v1.12/introduction/support-matrix/: Talos 1.8 -> 1.26-1.31 ... 1.12 -> 1.30-1.35). */
export function kubernetesSupportedBy(talosctl: string): { min: string; max: string } | undefined {
  const c = clean(talosctl);
  if (!c || c.major !== 1) return undefined;
  return { min: `v1.${c.minor + 18}`, max: `v1.${c.minor + 23}` };
}

export function kubernetesSupportProblem(target: string, talosctl: string): string | undefined {
  const range = kubernetesSupportedBy(talosctl);
  const t = clean(target);
  if (!range || !t) return undefined;
  const minor = (v: string) => Number(v.split('.')[1]);
  if (t.major !== 1 || t.minor > minor(range.max)) return `Kubernetes ${target} is newer than talosctl ${talosctl} supports (${range.min}.x to ${range.max}.x)`;
  if (t.minor < minor(range.min)) return `Kubernetes ${target} is older than talosctl ${talosctl} supports (${range.min}.x to ${range.max}.x)`;
  return undefined;
}
