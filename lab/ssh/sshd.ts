// Real OpenSSH servers for the lab's k3s nodes: one Debian sshd per node on 127.0.0.1, its own port and host key,
// accepting only the lab's client key, and a ForceCommand that hands whatever command arrives to the lab node
// (lab/k3s/shell.ts) through the fake-cli side channel. So rackhand talks to nodes with the real ssh client, real host
// key checking and a real remote command string; only the "machine" behind sshd is simulated.
// sshd_config(5) (openssh-portable 9.2): ForceCommand runs through the login shell with SSH_ORIGINAL_COMMAND set;
// AuthorizedKeysFile, HostKey, PidFile, StrictModes, UsePAM, PermitRootLogin. Root's sshd needs its privilege
// separation directory (/run/sshd on Debian: "Missing privilege separation directory").
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';

export const SSHD = ['/usr/sbin/sshd', '/usr/local/sbin/sshd'].find((p) => existsSync(p)) ?? '/usr/sbin/sshd';

export interface LabSshd {
  node: string;
  port: number;
  /** the node's host public key line (ssh-ed25519 AAAA...) */
  hostKey: string;
  hostKeyFile: string;
  stop(): Promise<void>;
  /** stops answering (the node is powered off or sshd is down) until start() */
  pause(): Promise<void>;
  start(): Promise<void>;
}

export interface LabSshClient {
  /** the private key rackhand's rackhand.yaml points at (0600) */
  keyFile: string;
  user: string;
}

/** A free TCP port on 127.0.0.1 (bound and released: sshd binds it a moment later). */
export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

async function keygen(file: string, comment: string): Promise<string> {
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], { stdin: 'ignore' });
  return (await readFile(`${file}.pub`, 'utf8')).trim();
}

/** The lab's client key pair, written once per lab dir. */
export async function labClientKey(dir: string): Promise<LabSshClient & { publicKey: string }> {
  mkdirSync(join(dir, 'ssh'), { recursive: true, mode: 0o700 });
  const keyFile = join(dir, 'ssh', 'id_ed25519');
  const publicKey = await keygen(keyFile, 'rackhand-lab-client');
  // sshd run by a user other than root lets only that user log in
  const user = process.getuid?.() === 0 ? 'root' : (process.env.USER ?? 'root');
  return { keyFile, publicKey, user };
}

/** Starts sshd for one node: `forceCommand` is an argv (absolute paths) run for every session. */
export async function startSshd(dir: string, node: string, o: { authorizedKey: string; forceCommand: string[]; port?: number }): Promise<LabSshd> {
  const home = join(dir, 'ssh', node);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const hostKeyFile = join(home, 'ssh_host_ed25519_key');
  const hostKey = await keygen(hostKeyFile, `root@${node}`);
  await writeFile(join(home, 'authorized_keys'), `${o.authorizedKey}\n`, { mode: 0o600 });
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const port = o.port ?? (await freePort());
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const config = [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${hostKeyFile}`, `PidFile ${join(home, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(home, 'authorized_keys')}`, 'StrictModes no', 'UsePAM no', 'PasswordAuthentication no',
    'KbdInteractiveAuthentication no', 'PermitRootLogin prohibit-password', 'AllowTcpForwarding no', 'X11Forwarding no',
    'PermitTTY no', 'PrintMotd no', 'PrintLastLog no', 'LogLevel ERROR', 'MaxStartups 64:30:128', 'MaxSessions 64',
    `ForceCommand ${o.forceCommand.map(q).join(' ')}`,
  ].join('\n');
  const configFile = join(home, 'sshd_config');
  await writeFile(configFile, `${config}\n`, { mode: 0o600 });
  let child: ChildProcess | undefined;
  let starting: Promise<void> | undefined;
  // one start at a time: a second caller waits for the first
  const start = (): Promise<void> => (starting ??= startOnce().finally(() => { starting = undefined; }));
  const startOnce = async () => {
    if (child) return;
    // its own process group: stop() ends the listener and every session it forked
    const c = spawn(SSHD, ['-D', '-e', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    child = c;
    let err = '';
    c.stderr?.on('data', (d) => { err += String(d); });
    c.on('exit', () => { if (child === c) child = undefined; });
    // up when the port accepts a connection
    const deadline = Date.now() + 5_000;
    for (;;) {
      if (!child) throw new Error(`lab sshd for ${node} exited: ${err.trim() || 'no message'} (${SSHD}; install openssh-server)`);
      if (await accepts(port)) return;
      if (Date.now() > deadline) throw new Error(`lab sshd for ${node} does not answer on 127.0.0.1:${port}: ${err.trim()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const stop = async () => {
    const c = child;
    if (!c) return;
    child = undefined;
    await new Promise<void>((ok) => {
      c.once('exit', () => ok());
      try { process.kill(-c.pid!, 'SIGTERM'); } catch { c.kill('SIGTERM'); }
      setTimeout(ok, 2_000).unref();
    });
  };
  await start();
  return { node, port, hostKey, hostKeyFile, stop, pause: stop, start };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); ok(true); });
    s.once('error', () => ok(false));
  });
}
