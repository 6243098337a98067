// One service's settings in a form both sides share, so Git's compose file and `docker inspect` of the running
// container compare field by field. From Git: Compose's own defaults applied (restart "no", the project's default
// network, named volumes and networks prefixed with the project name unless `name:` or `external` says otherwise,
// relative bind sources resolved against the project folder on the host, short port and volume syntax expanded;
// compose-spec/spec.md "ports", "volumes", "networks", "restart", "healthcheck", "deploy.resources"). From the
// container: Docker Engine API ContainerInspect (v1.47): Config.Image/Env/Labels/Healthcheck, HostConfig.PortBindings/
// RestartPolicy/Memory/NanoCpus, Mounts, NetworkSettings.Networks; what the image itself sets (its Env and Labels,
// from ImageInspect) and Compose's own com.docker.compose.* labels are left out.
import { posix } from 'node:path';
import { OPEN_ENV, toMap, type GitProject, type Raw } from './project.ts';

export interface ServiceState {
  image: string;
  environment: Record<string, string>;
  /** keys set in Git without a value (taken from the shell at `up`): not compared; '*': an env_file outside Git may
   *  set any key, so keys only the container has are not compared either */
  environmentOpen?: string[];
  labels: Record<string, string>;
  ports: string[];
  volumes: string[];
  networks: string[];
  restart: string;
  healthcheck?: string;
  memory?: number;
  cpus?: number;
}

/** an image reference with Docker's defaults spelled out: docker.io/library/ and :latest */
export function normalizeImage(ref: string): string {
  let r = ref.trim();
  if (!r) return r;
  const slash = r.indexOf('/');
  const first = slash < 0 ? '' : r.slice(0, slash);
  if (slash < 0) r = `docker.io/library/${r}`;
  else if (!/[.:]/.test(first) && first !== 'localhost') r = `docker.io/${r}`;
  const name = r.split('@')[0]!;
  if (!r.includes('@') && !/:[^/]+$/.test(name)) r = `${r}:latest`;
  return r;
}

const DURATION = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
const UNIT: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
/** a Compose duration ("1m30s") in nanoseconds, as the Engine stores it */
export function durationNs(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v * 1e9;
  let total = 0;
  let matched = false;
  for (const m of String(v).matchAll(DURATION)) { total += Number(m[1]) * UNIT[m[2]!]!; matched = true; }
  return matched ? Math.round(total) : undefined;
}

const BYTES: Record<string, number> = { b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };
export function bytes(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(String(v).trim());
  return m ? Math.round(Number(m[1]) * (BYTES[(m[2] || 'b').toLowerCase()] ?? 1)) : undefined;
}

function health(h: Raw | undefined): string | undefined {
  if (!h) return undefined;
  if (h.disable === true) return JSON.stringify({ test: ['NONE'] });
  const test = typeof h.test === 'string' ? ['CMD-SHELL', h.test] : Array.isArray(h.test) ? h.test.map(String) : undefined;
  return JSON.stringify({ test, interval: durationNs(h.interval) ?? 0, timeout: durationNs(h.timeout) ?? 0, retries: h.retries ?? 0, startPeriod: durationNs(h.start_period) ?? 0 });
}

/** "hostIp:hostPort->containerPort/proto", ranges expanded; an unpublished port has host port "" */
export function ports(list: unknown[]): string[] {
  const out: string[] = [];
  for (const p of list) {
    if (p && typeof p === 'object') {
      const o = p as Raw;
      out.push(`${o.host_ip === '0.0.0.0' ? '' : o.host_ip ?? ''}:${o.published ?? ''}->${o.target}/${o.protocol ?? 'tcp'}`);
      continue;
    }
    const [spec, proto = 'tcp'] = String(p).split('/');
    const parts = spec!.split(':');
    const target = parts.pop()!;
    const published = parts.pop() ?? '';
    const ip = parts.join(':').replace(/^\[|\]$/g, '').replace(/^0\.0\.0\.0$/, '');
    const [t0, t1 = t0] = target.split('-').map(Number) as [number, number?];
    const [p0, p1] = published ? published.split('-').map(Number) : [undefined, undefined];
    for (let i = 0; i <= (t1 ?? t0) - t0; i++) out.push(`${ip}:${p0 === undefined ? '' : (p1 === undefined && i > 0 ? '' : p0 + i)}->${t0 + i}/${proto}`);
  }
  return out.sort();
}

/** "bind:<source>:<target>:ro|rw" or "volume:<name>:<target>:ro|rw" */
export function volumes(list: unknown[], project: GitProject, hostDir: string): string[] {
  const named = (n: string) => {
    const def = project.volumes[n];
    return def?.name ?? (def?.external ? n : `${project.name}_${n}`);
  };
  return list.map((v) => {
    let type: string; let source: string; let target: string; let ro: boolean;
    if (v && typeof v === 'object') {
      const o = v as Raw;
      type = o.type ?? 'volume'; source = String(o.source ?? ''); target = String(o.target); ro = o.read_only === true;
    } else {
      const parts = String(v).split(':');
      if (parts.length === 1) { type = 'volume'; source = ''; target = parts[0]!; ro = false; } else {
        source = parts[0]!; target = parts[1]!; ro = /(^|,)ro(,|$)/.test(parts[2] ?? '');
        type = /^[./~]/.test(source) ? 'bind' : 'volume';
      }
    }
    if (type === 'bind') source = posix.normalize(source.startsWith('/') ? source : posix.join(hostDir, source));
    else if (type === 'volume') source = source ? named(source) : '<anonymous>';
    return `${type}:${source}:${target}:${ro ? 'ro' : 'rw'}`;
  }).sort();
}

