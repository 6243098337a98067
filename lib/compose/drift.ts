// One host's drift: each running Compose project matched to its folder in Git through the host's sources (the
// project's working_dir and config_files labels mapped from host to repository), its files loaded from Git, and each
// service compared with its container (lib/compose/diff.ts). Also: services Git has that do not run (a service with
// profiles is only expected when started with them), services and containers Git does not know, projects of the
// host's sources that run nowhere on it, and variables the files use without a value.
import { posix } from 'node:path';
import picomatch from 'picomatch';
import type { TaskContext } from '../engine/types.ts';
import type { Ssh } from '../tools/ssh.ts';
import { COMPOSE_FILES, type ComposeHost } from './config.ts';
import { compareService, DEFAULT_SECRET_KEYS, type Finding } from './diff.ts';
import type { RepoReader } from './git.ts';
import { readHost } from './host.ts';
import { ComposeFileError, loadGitProject } from './project.ts';
import { InterpolationError } from './interpolate.ts';
import { fromContainer, fromGit } from './state.ts';


export interface DriftProject { name: string; source?: string; services: number; repo?: string; files?: string[]; workingDir?: string }
export interface HostDrift { host: string; projects: DriftProject[]; findings: Finding[] }

/** a host path to its repository and path there, by the longest matching source */
export function toRepo(h: ComposeHost, hostPath: string): { repo: string; path: string } | undefined {
  const s = [...h.sources].sort((a, b) => b.hostPath.length - a.hostPath.length)
    .find((x) => hostPath === x.hostPath || hostPath.startsWith(`${x.hostPath.replace(/\/+$/, '')}/`));
  if (!s) return undefined;
  return { repo: s.repo, path: posix.normalize(posix.join(s.repoPath || '.', posix.relative(s.hostPath, hostPath))).replace(/^\.\/?/, '') };
}

export function secretMatcher(globs: string[]): (key: string) => boolean {
  const own = globs.length ? picomatch(globs, { nocase: true }) : () => false;
  return (k) => DEFAULT_SECRET_KEYS.test(k) || own(k);
}

export async function driftHost(ctx: TaskContext, ssh: Ssh, h: ComposeHost, repos: Map<string, RepoReader>, secretKeys: string[]): Promise<HostDrift> {
  const state = await readHost(ctx, ssh, h);
  const findings: Finding[] = [];
  const isSecret = secretMatcher(secretKeys);
  const add = (f: Omit<Finding, 'host'>) => findings.push({ host: h.name, ...f });
  const projects: HostDrift['projects'] = [];
  const seenDirs = new Set<string>();
  for (const p of [...state.projects.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const where = toRepo(h, p.workingDir);
    seenDirs.add(where ? `${where.repo}:${where.path}` : '');
    const files = p.configFiles.map((f) => toRepo(h, f));
    if (!where || files.some((f) => !f || f.repo !== where.repo)) {
      add({ project: p.name, service: '-', field: 'project', severity: 'critical', running: p.workingDir, message: `runs from ${p.workingDir}, which is in none of the host's sources (compose.hosts.${h.name}.sources)` });
      projects.push({ name: p.name, services: p.containers.length });
      continue;
    }
    const reader = repos.get(where.repo)!;
    let git;
    try {
      git = await loadGitProject((f) => reader.read(f), p.name, files.map((f) => f!.path));
    } catch (err) {
      if (!(err instanceof ComposeFileError) && !(err instanceof InterpolationError)) throw err;
      add({ project: p.name, service: '-', field: 'project', severity: 'critical', running: p.workingDir, message: `Git (${where.repo}): ${(err as Error).message}` });
      projects.push({ name: p.name, source: `${where.repo}:${where.path}`, services: p.containers.length });
      continue;
    }
    projects.push({ name: p.name, source: `${where.repo}:${where.path}`, services: Object.keys(git.services).length, repo: where.repo, files: files.map((f) => f!.path), workingDir: p.workingDir });
    if (git.unset.length) add({ project: p.name, service: '-', field: 'interpolation', severity: 'info', git: git.unset.join(', '), message: `used without a value in Git (an env file kept out of Git, or the shell's environment): ${git.unset.join(', ')}` });
    const running = new Map<string, (typeof p.containers)[number]>();
    for (const c of p.containers) running.set(c.Config.Labels?.['com.docker.compose.service'] ?? c.Name, c);
    for (const [service, c] of [...running].sort(([a], [b]) => a.localeCompare(b))) {
      if (!git.services[service]) {
        add({ project: p.name, service, field: 'service', severity: 'warning', running: c.Config.Image, message: `runs (container ${c.Name.replace(/^\//, '')}), not in Git` });
        continue;
      }
      if (c.State && c.State.Running === false) add({ project: p.name, service, field: 'state', severity: 'critical', running: c.State.Status ?? 'exited', git: 'running', message: `container ${c.Name.replace(/^\//, '')} is ${c.State.Status ?? 'not running'}` });
      const image = state.images.get(c.Image ?? '') ?? { env: {}, labels: {} };
      findings.push(...compareService({ host: h.name, project: p.name, service }, fromGit(git, service, p.workingDir), fromContainer(c, image), { isSecret, ...(image.healthcheck ? { imageHealthcheck: image.healthcheck } : {}) }));
    }
    for (const [service, svc] of Object.entries(git.services).sort(([a], [b]) => a.localeCompare(b))) {
      if (running.has(service) || (Array.isArray(svc.profiles) && svc.profiles.length)) continue;
      add({ project: p.name, service, field: 'service', severity: 'critical', git: String(svc.image ?? `${p.name}-${service}`), message: 'in Git, not running' });
    }
  }
  // projects of the host's sources that run nowhere on it
  for (const s of h.sources) {
    const reader = repos.get(s.repo)!;
    const files = await reader.list(s.repoPath);
    const dirs = [...new Set(files.filter((f) => COMPOSE_FILES.includes(posix.basename(f))).map((f) => posix.dirname(f)))];
    for (const d of dirs.sort()) {
      if (seenDirs.has(`${s.repo}:${d === '.' ? '' : d}`) || posix.dirname(d) !== (s.repoPath || '.')) continue;
      add({ project: posix.basename(d), service: '-', field: 'project', severity: 'critical', git: `${s.repo}:${d}`, message: `in Git (${s.repo}:${d}), not running on ${h.name}` });
    }
  }
  for (const c of state.unmanaged) {
    add({ project: '-', service: c.Name.replace(/^\//, ''), field: 'container', severity: 'warning', running: c.Config.Image, message: 'started by hand (no Compose labels): not in Git' });
  }
  return { host: h.name, projects, findings };
}
