// A k3s cluster's nodes as rackhand reaches them: over SSH (lib/tools/ssh.ts), with sudo where the login is not
// root. probe() reads what a node really runs — the k3s version, which unit is active, and the args and env the
// install script recorded — so every task decides from real state and re-passes what each node was installed with.
import { join } from 'node:path';
import type { ClusterConfig, NodeConfig } from '../config.ts';
import { UsageError, type TaskContext } from '../engine/types.ts';
import { Ssh, SshError, type SshTarget } from '../tools/ssh.ts';
import { parseEnvFile, parseExecStart, secretValues } from './service.ts';
import { versionFromOutput } from './version.ts';

export type K3sUnit = 'k3s' | 'k3s-agent';

export interface NodeProbe {
  node: NodeConfig;
  /** the installed k3s (`k3s --version`); undefined when k3s is not installed */
  version?: string;
  /** the unit that is active, if any */
  active?: K3sUnit;
  /** the unit installed on the node (its service file exists) */
  unit?: K3sUnit;
  /** what the unit runs: its command and args (ExecStart), and the K3S_* env of its env file */
  install?: { command: 'server' | 'agent'; args: string[]; env: Record<string, string>; secretEnv: string[] };
}

/** k3s tasks refuse other distributions before anything runs (exit 2). */
export function requireK3s(ctx: TaskContext): void {
  if (ctx.cluster.distribution !== 'k3s') throw new UsageError(`--cluster ${ctx.cluster.name}: expected a k3s cluster (it is ${ctx.cluster.distribution})`);
}

export const unitOf = (n: NodeConfig): K3sUnit => (n.role === 'controlplane' ? 'k3s' : 'k3s-agent');
export const roleName = (n: NodeConfig): 'server' | 'agent' => (n.role === 'controlplane' ? 'server' : 'agent');

/** Nodes picked by --node N / --all (exactly one), in config order. */
export function pickNodes(ctx: TaskContext, o: { required?: boolean } = {}): NodeConfig[] {
  const c = ctx.cluster;
  const node = ctx.flags.node as string | undefined;
  const all = ctx.flags.all === true;
  if (node && all) throw new UsageError('expected one of --node NAME or --all, not both');
  if (!node && !all) {
    if (o.required) throw new UsageError('expected one of --node NAME or --all');
    return c.nodes;
  }
  if (all) return c.nodes;
  const n = c.nodes.find((x) => x.name === node);
  if (!n) throw new UsageError(`--node: no node "${node}" in cluster ${c.name}; expected one of ${c.nodes.map((x) => x.name).join(', ')}`);
  return [n];
}

export class K3sNodes {
  readonly ssh: Ssh;
  private readonly knownHostsDefault: string;

  constructor(readonly ctx: TaskContext, readonly cluster: ClusterConfig = ctx.cluster) {
    this.ssh = new Ssh(ctx.exec, { acceptNewHostKey: ctx.flags['accept-new-host-key'] === true, controlDir: join(ctx.stateDir, 'ssh') });
    // the known_hosts rackhand manages for this cluster's nodes (never the user's own, never StrictHostKeyChecking=no)
    this.knownHostsDefault = join(ctx.stateDir, 'known_hosts');
  }

  target(n: NodeConfig): SshTarget {
    const s = n.ssh ?? {};
    return { name: n.name, address: n.address, knownHosts: s.knownHosts ?? this.knownHostsDefault, ...(s.user ? { user: s.user } : {}), ...(s.port ? { port: s.port } : {}), ...(s.key ? { key: s.key } : {}) };
  }

  /** read-only command on a node; its exit code is returned */
  run(n: NodeConfig, argv: string[], o: { sudo?: boolean; input?: string; timeoutMs?: number; stdoutFile?: string } = {}) {
    return this.ssh.run(this.target(n), argv, o);
  }

  ok(n: NodeConfig, argv: string[], o: { sudo?: boolean; input?: string; timeoutMs?: number } = {}) {
    return this.ssh.ok(this.target(n), argv, o);
  }

  mutate(n: NodeConfig, argv: string[], o: { sudo?: boolean; input?: string; inputFile?: string; env?: Record<string, string>; timeoutMs?: number } = {}) {
    return this.ssh.mutate(this.target(n), argv, o);
  }

  /** a file's text as root (`sudo -n cat`), or undefined when it does not exist */
  async readFile(n: NodeConfig, path: string): Promise<string | undefined> {
    const r = await this.run(n, ['cat', path], { sudo: true });
    if (r.exitCode === 0) return r.stdout;
    if (/No such file or directory/.test(r.stderr)) return undefined;
    throw this.commandFailed(n, ['cat', path], r.stderr);
  }

  /** ssh works, the host key is known, and sudo does not ask for a password */
  async reachable(n: NodeConfig): Promise<{ ok: true } | { ok: false; message: string; remedy: string }> {
    try {
      const r = await this.run(n, ['true'], { sudo: true, timeoutMs: 30_000 });
      if (r.exitCode === 0) return { ok: true };
      const sudo = /sudo: a (terminal|password) is required/.test(r.stderr);
      const t = this.target(n);
      return {
        ok: false,
        message: `${n.name}: ${sudo ? `sudo asks ${t.user} for a password` : `\`true\` exited ${r.exitCode}: ${r.stderr.trim().split('\n').pop()}`}`,
        remedy: sudo ? `give ${t.user} passwordless sudo on ${n.name} (sudoers: ${t.user} ALL=(ALL) NOPASSWD: ALL), or log in as root` : `ssh to ${n.name} and look`,
      };
    } catch (err) {
      if (err instanceof SshError) return { ok: false, message: err.message.replace(/^ssh: /, ''), remedy: err.remedy };
      throw err;
    }
  }

  async probe(n: NodeConfig): Promise<NodeProbe> {
    const v = await this.run(n, ['k3s', '--version']);
    const version = v.exitCode === 0 ? versionFromOutput(v.stdout) : undefined;
    if (!version) return { node: n };
    const activeOf = async (u: K3sUnit) => (await this.run(n, ['systemctl', 'is-active', u])).exitCode === 0;
    const active = (await activeOf('k3s')) ? 'k3s' : (await activeOf('k3s-agent')) ? 'k3s-agent' : undefined;
    let unit: K3sUnit | undefined;
    let text: string | undefined;
    for (const u of [active ?? unitOf(n), unitOf(n) === 'k3s' ? 'k3s-agent' : 'k3s'] as K3sUnit[]) {
      text = await this.readFile(n, `/etc/systemd/system/${u}.service`);
      if (text !== undefined) { unit = u; break; }
    }
    const exec = text ? parseExecStart(text) : undefined;
    let install: NodeProbe['install'];
    if (unit && exec) {
      const envText = (await this.readFile(n, `/etc/systemd/system/${unit}.service.env`)) ?? '';
      // a token given as K3S_TOKEN at install time sits in this file: redacted before anything could print it
      for (const s of secretValues(envText)) this.ctx.exec.registerSecret(s);
      install = { ...exec, ...parseEnvFile(envText) };
    }
    return { node: n, version, ...(active ? { active } : {}), ...(unit ? { unit } : {}), ...(install ? { install } : {}) };
  }

  probeAll(nodes: NodeConfig[]): Promise<NodeProbe[]> {
    return Promise.all(nodes.map((n) => this.probe(n)));
  }

  commandFailed(n: NodeConfig, argv: string[], stderr: string): Error {
    return new Error(`${n.name}: \`${argv.join(' ')}\` failed: ${this.ctx.exec.redactor.redact(stderr.trim().split('\n').pop() ?? '')}`);
  }
}
