// `k3s` on a lab node: --version, etcd-snapshot save|ls|delete|prune, server --cluster-reset. Messages are logrus
// lines on stderr as k3s prints them (pkg/cli/etcdsnapshot/etcd_snapshot.go, pkg/etcd/snapshot.go, pkg/etcd/etcd.go).
// `etcd-snapshot ls -o json|yaml` (an ETCDSnapshotFileList) exists only from v1.29 in the lab: older versions print
// the tab-separated table only and reject -o as urfave/cli does ("flag provided but not defined: -o").
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { stringify } from 'yaml';
import { DB_DIR, SNAPSHOT_DIR, type K3sHost } from './host.js';
import type { K3sWorld } from './world.js';
import type { ShellResult } from './shell.js';

const log = (level: 'info' | 'fatal' | 'warning', msg: string) => `time="${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}" level=${level} msg="${msg.replace(/"/g, '\\"')}"\n`;
const fatal = (msg: string): ShellResult => ({ stdout: '', stderr: log('fatal', msg), exitCode: 1 });
const minor = (v: string) => Number(/^v1\.(\d+)\./.exec(v)?.[1] ?? 0);

function flag(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === `--${name}`) return args[i + 1];
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
}

export async function runK3s(world: K3sWorld, h: K3sHost, args: string[], o: { root: boolean }): Promise<ShellResult> {
  const [sub, ...rest] = args;
  if (sub === '--version' || sub === '-v' || sub === 'version') {
    const commit = createHash('sha1').update(h.version!).digest('hex').slice(0, 8);
    return { stdout: `k3s version ${h.version} (${commit})\ngo version go1.23.4\n`, stderr: '', exitCode: 0 };
  }
  if (sub === 'etcd-snapshot') return etcdSnapshot(world, h, rest, o);
  if (sub === 'server' && rest.includes('--cluster-reset')) {
    if (!o.root) return fatal('failed to create directory /var/lib/rancher/k3s/server: permission denied');
    const restore = flag(rest, 'cluster-reset-restore-path');
    const r = await world.clusterReset(h, restore);
    if (!r.ok) return fatal(r.message);
    return {
      stdout: '',
      stderr: log('info', `Starting k3s ${h.version}`) + (restore ? log('info', `Pre-restore etcd database moved to ${DB_DIR}/etcd-old-${Math.floor(Date.now() / 1000)}`) : '')
        + log('info', 'Managed etcd cluster membership has been reset, restart without --cluster-reset flag now. Backup and delete ${datadir}/server/db on each peer etcd server and rejoin the nodes'),
      exitCode: 0,
    };
  }
  return { stdout: '', stderr: `Incorrect Usage: the lab's k3s knows --version, etcd-snapshot and server --cluster-reset (got ${args.join(' ')})\n`, exitCode: 1 };
}

function snapshotFiles(h: K3sHost, dir: string): { name: string; path: string; size: number; created: Date }[] {
  const local = h.path(dir);
  let names: string[] = [];
  try { names = readdirSync(local); } catch { return []; }
  return names.map((name) => {
    const st = statSync(`${local}/${name}`);
    const ts = Number(/-(\d+)$/.exec(name)?.[1] ?? Math.floor(st.mtimeMs / 1000));
    return { name, path: `${dir}/${name}`, size: st.size, created: new Date(ts * 1000) };
  }).sort((a, b) => a.created.getTime() - b.created.getTime() || a.name.localeCompare(b.name));
}

async function etcdSnapshot(world: K3sWorld, h: K3sHost, args: string[], o: { root: boolean }): Promise<ShellResult> {
  const [verb = 'save', ...rest] = args[0]?.startsWith('-') ? ['save', ...args] : args;
  if (!o.root) return fatal('open /var/lib/rancher/k3s/server/token: permission denied');
  if (h.unit !== 'k3s' || world.datastore !== 'etcd') return fatal(`etcd database not found in /var/lib/rancher/k3s/server`);
  const dir = flag(rest, 'etcd-snapshot-dir') ?? flag(rest, 'dir') ?? SNAPSHOT_DIR;
  if (verb === 'save') {
    if (!h.active) return fatal('failed to get etcd status: context deadline exceeded (is k3s running on this node?)');
    const s = await world.saveSnapshot(h, flag(rest, 'name') ?? 'on-demand', dir);
    return { stdout: '', stderr: log('info', `Snapshot ${s.name} saved.`), exitCode: 0 };
  }
  if (verb === 'ls' || verb === 'list') {
    const files = snapshotFiles(h, dir);
    const output = flag(rest, 'output') ?? flag(rest, 'o') ?? (rest.includes('-o') ? rest[rest.indexOf('-o') + 1] : undefined);
    const asked = output !== undefined || rest.some((a) => a === '-o' || a.startsWith('-o=') || a.startsWith('--output'));
    if (asked && minor(h.version!) < 29) return { stdout: '', stderr: 'Incorrect Usage: flag provided but not defined: -o\n', exitCode: 1 };
    if (output === 'json' || output === 'yaml') {
      const list = {
        apiVersion: 'k3s.cattle.io/v1', kind: 'ETCDSnapshotFileList', metadata: {},
        items: files.map((f) => ({
          apiVersion: 'k3s.cattle.io/v1', kind: 'ETCDSnapshotFile',
          metadata: { name: `local-${f.name}`.toLowerCase() },
          spec: { snapshotName: f.name, nodeName: h.name, location: `file://${f.path}` },
          // status.size is a resource.Quantity: a string in JSON
          status: { size: String(f.size), creationTime: f.created.toISOString().replace(/\.\d+Z$/, 'Z'), readyToUse: true },
        })),
      };
      return { stdout: output === 'json' ? `${JSON.stringify(list, null, 4)}\n` : stringify(list), stderr: '', exitCode: 0 };
    }
    const rows = [['Name', 'Location', 'Size', 'Created'], ...files.map((f) => [f.name, `file://${f.path}`, String(f.size), f.created.toISOString().replace(/\.\d+Z$/, 'Z')])];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    return { stdout: rows.map((r) => r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]! + 1) : c)).join('')).join('\n') + '\n', stderr: '', exitCode: 0 };
  }
  if (verb === 'delete') {
    const names = rest.filter((a) => !a.startsWith('-'));
    for (const n of names) {
      if (!h.exists(`${dir}/${n}`)) return fatal(`snapshot ${n} not found`);
      h.remove(`${dir}/${n}`);
      world.deps.record('k3s-snapshot-deleted', h.name, n);
    }
    return { stdout: '', stderr: names.map((n) => log('info', `Snapshot ${n} deleted.`)).join(''), exitCode: 0 };
  }
  if (verb === 'prune') {
    const keep = Number(flag(rest, 'snapshot-retention') ?? 5);
    const prefix = `${flag(rest, 'name') ?? 'on-demand'}-`;
    const files = snapshotFiles(h, dir).filter((f) => f.name.startsWith(prefix));
    const drop = files.slice(0, Math.max(0, files.length - keep));
    for (const f of drop) h.remove(f.path);
    return { stdout: '', stderr: drop.map((f) => log('info', `Removing local snapshot ${f.path}`)).join(''), exitCode: 0 };
  }
  return fatal(`unknown etcd-snapshot command ${verb}`);
}
