// The compose: section for a run: read from rackhand.yaml (--config, RACKHAND_CONFIG or ./rackhand.yaml), paths made
// absolute against the file's folder, each host's SSH target with the known_hosts rackhand manages. No section, or
// an unknown --host, is bad input (exit 2) before anything runs.
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { configPath } from '../config/path.ts';
import { configSchema } from '../config/schema.ts';
import { ConfigError, parseYamlFile } from '../config/yaml-errors.ts';
import type { ComposeConfig } from '../config/compose.ts';
import { UsageError, type TaskContext } from '../engine/types.ts';
import { Ssh, type SshTarget } from '../tools/ssh.ts';
import { RepoReader } from './git.ts';

export interface ComposeHost {
  name: string;
  target: SshTarget;
  sudo: boolean;
  sources: { repo: string; repoPath: string; hostPath: string }[];
}
export interface Compose { path: string; repos: Record<string, { path: string; ref: string }>; hosts: ComposeHost[]; secretKeys: string[] }

const abs = (base: string, p: string) => (p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(1)) : isAbsolute(p) ? p : resolve(base, p));

export async function loadCompose(ctx: TaskContext, only?: string): Promise<Compose> {
  const path = configPath(ctx.flags.config as string | undefined, ctx.exec.env, ctx.cwd);
  let raw;
  try {
    raw = (await parseYamlFile(path, configSchema)).compose;
  } catch (err) {
    // the file's own errors (the field, what was expected) are bad input too: exit 2
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  if (!raw || !Object.keys(raw.hosts).length) throw new UsageError(`${path}: no compose: hosts: expected a compose: section with repos and hosts (see rackhand.example.yaml)`);
  const base = dirname(path);
  if (only && !raw.hosts[only]) throw new UsageError(`--host: no host "${only}" in ${path} compose.hosts; expected one of ${Object.keys(raw.hosts).join(', ')}`);
  const hosts = Object.entries(raw.hosts as ComposeConfig['hosts']).filter(([n]) => !only || n === only).map(([name, h]) => ({
    name, sudo: h.sudo === true, sources: h.sources,
    target: {
      name, address: h.address, knownHosts: abs(base, h.ssh?.knownHosts ?? join(ctx.stateDir, 'known_hosts')),
      ...(h.ssh?.user ? { user: h.ssh.user } : {}), ...(h.ssh?.port ? { port: h.ssh.port } : {}), ...(h.ssh?.key ? { key: abs(base, h.ssh.key) } : {}),
    },
  }));
  return {
    path, hosts, secretKeys: raw.secretKeys ?? [],
    repos: Object.fromEntries(Object.entries(raw.repos).map(([n, r]) => [n, { path: abs(base, r.path), ref: r.ref ?? 'HEAD' }])),
  };
}

/** the file names Compose looks for in a project folder (compose-spec/spec.md "Compose file") */
export const COMPOSE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

/** the run's SSH client for the hosts (one shared connection per host; a new host key learnt only when asked) */
export function composeSsh(ctx: TaskContext): Ssh {
  return new Ssh(ctx.exec, { acceptNewHostKey: ctx.flags['accept-new-host-key'] === true, controlDir: join(ctx.stateDir, 'ssh') });
}

/** a reader per repository of the compose: section, each at its ref */
export function repoReaders(ctx: TaskContext, c: Compose): Map<string, RepoReader> {
  return new Map(Object.entries(c.repos).map(([n, r]) => [n, new RepoReader(ctx, n, r.path, r.ref)]));
}
