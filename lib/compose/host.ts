// What runs on one Docker host, read over SSH with the docker CLI (read-only): every container's id
// (`docker ps --all --no-trunc --format {{.ID}}`), their `docker inspect` (a JSON array), and `docker image inspect`
// of their images, for the image's own environment, labels and healthcheck. Containers are grouped by Compose's
// labels (com.docker.compose.project, .project.working_dir, .project.config_files, .service, .oneoff: docker/compose
// pkg/api/labels.go); one started by hand has none.
import type { TaskContext } from '../engine/types.ts';
import { StepFailure } from '../engine/types.ts';
import type { Ssh } from '../tools/ssh.ts';
import type { ComposeHost } from './config.ts';
import { envMap, inspectHealth, type ContainerInspect, type ImageDefaults } from './state.ts';

export interface RunningProject { name: string; workingDir: string; configFiles: string[]; containers: (ContainerInspect & { Image?: string })[] }
export interface HostState { projects: Map<string, RunningProject>; unmanaged: ContainerInspect[]; images: Map<string, ImageDefaults> }

const L = 'com.docker.compose.';

export async function readHost(ctx: TaskContext, ssh: Ssh, h: ComposeHost): Promise<HostState> {
  const docker = async (args: string[]) => {
    const r = await ssh.run(h.target, ['docker', ...args], { sudo: h.sudo, timeoutMs: 120_000 });
    if (r.exitCode !== 0) {
      const why = r.stderr.trim().split('\n').pop() ?? '';
      // the docker CLI without access to the daemon socket (docker/cli: "permission denied while trying to connect")
      throw new StepFailure(`${h.name}: docker ${args[0]} exited ${r.exitCode}: ${why}`, /permission denied/.test(why) ? `add ${h.target.user ?? 'the login'} to the docker group on ${h.name}, or set compose.hosts.${h.name}.sudo: true` : `ssh ${h.target.address} docker ${args.join(' ')}`);
    }
    return r.stdout;
  };
  const ids = (await docker(['ps', '--all', '--no-trunc', '--format', '{{.ID}}'])).split('\n').map((s) => s.trim()).filter(Boolean);
  const containers: (ContainerInspect & { Image?: string })[] = ids.length ? JSON.parse(await docker(['inspect', ...ids])) : [];
  const imageIds = [...new Set(containers.map((c) => c.Image).filter((x): x is string => !!x))];
  const images = new Map<string, ImageDefaults>();
  if (imageIds.length) {
    const list = JSON.parse(await docker(['image', 'inspect', ...imageIds])) as { Id: string; Config?: { Env?: string[]; Labels?: Record<string, string> | null; Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number } } }[];
    for (const i of list) {
      const hc = inspectHealth(i.Config?.Healthcheck);
      images.set(i.Id, { env: envMap(i.Config?.Env), labels: i.Config?.Labels ?? {}, ...(hc ? { healthcheck: hc } : {}) });
    }
  }
  const projects = new Map<string, RunningProject>();
  const unmanaged: ContainerInspect[] = [];
  for (const c of containers) {
    const l = c.Config.Labels ?? {};
    const name = l[`${L}project`];
    if (!name || l[`${L}oneoff`] === 'True') { if (!name) unmanaged.push(c); continue; }
    let p = projects.get(name);
    if (!p) projects.set(name, (p = { name, workingDir: l[`${L}project.working_dir`] ?? '', configFiles: (l[`${L}project.config_files`] ?? '').split(',').filter(Boolean), containers: [] }));
    p.containers.push(c);
  }
  return { projects, unmanaged, images };
}
