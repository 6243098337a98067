// The shell of a k3s lab node, behind its real sshd (lab/ssh/sshd.ts): the command string an ssh client sent
// (SSH_ORIGINAL_COMMAND) is split the way a POSIX shell splits words (shell-quote), and the programs rackhand uses
// on a node run against the node's folder and the k3s world. Anything a node's shell would do that rackhand must never
// need — pipes, `;`, `$(...)`, unquoted `$VAR` — is refused loudly, so a quoting bug shows up as a failed test.
import { createHash } from 'node:crypto';
import { renameSync } from 'node:fs';
import { parse } from 'shell-quote';
import type { K3sHost } from './host.js';
import type { K3sWorld } from './world.js';
import { runK3s } from './k3s-cli.js';
import { installScript, INSTALL_SCRIPT_MARK } from './install-script.js';
import { runOsCommand } from './os.js';

export interface ShellResult { stdout: string; stdoutBase64?: string; stderr: string; exitCode: number }
export interface ShellRequest { command: string; stdin: Buffer; user: string }

const EXPANSION = '\u0000';

export function splitCommand(command: string): { argv: string[] } | { error: string } {
  let tokens;
  try {
    tokens = parse(command, (name) => `${EXPANSION}${name}`);
  } catch (err) {
    return { error: `sh: 1: Syntax error: ${(err as Error).message}` };
  }
  const argv: string[] = [];
  for (const t of tokens) {
    if (typeof t !== 'string') return { error: `sh: the lab node runs one plain command; got shell syntax ${JSON.stringify(t)} in: ${command}` };
    if (t.includes(EXPANSION)) return { error: `sh: the lab node does not expand variables or substitutions; unquoted $ in: ${command}` };
    argv.push(t);
  }
  if (!argv.length) return { error: 'sh: empty command' };
  return { argv };
}

const ok = (stdout = ''): ShellResult => ({ stdout, stderr: '', exitCode: 0 });
const fail = (stderr: string, exitCode = 1): ShellResult => ({ stdout: '', stderr: stderr.endsWith('\n') ? stderr : `${stderr}\n`, exitCode });

export async function runNodeShell(world: K3sWorld, host: K3sHost, req: ShellRequest): Promise<ShellResult> {
  const split = splitCommand(req.command);
  if ('error' in split) return fail(split.error, 2);
  return run(world, host, split.argv, { root: req.user === 'root', env: {}, stdin: req.stdin, user: req.user });
}

interface Proc { root: boolean; env: Record<string, string>; stdin: Buffer; user: string }

const ROOT_ONLY = /^\/(etc\/systemd|var\/lib\/rancher|etc\/rancher)/;

