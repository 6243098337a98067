// The real OpenSSH client, one node at a time. Every call: argv only (the remote command is ONE string built by
// lib/ssh/remote-command.ts), BatchMode (never a password prompt), host keys checked against the known_hosts file
// rackhand manages (StrictHostKeyChecking=yes; accept-new only when the operator said --accept-new-host-key), the
// user's global known_hosts ignored so a key seen elsewhere never vouches for a node, and a deadline.
// Options: ssh_config(5) (openssh-portable, ssh_config.5): BatchMode, StrictHostKeyChecking yes|accept-new,
// UserKnownHostsFile, GlobalKnownHostsFile, HashKnownHosts, ConnectTimeout, ServerAliveInterval, IdentitiesOnly,
// ControlMaster/ControlPath/ControlPersist (%C: a hash of local host, remote host, port and user).
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import type { ExecResult, Executor } from '../exec.ts';
import { remoteArgv, remoteCommand, type RemoteCommand } from '../ssh/remote-command.ts';
import { quoteArgv } from '../shell-quote.ts';
import { classify, lastLine, ToolError, type FailureRule } from './tool-error.ts';

export interface SshTarget {
  /** the node's name, for messages */
  name: string;
  address: string;
  user?: string;
  port?: number;
  key?: string;
  knownHosts: string;
}

export interface SshCallOptions {
  /** run through `sudo -n` unless the login is root */
  sudo?: boolean;
  env?: Record<string, string>;
  /** sent on the remote command's stdin (a join token): never in argv, never printed */
  input?: string;
  timeoutMs?: number;
  /** the remote command's stdout goes byte for byte into this local file (0600) */
  stdoutFile?: string;
  /** the remote command's stdin comes byte for byte from this local file */
  inputFile?: string;
}

