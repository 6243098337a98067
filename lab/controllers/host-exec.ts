// Runs one container's argv on the host as if inside the container: paths under a volume mount go to the PVC's lab
// folder, every other absolute path to an empty per-lab root filesystem (so `find /` cannot walk the host), and the
// folders are written back as the container's paths in the captured output. Only a few read-only tools run, found on
// the host PATH; anything else fails like a missing executable. Not a sandbox: argv is trusted lab input.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join, posix } from 'node:path';
import { allowed, ROOT_OWNED, type ProcessUser, type VolumeOwner } from './volume-owners.js';

export const ALLOWED_PROGRAMS = ['find', 'stat', 'sha256sum', 'md5sum', 'wc', 'cat', 'ls', 'du', 'head', 'test', 'true', 'false', 'echo', 'touch', 'mkdir', 'rm', 'printenv', 'tail', 'gzip'] as const;
/** the programs that write to their path arguments */
const WRITERS = new Set(['touch', 'mkdir', 'rm']);
const ALLOWED = new Set<string>(ALLOWED_PROGRAMS);
// find's actions that run another program: the program must be allowed too
const FIND_EXEC = new Set(['-exec', '-execdir', '-ok', '-okdir']);
// device files a container sees as in any image
const DEVICES = new Set(['/dev/null', '/dev/zero', '/dev/urandom', '/dev/random']);
const MAX_LOG = 4 << 20;

export interface Mount {
  /** the path inside the container, without a trailing slash */
  mountPath: string;
  /** the lab folder it stands for */
  hostPath: string;
  /** volumeMounts[].readOnly, or the claim mounted readOnly */
  readOnly?: boolean;
  /** who owns the volume (default: root, 0755) */
  owner?: VolumeOwner;
}

export interface HostRun {
  argv: string[];
  mounts: Mount[];
  /** the empty folder that stands for the image's root filesystem */
  rootfs: string;
  workingDir?: string;
  env: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
  /** the container's uid and groups (default root) */
  user?: ProcessUser;
  /** securityContext.readOnlyRootFilesystem */
  readOnlyRootFilesystem?: boolean;
  /** what `wget -qO- URL` gets from the lab's internet (undefined: no route) */
  internet?: (url: string) => string | undefined;
}

export interface HostResult {
  exitCode: number;
  /** stdout and stderr interleaved, container paths restored */
  log: string;
  timedOut?: boolean;
  /** the program the lab refused to run */
  refused?: string;
  /** for terminated.message */
  message?: string;
}

const sortedMounts = (mounts: Mount[]) => [...mounts].sort((a, b) => b.mountPath.length - a.mountPath.length);

/** A container path to the host path that stands for it (relative paths stay: the cwd is mapped). */
export function toHost(path: string, mounts: Mount[], rootfs: string): string {
  if (!path.startsWith('/') || DEVICES.has(path)) return path;
  const norm = posix.normalize(path);
  for (const m of sortedMounts(mounts)) {
    if (norm === m.mountPath || norm.startsWith(`${m.mountPath}/`)) return m.hostPath + norm.slice(m.mountPath.length);
  }
  return join(rootfs, norm);
}

/** Host folders back to container paths in captured output. */
export function fromHost(text: string, mounts: Mount[], rootfs: string): string {
  let out = text;
  for (const m of [...mounts].sort((a, b) => b.hostPath.length - a.hostPath.length)) out = out.split(m.hostPath).join(m.mountPath);
  return out.split(`${rootfs}/`).join('/').split(rootfs).join('/');
}

const resolved = new Map<string, string | undefined>();

