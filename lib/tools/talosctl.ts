// talosctl wrapper: argv builders per talosctl generation, parsers for its outputs, typed failures. Wrappers never
// print; they return data. Upstream: siderolabs/talos cmd/talosctl/cmd/talos/*.go.
import type { Executor, ExecResult } from '../exec.ts';
import { parseTable } from './table-parse.ts';
import { CliTool } from './cli-tool.ts';
import { lastLine, type FailureRule } from './tool-error.ts';

export interface TalosTarget { talosconfig?: string }

// cli-facts.md "talosctl": known error texts.
const RULES: FailureRule[] = [
  [/AlreadyExists|etcd data directory is not empty/, 'AlreadyExists'],
  [/certificate required|tls: |PermissionDenied|Unauthenticated/, 'Auth'],
  [/code = Unavailable|connection refused|no route to host|context deadline exceeded|i\/o timeout/, 'Unreachable'],
  [/NotFound|not found/, 'NotFound'],
];

export interface Semver { major: number; minor: number; patch: number }
export function parseSemver(tag: string): Semver | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(tag);
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : undefined;
}
export function compareSemver(a: Semver, b: Semver): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** Who drains during `talosctl upgrade`: up to v1.12 the node itself (legacy API); from v1.13 talosctl
 *  (cmd/talosctl/cmd/talos/upgrade.go: --drain default true, --drain-timeout; cli-facts.md). */
export type UpgradeGeneration = 'node-drains' | 'talosctl-drains';
export function upgradeGeneration(clientVersion: string): UpgradeGeneration {
  const v = parseSemver(clientVersion);
  return v && compareSemver(v, { major: 1, minor: 13, patch: 0 }) >= 0 ? 'talosctl-drains' : 'node-drains';
}

export interface UpgradeOptions {
  image: string;
  rebootMode: 'default' | 'powercycle';
  generation: UpgradeGeneration;
  /** talosctl-drains only: --drain-timeout and --timeout for the blocking upgrade. */
  drainTimeoutMs: number;
  timeoutMs: number;
}

const seconds = (ms: number): string => `${Math.ceil(ms / 1000)}s`;

/** The `talosctl upgrade` arguments for a node, per generation. The legacy path returns at once with --wait=false
 *  and rackhand watches the node; the v1.13 path drains (so it always waits: upgrade.go forces wait with --drain). */
export function upgradeArgs(address: string, o: UpgradeOptions): string[] {
  const base = ['--nodes', address, 'upgrade', '--image', o.image, '--reboot-mode', o.rebootMode];
  if (o.generation === 'node-drains') return [...base, '--wait=false'];
  return [...base, '--drain', `--drain-timeout=${seconds(o.drainTimeoutMs)}`, `--timeout=${seconds(o.timeoutMs)}`];
}

export interface MachineStatus { node: string; stage: string; ready: boolean; unmet: { name: string; reason: string }[] }
export interface EtcdMember { node: string; id: string; hostname: string; learner: boolean }
export interface EtcdStatus { node: string; member: string; errors: string }

/** `talosctl get ... -o json` prints one indented object per resource, concatenated, not an array
 *  (cmd/talosctl/cmd/talos/output/json.go): split it with a streaming brace counter. */
export function parseConcatenatedJson<T>(text: string): T[] {
  const out: T[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') { if (depth++ === 0) start = i; }
    else if (ch === '}' && --depth === 0) out.push(JSON.parse(text.slice(start, i + 1)) as T);
  }
  return out;
}

/** `talosctl version` Server: section: `\tNODE:        <n>` then `\tTag:         <v>` (cmd/talosctl/cmd/talos/version.go,
 *  pkg/machinery/version/version.go versionTemplate). */
export function parseServerVersions(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const server = text.split(/^Server:$/m)[1] ?? '';
  let node: string | undefined;
  for (const line of server.split('\n')) {
    const n = /^\s*NODE:\s+(\S+)/.exec(line);
    if (n) { node = n[1]; continue; }
    const t = /^\s*Tag:\s+(\S+)/.exec(line);
    if (t && node) { out.set(node, t[1]!); node = undefined; }
  }
  return out;
}

