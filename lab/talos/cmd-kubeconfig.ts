// `talosctl kubeconfig [local-path]` (cmd/talosctl/cmd/talos/kubeconfig.go, v1.8-v1.12): downloads the admin
// kubeconfig from a control plane. -m/--merge (default true) merges into [local-path], else into
// kubeconfig.SinglePath() ($KUBECONFIG); a path that does not exist turns merging off and the file is written as it
// is (mode 0600; --force-context-name is then NOT applied, as upstream); a directory gets "kubeconfig" appended; "-"
// with --merge=false writes to stdout. The admin kubeconfig is generated from the machine config's secrets
// (machined Kubeconfig => kubeconfig.GenerateAdmin), so it is served before etcd is bootstrapped, as on a real node.
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { type Command, CliError, out, reach, singleNode } from './command.js';
import { RpcError } from './world.js';

type Named = { name: string; [k: string]: unknown };
interface Kubeconfig {
  clusters?: Named[];
  users?: Named[];
  contexts?: (Named & { context?: { cluster?: string; user?: string; [k: string]: unknown } })[];
  'current-context'?: string;
  [k: string]: unknown;
}

const exists = async (p: string) => stat(p).then((s) => s, () => undefined);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * siderolabs/go-kubeconfig merge.go Merge with ActivateContext: a component whose name exists with other content is
 * overwritten with --force, else renamed `<name>-N` (non-interactive); auth info names follow cluster renames and
 * context names follow auth info renames (strings.ReplaceAll); ForceContextName replaces the context name. Renames
 * are reported on stdout as `renamed cluster "a" -> "a-1"`.
 */
export function mergeKubeconfig(into: Kubeconfig, add: Kubeconfig, opts: { force: boolean; forceContextName: string }, report: (line: string) => void): Kubeconfig {
  const merged: Kubeconfig = { ...into, clusters: [...(into.clusters ?? [])], users: [...(into.users ?? [])], contexts: [...(into.contexts ?? [])] };
  const body = ({ name: _, ...rest }: Named) => rest;
  /** the name an incoming component lands under: kept, overwritten (--force) or renamed until unique */
  const land = (list: Named[], name: string, item: Named): string => {
    const old = list.find((x) => x.name === name);
    if (!old || same(body(old), body(item)) || opts.force) return name;
    let i = 1;
    while (list.some((x) => x.name === `${name}-${i}`)) i++;
    return `${name}-${i}`;
  };
  const rewrite = (name: string, map: Map<string, string>) => [...map].reduce((n, [from, to]) => n.split(from).join(to), name);
  const clusters = new Map((add.clusters ?? []).map((c) => [c.name, land(merged.clusters!, c.name, c)]));
  const users = new Map((add.users ?? []).map((u) => [u.name, land(merged.users!, rewrite(u.name, clusters), u)]));
  const contexts = new Map((add.contexts ?? []).map((x) => [x.name, land(merged.contexts!, opts.forceContextName || rewrite(x.name, users), x)]));
  const put = (list: Named[], item: Named) => {
    const i = list.findIndex((x) => x.name === item.name);
    if (i >= 0) list[i] = item;
    else list.push(item);
  };
  const apply = (what: string, list: Named[], items: Named[], map: Map<string, string>, shape: (x: Named) => Named = (x) => x) => {
    for (const x of items) {
      const name = map.get(x.name)!;
      if (name !== x.name) report(`renamed ${what} ${JSON.stringify(x.name)} -> ${JSON.stringify(name)}`);
      put(list, { ...shape(x), name });
    }
  };
  apply('cluster', merged.clusters!, add.clusters ?? [], clusters);
  apply('auth info', merged.users!, add.users ?? [], users);
  apply('context', merged.contexts!, add.contexts ?? [], contexts, (x) => ({
    ...x, context: { ...(x as any).context, cluster: clusters.get((x as any).context?.cluster) ?? (x as any).context?.cluster, user: users.get((x as any).context?.user) ?? (x as any).context?.user },
  }));
  const last = [...contexts.values()].pop();
  if (last !== undefined) merged['current-context'] = last;
  return merged;
}

/** clientcmd.WriteToFile: the v1 Config through sigs.k8s.io/yaml, keys sorted */
const serialize = (k: Kubeconfig) => stringify(Object.fromEntries(Object.keys(k).sort().map((key) => [key, k[key]])));

export const kubeconfigCmd: Command = {
  path: 'kubeconfig',
  args: { max: 1 },
  flags: [
    { name: 'force', short: 'f', type: 'bool', usage: 'Force overwrite of kubeconfig if already present, force overwrite on kubeconfig merge' },
    { name: 'force-context-name', type: 'string', usage: 'Force context name for kubeconfig merge' },
    { name: 'merge', short: 'm', type: 'bool', default: true, usage: 'Merge with existing kubeconfig' },
  ],
  async run(c) {
    const node = singleNode(c, 'kubeconfig');
    let merge: boolean = c.flags.merge;
    let local: string;
    if (c.args.length) local = c.args[0]!;
    else if (!merge) local = c.cwd;
    else {
      // go-kubeconfig SinglePath: $KUBECONFIG (one path), else ~/.kube/config -- which the lab never writes
      const paths = (c.env.KUBECONFIG ?? '').split(':').filter(Boolean);
      if (paths.length > 1) throw new CliError('multiple kubeconfig files defined');
      if (!paths.length) throw new CliError('the lab\'s fake talosctl does not write ~/.kube/config: give a path or set KUBECONFIG');
      local = paths[0]!;
    }
    local = normalize(local);
    if (local !== '-') {
      const st = await exists(resolve(c.cwd, local));
      if (!st) await mkdir(dirname(resolve(c.cwd, local)), { recursive: true, mode: 0o755 });
      else if (st.isDirectory()) local = join(local, 'kubeconfig');
    }
    const present = local !== '-' && !!(await exists(resolve(c.cwd, local)));
    if (present && !c.flags.force && !merge) throw new CliError(`kubeconfig file already exists, use --force to overwrite: ${JSON.stringify(local)}`);
    if (!present) merge = false; // "merge doesn't make sense if target path doesn't exist"
    const r = reach(c, node);
    if (r.error) throw new CliError(`error copying: ${r.error.message}`);
    // v1alpha1_server.go checkControlplane("kubeconfig")
    if (!r.machine!.controlPlane) throw new CliError(`error copying: ${new RpcError('Unimplemented', 'kubeconfig is only available on control plane nodes').message}`);
    const admin = c.world.deps.adminKubeconfig?.() as Kubeconfig | undefined;
    if (!admin) throw new CliError('error copying: the lab has no admin kubeconfig to hand out');
    const path = resolve(c.cwd, local);
    if (merge) {
      const existing = (parse(await readFile(path, 'utf8')) ?? {}) as Kubeconfig;
      const merged = mergeKubeconfig(existing, admin, { force: c.flags.force, forceContextName: c.flags['force-context-name'] }, (line) => out(c, `${line}\n`));
      await writeFile(path, serialize(merged), { mode: 0o600 });
    } else if (local === '-') out(c, stringify(admin));
    else await writeFile(path, stringify(admin), { mode: 0o600 });
    c.world.deps.record('talos-kubeconfig', r.machine!.name, local);
  },
};