function networks(svc: Raw, project: GitProject): string[] {
  if (svc.network_mode) return [String(svc.network_mode)];
  const names = Array.isArray(svc.networks) ? svc.networks.map(String) : svc.networks && typeof svc.networks === 'object' ? Object.keys(svc.networks) : ['default'];
  return names.map((n) => {
    const def = project.networks[n];
    return def?.name ?? (def?.external ? n : `${project.name}_${n}`);
  }).sort();
}

/** What Git says one service runs as, on the host whose project folder is `hostDir`. */
export function fromGit(project: GitProject, service: string, hostDir: string): ServiceState {
  const svc = project.services[service]!;
  const env = toMap(svc.environment);
  // '*': an env_file outside Git may set any key, so a key only the container has is not drift
  const open = [...Object.entries(env).filter(([, v]) => v === undefined).map(([k]) => k), ...(svc[OPEN_ENV] ? ['*'] : [])];
  const limits = svc.deploy?.resources?.limits ?? {};
  const memory = bytes(limits.memory ?? svc.mem_limit);
  const cpus = limits.cpus ?? svc.cpus;
  return {
    image: normalizeImage(svc.image ? String(svc.image) : `${project.name}-${service}`),
    environment: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>,
    ...(open.length ? { environmentOpen: open } : {}),
    labels: Object.fromEntries(Object.entries(toMap(svc.labels)).map(([k, v]) => [k, v ?? ''])),
    ports: ports(Array.isArray(svc.ports) ? svc.ports : []),
    volumes: volumes(Array.isArray(svc.volumes) ? svc.volumes : [], project, hostDir),
    networks: networks(svc, project),
    restart: String(svc.restart ?? 'no'),
    ...(svc.healthcheck ? { healthcheck: health(svc.healthcheck)! } : {}),
    ...(memory !== undefined ? { memory } : {}),
    ...(cpus !== undefined ? { cpus: Number(cpus) } : {}),
  };
}

export interface ContainerInspect {
  Id: string;
  Name: string;
  State?: { Status?: string; Running?: boolean };
  Config: { Image: string; Env?: string[]; Labels?: Record<string, string>; Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number } };
  HostConfig: { PortBindings?: Record<string, { HostIp?: string; HostPort?: string }[] | null>; RestartPolicy?: { Name?: string; MaximumRetryCount?: number }; Memory?: number; NanoCpus?: number; NetworkMode?: string };
  Mounts?: { Type: string; Name?: string; Source?: string; Destination: string; RW?: boolean }[];
  NetworkSettings?: { Networks?: Record<string, unknown> };
}

export interface ImageDefaults { env: Record<string, string>; labels: Record<string, string>; healthcheck?: string }

/** ["K=V", ...] as Docker keeps Env, to a map */
export const envMap = (list: string[] | undefined): Record<string, string> => Object.fromEntries((list ?? []).map((e) => { const i = e.indexOf('='); return [e.slice(0, i < 0 ? e.length : i), i < 0 ? '' : e.slice(i + 1)]; }));

/** the Engine's healthcheck (a container's or an image's) in the canonical form both sides share */
export function inspectHealth(h: ContainerInspect['Config']['Healthcheck'] & { StartPeriod?: number } | undefined): string | undefined {
  if (!h?.Test?.length) return undefined;
  if (h.Test[0] === 'NONE') return JSON.stringify({ test: ['NONE'] });
  return JSON.stringify({ test: h.Test, interval: h.Interval ?? 0, timeout: h.Timeout ?? 0, retries: h.Retries ?? 0, startPeriod: h.StartPeriod ?? 0 });
}

/** What the container runs as, the image's own defaults left out. */
export function fromContainer(c: ContainerInspect, image: ImageDefaults): ServiceState {
  const env = Object.fromEntries(Object.entries(envMap(c.Config.Env)).filter(([k, v]) => image.env[k] !== v));
  const labels = Object.fromEntries(Object.entries(c.Config.Labels ?? {}).filter(([k, v]) => !k.startsWith('com.docker.compose.') && image.labels[k] !== v));
  const ports = Object.entries(c.HostConfig.PortBindings ?? {}).flatMap(([port, binds]) => (binds?.length ? binds : [{}]).map((b) => `${b.HostIp === '0.0.0.0' ? '' : b.HostIp ?? ''}:${b.HostPort ?? ''}->${port}`)).sort();
  const volumes = (c.Mounts ?? []).filter((m) => m.Type === 'bind' || m.Type === 'volume')
    .map((m) => `${m.Type}:${m.Type === 'bind' ? m.Source : m.Name && /^[0-9a-f]{64}$/.test(m.Name) ? '<anonymous>' : m.Name}:${m.Destination}:${m.RW === false ? 'ro' : 'rw'}`).sort();
  const mode = c.HostConfig.NetworkMode ?? '';
  const rp = c.HostConfig.RestartPolicy;
  const hc = inspectHealth(c.Config.Healthcheck);
  return {
    image: normalizeImage(c.Config.Image),
    environment: env,
    labels,
    ports,
    volumes,
    networks: mode === 'host' || mode === 'none' || mode.startsWith('container:') || mode.startsWith('service:') ? [mode] : Object.keys(c.NetworkSettings?.Networks ?? {}).sort(),
    restart: !rp?.Name ? 'no' : rp.Name === 'on-failure' && rp.MaximumRetryCount ? `on-failure:${rp.MaximumRetryCount}` : rp.Name,
    ...(hc ? { healthcheck: hc } : {}),
    ...(c.HostConfig.Memory ? { memory: c.HostConfig.Memory } : {}),
    ...(c.HostConfig.NanoCpus ? { cpus: c.HostConfig.NanoCpus / 1e9 } : {}),
  };
}