// texts from openssh-portable sshconnect.c (check_host_key, ssh_connect_direct) and sshconnect2.c (userauth)
const RULES: FailureRule[] = [
  [/REMOTE HOST IDENTIFICATION HAS CHANGED/, 'Conflict'],
  [/No [A-Z0-9-]+ host key is known for|Host key verification failed/, 'Auth'],
  [/Permission denied \(/, 'Auth'],
  [/sudo: a (terminal|password) is required/, 'Auth'],
  [/Connection refused|Connection timed out|No route to host|Could not resolve hostname|Network is unreachable|closed by remote host|Connection reset/, 'Unreachable'],
];

/** ssh exits 255 when it failed itself (ssh(1) EXIT STATUS); any other code is the remote command's. */
export const SSH_FAILED = 255;

export class SshError extends ToolError {
  constructor(result: ExecResult, kind: ToolError['kind'], message: string, readonly node: string, readonly remedy: string) {
    super('ssh', result, kind, message);
    this.name = 'SshError';
  }
}

/** Where connection-sharing sockets live: `dir` when its path is short enough for a Unix socket (sun_path is 104
 *  bytes on macOS, 108 on Linux; %C adds 40), else a private folder under the system temp dir. */
export function controlDir(dir: string): string {
  const uid = process.getuid?.() ?? 0;
  return dir.length + 42 <= 100 ? dir : join(tmpdir(), `rackhand-ssh-${uid}`);
}

export class Ssh {
  private readonly control?: string;
  constructor(private readonly exec: Executor, private readonly o: { acceptNewHostKey?: boolean; timeoutMs?: number; controlDir?: string } = {}) {
    // one SSH connection per node, shared by the many short commands a task runs (ControlMaster/ControlPersist, as
    // Ansible does); the persisted master detaches from our stdio (openssh ssh.c control_persist_detach)
    if (o.controlDir) {
      this.control = controlDir(o.controlDir);
      mkdirSync(this.control, { recursive: true, mode: 0o700 });
    }
  }

  /** root logins need no sudo */
  needsSudo(t: SshTarget): boolean {
    return (t.user ?? this.exec.env.USER ?? 'root') !== 'root';
  }

  argv(t: SshTarget, c: RemoteCommand): string[] {
    return [
      'ssh',
      '-o', 'BatchMode=yes',
      '-o', `StrictHostKeyChecking=${this.o.acceptNewHostKey ? 'accept-new' : 'yes'}`,
      '-o', `UserKnownHostsFile=${t.knownHosts}`,
      '-o', 'GlobalKnownHostsFile=/dev/null',
      '-o', 'HashKnownHosts=no',
      '-o', 'ConnectTimeout=10',
      '-o', 'ServerAliveInterval=15',
      '-o', 'ServerAliveCountMax=3',
      ...(this.control ? ['-o', 'ControlMaster=auto', '-o', `ControlPath=${this.control}/%C`, '-o', 'ControlPersist=15'] : []),
      ...(t.port ? ['-p', String(t.port)] : []),
      ...(t.key ? ['-i', t.key, '-o', 'IdentitiesOnly=yes'] : []),
      ...(t.user ? ['-l', t.user] : []),
      '--', t.address,
      remoteCommand(c),
    ];
  }

  private command(t: SshTarget, argv: readonly string[], o: SshCallOptions): RemoteCommand {
    return { argv, ...(o.env ? { env: o.env } : {}), sudo: !!o.sudo && this.needsSudo(t) };
  }

  /** Runs a read-only command; the remote exit code comes back (ssh's own failures throw an SshError). */
  async run(t: SshTarget, argv: readonly string[], o: SshCallOptions & { mutating?: boolean } = {}): Promise<ExecResult> {
    mkdirSync(dirname(t.knownHosts), { recursive: true, mode: 0o700 });
    const r = await this.exec.run(this.argv(t, this.command(t, argv, o)), {
      mutating: o.mutating ?? false, timeoutMs: o.timeoutMs ?? this.o.timeoutMs ?? 120_000, ...(o.input !== undefined ? { input: o.input } : {}),
      ...(o.stdoutFile !== undefined ? { stdoutFile: o.stdoutFile } : {}),
      ...(o.inputFile !== undefined ? { inputFile: o.inputFile } : {}),
    });
    if (r.exitCode === SSH_FAILED && !r.dryRun) throw this.sshFailure(t, r);
    return r;
  }

  /** Runs and throws unless the remote command exits 0; the error names the node and the remote command. */
  async ok(t: SshTarget, argv: readonly string[], o: SshCallOptions & { mutating?: boolean } = {}): Promise<ExecResult> {
    const r = await this.run(t, argv, o);
    if (r.exitCode !== 0) {
      const e = this.exec.error(r);
      const cmd = quoteArgv(this.exec.redactor.redactArgv(remoteArgv(this.command(t, argv, o))));
      const sudo = /sudo: a (terminal|password) is required/.test(r.stderr);
      throw new SshError(e.result, classify(r, RULES), `${t.name}: \`${cmd}\` exited ${r.exitCode}${lastLine(e.result.stderr) ? `: ${lastLine(e.result.stderr)}` : ''}`, t.name,
        sudo ? `give ${t.user} passwordless sudo on ${t.name} (sudoers: ${t.user} ALL=(ALL) NOPASSWD: ALL), or log in as root` : `ssh ${t.user ? `${t.user}@` : ''}${t.address} and look at it`);
    }
    return r;
  }

  /** Mutating: printed, not run, under --dry-run. */
  mutate(t: SshTarget, argv: readonly string[], o: SshCallOptions = {}): Promise<ExecResult> {
    return this.ok(t, argv, { ...o, mutating: true });
  }

  private sshFailure(t: SshTarget, r: ExecResult): SshError {
    const e = this.exec.error(r);
    const kind = classify(r, RULES);
    const where = `${t.user ? `${t.user}@` : ''}${t.address}${t.port ? ` port ${t.port}` : ''}`;
    const port = t.port && t.port !== 22 ? `[${t.address}]:${t.port}` : t.address;
    if (/REMOTE HOST IDENTIFICATION HAS CHANGED/.test(r.stderr)) {
      return new SshError(e.result, kind, `${t.name}: the host key of ${where} is not the one in ${t.knownHosts} (a reinstalled node, or someone in between)`, t.name,
        `if the node was reinstalled: ssh-keygen -R '${port}' -f ${t.knownHosts}, then re-run with --accept-new-host-key`);
    }
    if (/No [A-Z0-9-]+ host key is known for|Host key verification failed/.test(r.stderr)) {
      return new SshError(e.result, kind, `${t.name}: no host key for ${where} in ${t.knownHosts}`, t.name,
        `check the node's key fingerprint (ssh-keyscan -p ${t.port ?? 22} ${t.address} | ssh-keygen -lf -), then re-run with --accept-new-host-key to learn it`);
    }
    if (/Permission denied \(/.test(r.stderr)) {
      return new SshError(e.result, kind, `${t.name}: ${where} refused the login (${lastLine(r.stderr)})`, t.name,
        `check the ssh user and key for ${t.name} in rackhand.yaml (${t.key ?? 'the ssh client\'s default keys'})`);
    }
    return new SshError(e.result, kind, `${t.name}: ssh to ${where} failed: ${lastLine(e.result.stderr) || 'exit 255'}`, t.name, `ssh -p ${t.port ?? 22} ${where.split(' ')[0]} true`);
  }
}
