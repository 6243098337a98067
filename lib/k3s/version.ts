// k3s versions are Kubernetes versions with a k3s revision: v1.31.4+k3s1 (github.com/k3s-io/k3s/releases). semver
// ignores build metadata, so v1.31.4+k3s2 would equal +k3s1: the revision is compared here as a fourth number.
export const K3S_VERSION = /^v(\d+)\.(\d+)\.(\d+)\+k3s(\d+)$/;

export interface K3sVersion { major: number; minor: number; patch: number; rev: number; text: string }

export function parseK3sVersion(v: string): K3sVersion | undefined {
  const m = K3S_VERSION.exec(v);
  return m ? { major: +m[1]!, minor: +m[2]!, patch: +m[3]!, rev: +m[4]!, text: v } : undefined;
}

export function compareK3s(a: K3sVersion, b: K3sVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch || a.rev - b.rev;
}

/** `k3s --version` first line: "k3s version v1.31.4+k3s1 (a1b2c3d4)" (k3s-io/k3s pkg/cli/cmds/root.go) */
export function versionFromOutput(out: string): string | undefined {
  return /^k3s version (v\d+\.\d+\.\d+\+k3s\d+)/m.exec(out)?.[1];
}

/** Why moving a node from `from` to `to` is refused, or undefined. docs.k3s.io/upgrades: upgrade one minor at a time. */
export function k3sMoveProblem(from: string, to: string, allowDowngrade: boolean): string | undefined {
  const f = parseK3sVersion(from);
  const t = parseK3sVersion(to);
  if (!f || !t) return `cannot compare k3s versions "${from}" and "${to}"`;
  const c = compareK3s(t, f);
  if (c === 0) return undefined;
  if (c < 0) return allowDowngrade ? undefined : `${to} is older than the running ${from}: a downgrade (--allow-downgrade forces it, with the cluster name typed)`;
  if (t.major !== f.major) return `${from} -> ${to} changes the major version`;
  if (t.minor - f.minor > 1) return `${from} -> ${to} skips ${t.minor - f.minor - 1} minor release(s): upgrade to the latest v${f.major}.${f.minor + 1}.x+k3sN first`;
  return undefined;
}
