// Talos preflight checks: talosctl present and within one minor of the cluster; etcd healthy with every member.
import type { Check, CheckResult, TaskContext } from '../engine/types.ts';
import { talosctlFor } from '../talos/driver.ts';
import { parseSemver } from '../tools/talosctl.ts';

/** Talos supports talosctl within one minor of the server (talos.dev "Upgrading Talos": use the talosctl of the
 *  target version). Refuse beyond one minor, warn on any skew. */
export function versionSkew(client: string, others: string[]): CheckResult {
  const c = parseSemver(client);
  if (!c) return { ok: false, message: `cannot read the talosctl client version "${client}"` };
  const far = others.filter((v) => { const s = parseSemver(v); return s && (s.major !== c.major || Math.abs(s.minor - c.minor) > 1); });
  if (far.length) {
    return { ok: false, message: `talosctl ${client} is more than one minor away from ${[...new Set(far)].join(', ')}`, remedy: `install talosctl ${far[0]} (or the target version) and re-run` };
  }
  // a patch-level difference is normal (talosctl v1.12.4 against nodes on v1.12.1): no warning for it
  const skew = [...new Set(others.filter((v) => { const s = parseSemver(v); return s && s.minor !== c.minor; }))];
  if (skew.length) return { ok: false, warning: true, message: `talosctl ${client} is one minor away from ${skew.join(', ')} (allowed)` };
  return { ok: true, message: `talosctl ${client} matches the cluster` };
}

export function talosctlSkew(target: () => string | undefined, clientVersion: () => Promise<string>): Check {
  return {
    name: 'talosctl version within one minor of the cluster',
    async run(ctx: TaskContext) {
      const running = await talosctlFor(ctx).serverVersions(ctx.cluster.nodes.map((n) => n.address));
      const t = target();
      return versionSkew(await clientVersion(), [...running.values(), ...(t ? [t] : [])]);
    },
  };
}

export const etcdHealthyCheck: Check = {
  name: 'etcd healthy with every member',
  async run(ctx) {
    const cps = ctx.cluster.nodes.filter((n) => n.role === 'controlplane');
    const talosctl = talosctlFor(ctx);
    const members = await talosctl.etcdMembers(cps[0]!.address).catch((e: Error) => e);
    if (members instanceof Error) return { ok: false, message: `etcd members from ${cps[0]!.name}: ${members.message}`, remedy: `talosctl -n ${cps[0]!.address} etcd members` };
    const hostnames = new Set(members.map((m) => m.hostname));
    const absent = cps.filter((n) => !hostnames.has(n.name)).map((n) => n.name);
    if (absent.length) return { ok: false, message: `not an etcd member: ${absent.join(', ')}`, remedy: `talosctl -n ${cps[0]!.address} etcd members` };
    const { rows } = await talosctl.etcdStatus(cps.map((n) => n.address));
    const sick = cps.filter((n) => { const r = rows.find((x) => x.node === n.address); return !r || r.errors; });
    if (sick.length) {
      const why = sick.map((n) => `${n.name}: ${rows.find((x) => x.node === n.address)?.errors || 'no answer'}`).join('; ');
      return { ok: false, message: `etcd unhealthy on ${why}`, remedy: `talosctl -n ${sick[0]!.address} etcd status` };
    }
    return { ok: true, message: `${cps.length} etcd members healthy` };
  },
};