async function run(world: K3sWorld, h: K3sHost, argv: string[], p: Proc): Promise<ShellResult> {
  const [cmd, ...args] = argv as [string, ...string[]];
  const needRoot = (path: string) => !p.root && ROOT_ONLY.test(path);
  switch (cmd) {
    case 'sudo': {
      // sudo(8): -n never prompts; "sudo: a password is required" when the sudoers entry wants one
      const rest = args[0] === '-n' ? args.slice(1) : args;
      if (world.faults.sudoPassword.has(h.name)) return fail(args[0] === '-n' ? 'sudo: a password is required' : 'sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper');
      if (!rest.length) return fail('usage: sudo -h | -K | -k | -V', 1);
      return run(world, h, rest, { ...p, root: true, env: {} });
    }
    case 'env': {
      const env = { ...p.env };
      let i = 0;
      for (; i < args.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(args[i]!); i++) {
        const a = args[i]!;
        env[a.slice(0, a.indexOf('='))] = a.slice(a.indexOf('=') + 1);
      }
      if (i >= args.length) return ok(Object.entries(env).map(([k, v]) => `${k}=${v}\n`).join(''));
      return run(world, h, args.slice(i), { ...p, env });
    }
    case 'id': return args[0] === '-u' ? ok(p.root ? '0\n' : '1000\n') : ok(`uid=${p.root ? '0(root)' : `1000(${p.user})`}\n`);
    case 'true': return ok();
    // printf FORMAT ARGS...: only the '%s\n' form (one argument per line), enough to see the words a command arrived as
    case 'printf': return args[0] === '%s\\n' ? ok(args.slice(1).map((a) => `${a}\n`).join('')) : fail('printf: the lab node knows only printf \'%s\\n\' ARGS...', 2);
    case 'hostname': return ok(`${h.name}\n`);
    case 'curl': {
      // curl -sfL [--max-time N] -o FILE URL: the lab serves the k3s install script only (no other network)
      let out: string | undefined;
      let url: string | undefined;
      for (let i = 0; i < args.length; i++) {
        const a = args[i]!;
        if (a === '-o' || a === '--output') out = args[++i];
        else if (a === '--max-time' || a === '-m') i++;
        else if (!a.startsWith('-')) url = a;
      }
      if (!url || !/^https?:\/\/get\.k3s\.io\/?$/.test(url)) return fail(`curl: (6) Could not resolve host: ${url ? new URL(url).host : '(none)'}`, 6);
      if (!out) return ok(installScript());
      if (needRoot(out)) return fail(`curl: (23) Failure writing output to destination`, 23);
      h.write(out, installScript(), 0o644);
      return ok();
    }
    case 'install': {
      // install -D -m MODE /dev/stdin DEST | install -d -m MODE DIR (GNU coreutils)
      let mode = 0o755;
      let dirMode = false;
      const files: string[] = [];
      for (let i = 0; i < args.length; i++) {
        const a = args[i]!;
        if (a === '-m') mode = parseInt(args[++i] ?? '755', 8);
        else if (a === '-d') dirMode = true;
        else if (a === '-D') continue;
        else files.push(a);
      }
      const dest = files[files.length - 1];
      if (!dest) return fail('install: missing file operand');
      if (needRoot(dest)) return fail(`install: cannot create regular file '${dest}': Permission denied`);
      if (dirMode) { h.write(`${dest}/.keep`, ''); return ok(); }
      if (files[0] !== '/dev/stdin') return fail(`install: cannot stat '${files[0]}': No such file or directory`);
      h.write(dest, p.stdin, mode);
      return ok();
    }
    case 'sh': {
      const file = args[0];
      if (!file || file === '-s' || file === '-') return fail('sh: the lab node runs scripts from a file only (sh FILE ARGS...)', 2);
      if (!h.exists(file)) return fail(`sh: 0: cannot open ${file}: No such file`, 2);
      if (!h.read(file).toString('utf8').includes(INSTALL_SCRIPT_MARK)) return fail(`sh: ${file}: not a script the lab node knows`, 127);
      if (!p.root) return fail('[ERROR]  You need to be root to perform this install (run it with sudo)');
      const r = await world.install(h, p.env, args.slice(1));
      return { stdout: r.out, stderr: r.err, exitCode: r.code };
    }
    case 'cat': {
      const chunks: Buffer[] = [];
      for (const f of args) {
        if (needRoot(f)) return fail(`cat: ${f}: Permission denied`);
        if (!h.exists(f)) return fail(`cat: ${f}: No such file or directory`);
        chunks.push(h.read(f));
      }
      const body = Buffer.concat(chunks);
      return { stdout: '', stdoutBase64: body.toString('base64'), stderr: '', exitCode: 0 };
    }
    case 'sha256sum': {
      const f = args[0];
      if (!f || !h.exists(f)) return fail(`sha256sum: ${f}: No such file or directory`);
      if (needRoot(f)) return fail(`sha256sum: ${f}: Permission denied`);
      return ok(`${createHash('sha256').update(h.read(f)).digest('hex')}  ${f}\n`);
    }
    case 'test': {
      const [flag, f] = args;
      if ((flag === '-e' || flag === '-f' || flag === '-d') && f) return h.exists(f) ? ok() : { stdout: '', stderr: '', exitCode: 1 };
      return fail('test: the lab node knows -e, -f and -d', 2);
    }
    case 'rm': {
      const targets = args.filter((a) => !a.startsWith('-'));
      for (const t of targets) {
        if (t === '/' || !t.startsWith('/')) return fail(`rm: refusing to remove '${t}'`);
        if (needRoot(t)) return fail(`rm: cannot remove '${t}': Permission denied`);
        h.remove(t);
      }
      world.deps.record('node-rm', h.name, targets.join(' '));
      if (targets.some((t) => t.replace(/\/$/, '') === '/var/lib/rancher/k3s/server/db')) h.dbEpoch = undefined;
      return ok();
    }
    case 'mv': {
      const [src, dst] = args.filter((a) => !a.startsWith('-'));
      if (!src || !dst) return fail('mv: missing file operand');
      if (needRoot(src) || needRoot(dst)) return fail(`mv: cannot move '${src}': Permission denied`);
      if (!h.exists(src)) return fail(`mv: cannot stat '${src}': No such file or directory`);
      renameSync(h.path(src), h.path(dst));
      world.deps.record('node-mv', h.name, `${src} ${dst}`);
      if (src.replace(/\/$/, '') === '/var/lib/rancher/k3s/server/db') h.dbEpoch = undefined;
      return ok();
    }
    case 'systemctl': return systemctl(world, h, args, p);
    case 'k3s':
    case '/usr/local/bin/k3s': {
      if (!h.installed) return fail('sh: 1: k3s: not found', 127);
      return runK3s(world, h, args, { root: p.root });
    }
    default:
      return runOsCommand(world, h, cmd, args, { root: p.root }) ?? fail(`sh: 1: ${cmd}: not found`, 127);
  }
}

async function systemctl(world: K3sWorld, h: K3sHost, args: string[], p: Proc): Promise<ShellResult> {
  const [verb, unitArg] = args.filter((a) => !a.startsWith('-'));
  const unit = unitArg?.replace(/\.service$/, '');
  const known = unit === h.unit;
  if (verb === 'is-active') {
    // systemctl(1): prints the state; exit 0 only when active (3 = inactive/unknown)
    if (!known) return { stdout: 'inactive\n', stderr: '', exitCode: 3 };
    return h.active ? ok('active\n') : { stdout: h.failed ? 'failed\n' : 'inactive\n', stderr: '', exitCode: 3 };
  }
  if (!p.root) return fail('Failed to start: Interactive authentication required.', 1);
  if (!known) return fail(`Failed to ${verb} ${unitArg}: Unit ${unitArg}${unitArg?.endsWith('.service') ? '' : '.service'} not found.`, 5);
  if (verb === 'stop') { world.stop(h); return ok(); }
  if (verb === 'start' || verb === 'restart') {
    if (verb === 'restart') world.stop(h);
    if (h.active) return ok();
    const r = await world.start(h, { restart: verb === 'restart' });
    return r.ok ? ok() : fail(`Job for ${h.unit}.service failed because the control process exited with error code.\nSee "systemctl status ${h.unit}.service" and "journalctl -xeu ${h.unit}.service" for details.`);
  }
  return fail(`systemctl: the lab node knows is-active, start, stop and restart (got ${verb})`, 2);
}