/** An allowed program (bare or absolute, e.g. /usr/bin/find) => its host path, found on the lab process's PATH. */
export function resolveProgram(name: string): string | undefined {
  const base = posix.basename(name);
  if (!ALLOWED.has(base) || (name.includes('/') && !name.startsWith('/'))) return undefined;
  if (!resolved.has(base)) {
    const hit = (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, base)).find((p) => {
      try {
        accessSync(p, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
    resolved.set(base, hit);
  }
  return resolved.get(base);
}

// Go's exec.ErrNotFound as runc reports it. Approximate: real containerd fails the start (exit code 128, reason
// StartError, nothing logged) with the message kept here for terminated.message; the lab exits 127 (the shell's
// "command not found") and logs the exec line
const notFound = (program: string): HostResult => ({
  exitCode: 127, log: `exec: "${program}": executable file not found in $PATH\n`, refused: program,
  message: `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "${program}": executable file not found in $PATH: unknown`,
});

/** What the kernel would refuse before the program gets anywhere: a path in a volume the container's user may not
 *  read (or, for a writer, write), or a write to a read-only mount or root filesystem. GNU coreutils' texts. */
function refusedAccess(program: string, args: string[], run: HostRun): HostResult | undefined {
  const name = posix.basename(program);
  const writes = WRITERS.has(name);
  for (const a of args) {
    if (!a.startsWith('/') || DEVICES.has(a)) continue;
    const norm = posix.normalize(a);
    const m = sortedMounts(run.mounts).find((x) => norm === x.mountPath || norm.startsWith(`${x.mountPath}/`));
    const readOnly = m ? m.readOnly : run.readOnlyRootFilesystem;
    if (writes && readOnly) {
      return { exitCode: 1, log: name === 'mkdir' ? `mkdir: cannot create directory '${a}': Read-only file system\n` : name === 'rm' ? `rm: cannot remove '${a}': Read-only file system\n` : `touch: cannot touch '${a}': Read-only file system\n` };
    }
    if (m && run.user && !allowed(m.owner ?? ROOT_OWNED, run.user, writes ? 'write' : 'read')) {
      const denied = name === 'find' ? `find: '${a}': Permission denied` : name === 'touch' ? `touch: cannot touch '${a}': Permission denied`
        : name === 'mkdir' ? `mkdir: cannot create directory '${a}': Permission denied` : name === 'rm' ? `rm: cannot remove '${a}': Permission denied` : `${name}: ${a}: Permission denied`;
      return { exitCode: 1, log: `${denied}\n` };
    }
  }
  return undefined;
}

/** busybox wget fetching a URL to stdout (`wget -q -O - [-T s] URL`, `wget -qO- URL`), answered by the lab's internet:
 *  the one network tool a pod runs here. Texts: busybox networking/wget.c ("can't connect to remote host"). */
function labWget(args: string[], run: HostRun): HostResult | undefined {
  const url = args.find((a) => /^https?:\/\//.test(a));
  if (!url || !args.every((a, i) => a === url || /^-(q|qO-|O|T\d*|-quiet)$/.test(a) || a === '-' || /^\d+$/.test(a) && args[i - 1] === '-T')) return undefined;
  const body = run.internet?.(url);
  return body === undefined ? { exitCode: 1, log: `wget: can't connect to remote host: Connection timed out\n` } : { exitCode: 0, log: body };
}

export function runOnHost(run: HostRun): Promise<HostResult> {
  const [program = '', ...rest] = run.argv;
  // gzip only tests here (-t): anything else would write beside the file
  if (posix.basename(program) === 'gzip' && !rest.some((a) => a === '-t' || a === '--test')) return Promise.resolve({ exitCode: 1, log: 'lab: gzip runs with -t only\n' });
  if (posix.basename(program) === 'wget') return Promise.resolve(labWget(rest, run) ?? notFound(program));
  const binary = resolveProgram(program);
  if (!binary) return Promise.resolve(notFound(program));
  const denied = refusedAccess(program, rest, run);
  if (denied) return Promise.resolve(denied);
  if (posix.basename(program) === 'find') {
    const i = rest.findIndex((a, j) => j > 0 && FIND_EXEC.has(rest[j - 1]!) && !resolveProgram(a));
    // GNU find reports the program it cannot run (approximate: it says so once per file and goes on)
    if (i >= 0) return Promise.resolve({ exitCode: 1, log: `find: '${rest[i]}': No such file or directory\n`, refused: rest[i]! });
  }
  // an absolute program after -exec is the host's copy of it; every other path is mapped
  const args = rest.map((a, j) => (j > 0 && FIND_EXEC.has(rest[j - 1]!) && a.startsWith('/') ? resolveProgram(a)! : toHost(a, run.mounts, run.rootfs)));
  const cwd = run.workingDir ? toHost(run.workingDir, run.mounts, run.rootfs) : run.rootfs;
  mkdirSync(run.rootfs, { recursive: true });
  mkdirSync(cwd, { recursive: true }); // the runtime creates a missing workingDir
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let timedOut = false;
    // argv0: the tools name themselves in their messages as they were called ("cat: /x: No such file or directory")
    const child = spawn(binary, args, { argv0: program, cwd, env: { ...run.env, PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (b: Buffer) => {
      if (size >= MAX_LOG) return;
      chunks.push(b.subarray(0, MAX_LOG - size));
      size += b.length;
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, run.timeoutMs);
    const abort = () => child.kill('SIGTERM');
    run.signal.addEventListener('abort', abort, { once: true });
    let done = false;
    const finish = (exitCode: number, extra = '') => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      run.signal.removeEventListener('abort', abort);
      const log = fromHost(Buffer.concat(chunks).toString('utf8'), run.mounts, run.rootfs) + extra;
      resolve({ exitCode, log, ...(timedOut ? { timedOut } : {}) });
    };
    child.on('error', (err) => finish(127, `exec: "${program}": ${err.message}\n`));
    // a signal death is 128 + signal number, as the runtime reports it (SIGKILL => 137, SIGTERM => 143)
    child.on('close', (code, signal) => finish(code ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : 6)));
  });
}