/** `talosctl version --client --short` prints `Client:` then `Talos vX.Y.Z` (version.Short(): Name + " " + Tag). */
export function parseClientVersion(text: string): string | undefined {
  return /^\s*(?:Talos\s+|Tag:\s+)(v\d+\.\d+\.\d+\S*)/m.exec(text)?.[1];
}

export class Talosctl extends CliTool {
  constructor(exec: Executor, private readonly target: TalosTarget, timeoutMs = 60_000) {
    super(exec, 'talosctl', RULES, timeoutMs);
  }

  protected prefix(): string[] { return this.target.talosconfig ? ['--talosconfig', this.target.talosconfig] : []; }

  async clientVersion(): Promise<string> {
    const out = await this.read(['version', '--client', '--short'], 15_000);
    const v = parseClientVersion(out);
    if (!v) throw new Error(`talosctl version --client --short: no version in output: ${lastLine(out)}`);
    return v;
  }

  /** Running Talos version per address; nodes that did not answer are absent (talosctl multiplexes -n a,b,c and
   *  exits non-zero if any node failed, printing the others). */
  async serverVersions(addresses: string[], timeoutMs = 20_000): Promise<Map<string, string>> {
    const r = await this.exec.run(this.argv(['--nodes', addresses.join(','), 'version']), { mutating: false, timeoutMs });
    return parseServerVersions(r.stdout);
  }

  /** System extensions per address (`talosctl get extensions -o json`: ExtensionStatus spec.metadata{name, version},
   *  siderolabs/talos pkg/machinery/resources/runtime/extension_status.go); the Image Factory's `schematic` entry
   *  carries the schematic id as its version. Nodes that did not answer are absent. */
  async extensions(addresses: string[], timeoutMs = 20_000): Promise<Map<string, { schematic?: string; names: string[] }>> {
    const r = await this.exec.run(this.argv(['--nodes', addresses.join(','), 'get', 'extensions', '--output', 'json']), { mutating: false, timeoutMs });
    const docs = parseConcatenatedJson<{ node: string; spec?: { metadata?: { name?: string; version?: string } } }>(r.stdout);
    const out = new Map<string, { schematic?: string; names: string[] }>();
    // a node without extensions prints nothing, so every node counts with none unless the error names it (talosctl
    // names the failing node in both generations: `from node X` / `* X: ...`, lab/talos/cmd-info.ts failWith)
    const failed = new Set(addresses.filter((a) => r.stderr.includes(a)));
    for (const a of addresses) if (!failed.has(a) || r.exitCode === 0) out.set(a, { names: [] });
    for (const d of docs) {
      const e = out.get(d.node) ?? { names: [] };
      const name = d.spec?.metadata?.name ?? '';
      if (name === 'schematic') e.schematic = d.spec?.metadata?.version;
      else if (name) e.names.push(name);
      out.set(d.node, e);
    }
    return out;
  }

  async machineStatus(address: string, timeoutMs = 15_000): Promise<MachineStatus> {
    const out = await this.read(['--nodes', address, 'get', 'machinestatus', '--output', 'json'], timeoutMs);
    const [doc] = parseConcatenatedJson<{ node: string; spec: { stage: string; status: { ready: boolean; unmetConditions?: { name: string; reason: string }[] } } }>(out);
    if (!doc) throw new Error(`talosctl get machinestatus on ${address}: empty output`);
    return { node: doc.node, stage: doc.spec.stage, ready: doc.spec.status.ready, unmet: doc.spec.status.unmetConditions ?? [] };
  }

  /** `talosctl etcd members` table: NODE ID HOSTNAME PEER URLS CLIENT URLS [LEARNER] (cmd/talosctl/cmd/talos/etcd.go). */
  async etcdMembers(address: string, timeoutMs = 15_000): Promise<EtcdMember[]> {
    const out = await this.read(['--nodes', address, 'etcd', 'members'], timeoutMs);
    return parseTable(out).map((r) => ({ node: r.NODE ?? address, id: r.ID ?? '', hostname: r.HOSTNAME ?? '', learner: r.LEARNER === 'true' }));
  }

  /** `talosctl etcd status` table: NODE MEMBER DB SIZE IN USE LEADER RAFT INDEX RAFT TERM RAFT APPLIED INDEX LEARNER ERRORS. */
  async etcdStatus(addresses: string[], timeoutMs = 15_000): Promise<{ rows: EtcdStatus[]; stderr: string }> {
    const r = await this.exec.run(this.argv(['--nodes', addresses.join(','), 'etcd', 'status']), { mutating: false, timeoutMs });
    return { rows: parseTable(r.stdout).map((row) => ({ node: row.NODE ?? '', member: row.MEMBER ?? '', errors: row.ERRORS ?? '' })), stderr: r.stderr };
  }

  /** Saves an etcd snapshot to `path`; returns the byte count talosctl reports (`etcd snapshot saved to "<path>" (N bytes)`). */
  async etcdSnapshot(address: string, path: string, timeoutMs = 5 * 60_000): Promise<{ bytes: number; dryRun: boolean; revision?: number; keys?: number }> {
    // talosctl creates the file with its umask (os.Create): 077 makes it 0600 from its first byte; it holds every Secret
    const r = await this.mutate(['--nodes', address, 'etcd', 'snapshot', path], { timeoutMs, umask: 0o077 });
    const bytes = Number(/\((\d+) bytes\)/.exec(r.stdout)?.[1] ?? 0);
    // then `snapshot info: hash %08x, revision %d, total keys %d, total size %d` (siderolabs/talos cmd/talosctl/cmd/talos/etcd.go)
    const info = /snapshot info: hash \w+, revision (\d+), total keys (\d+)/.exec(r.stdout);
    return { bytes, dryRun: r.dryRun, ...(info ? { revision: Number(info[1]), keys: Number(info[2]) } : {}) };
  }

  /** The etcd service's state on a node (`talosctl service etcd`: key/value lines, STATE Running | Preparing | ...;
   *  siderolabs/talos cmd/talosctl/cmd/talos/service.go), or undefined when the node does not answer. */
  async etcdServiceState(address: string, timeoutMs = 15_000): Promise<string | undefined> {
    const r = await this.exec.run(this.argv(['--nodes', address, 'service', 'etcd']), { mutating: false, timeoutMs });
    if (r.exitCode !== 0) return undefined;
    return /^STATE\s+(\S+)/m.exec(r.stdout)?.[1];
  }

  /** Maintenance mode answers only the insecure API; a configured node refuses it with `tls: certificate required`
   *  (community-ops-tooling.md "Apply config to fresh nodes"; siderolabs/talos apid). */
  async mode(address: string, timeoutMs = 15_000): Promise<'maintenance' | 'configured' | 'unreachable'> {
    const r = await this.exec.run(this.argv(['--nodes', address, 'version', '--insecure']), { mutating: false, timeoutMs });
    if (r.exitCode === 0) return 'maintenance';
    return /certificate required/.test(r.stderr) ? 'configured' : 'unreachable';
  }

  /** `talosctl bootstrap` starts etcd on ONE control plane; a second call answers AlreadyExists ("etcd data
   *  directory is not empty", siderolabs/talos internal/app/machined/internal/server/v1alpha1/v1alpha1_server.go):
   *  reported as 'already', not thrown. */
  async bootstrap(address: string): Promise<'bootstrapped' | 'already'> {
    const r = await this.exec.run(this.argv(['--nodes', address, 'bootstrap']), { mutating: true, timeoutMs: this.timeoutMs });
    if (r.exitCode === 0) return 'bootstrapped';
    const e = this.fail(r);
    if (e.kind === 'AlreadyExists') return 'already';
    throw e;
  }

  /** Writes an admin kubeconfig for the cluster to `path` (mode 0600), replacing an existing file (`--force`), with
   *  the context named `contextName` (cmd/talosctl/cmd/talos/kubeconfig.go flags --force, --force-context-name). */
  kubeconfig(address: string, path: string, contextName: string): Promise<ExecResult> {
    return this.mutate(['--nodes', address, 'kubeconfig', '--force', '--force-context-name', contextName, path]);
  }

  upgrade(address: string, o: UpgradeOptions): Promise<ExecResult> {
    const deadline = o.generation === 'talosctl-drains' ? o.drainTimeoutMs + o.timeoutMs + 30_000 : 60_000;
    return this.mutate(upgradeArgs(address, o), { timeoutMs: deadline });
  }
}
