// The lab's Docker Compose hosts: what runs on each, described by hand (not derived from the compose files in
// lab/compose/repos, so a mistake in rackhand's reading of either side shows up as drift), rendered as the Docker
// Engine API renders it (ContainerInspect and ImageInspect of API v1.47, docs.docker.com/reference/api/engine/
// version/v1.47; the com.docker.compose.* labels Compose v2 sets: docker/compose pkg/api/labels.go). Faults edit the
// running side the way hands do: a tag bumped, a label added, a volume moved, a secret changed, an orphan started, a
// service gone.
import { createHash } from 'node:crypto';

export interface LabImage { ref: string; env: string[]; labels: Record<string, string>; healthcheck?: { Test: string[]; Interval?: number; Timeout?: number; Retries?: number } }
export interface LabMount { type: 'bind' | 'volume'; source: string; target: string; ro?: boolean }
export interface LabContainer {
  project: string;
  service: string;
  /** the image reference as the compose file gave it (Config.Image) */
  image: string;
  env: Record<string, string>;
  labels?: Record<string, string>;
  /** "hostIp:hostPort->port/proto" */
  ports?: string[];
  mounts?: LabMount[];
  networks?: string[];
  networkMode?: string;
  restart?: string;
  healthcheck?: { Test: string[]; Interval?: number; Timeout?: number; Retries?: number };
  memory?: number;
  running?: boolean;
  /** started by hand (docker run), no compose labels */
  oneoff?: boolean;
}
export interface LabComposeHost { name: string; workingDirs: Record<string, string>; configFiles: Record<string, string[]>; containers: LabContainer[] }

const id = (s: string) => createHash('sha256').update(s).digest('hex');

export const IMAGES: LabImage[] = [
  { ref: 'lscr.io/linuxserver/sonarr:4.0.9', env: ['PATH=/lsiopy/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root', 'LANGUAGE=en_US.UTF-8', 'S6_VERBOSITY=1', 'SONARR_BRANCH=main'], labels: { 'org.opencontainers.image.version': '4.0.9.2244-ls258', maintainer: 'thespad', build_version: 'Linuxserver.io version:- 4.0.9.2244-ls258' } },
  { ref: 'lscr.io/linuxserver/sonarr:4.0.10', env: ['PATH=/lsiopy/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root', 'SONARR_BRANCH=main'], labels: { 'org.opencontainers.image.version': '4.0.10.2544-ls260' } },
  { ref: 'lscr.io/linuxserver/sonarr:5.0.0', env: ['PATH=/usr/bin:/bin', 'HOME=/root'], labels: {} },
  { ref: 'lscr.io/linuxserver/radarr:5.2.6', env: ['PATH=/lsiopy/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root', 'RADARR_BRANCH=master'], labels: { 'org.opencontainers.image.version': '5.2.6.8376-ls195', maintainer: 'thespad' } },
  { ref: 'jellyfin/jellyfin:10.9.11', env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HEALTHCHECK_URL=http://localhost:8096/health', 'JELLYFIN_DATA_DIR=/config', 'JELLYFIN_CACHE_DIR=/cache'], labels: {} },
  { ref: 'traefik:v3.1.6', env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], labels: { 'org.opencontainers.image.version': 'v3.1.6', 'org.opencontainers.image.title': 'Traefik' } },
  { ref: 'docker.io/library/postgres:16.4', env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/lib/postgresql/16/bin', 'GOSU_VERSION=1.17', 'LANG=en_US.utf8', 'PG_MAJOR=16', 'PG_VERSION=16.4-1.pgdg120+2', 'PGDATA=/var/lib/postgresql/data'], labels: {} },
  { ref: 'ghcr.io/paperless-ngx/paperless-ngx:2.12.1', env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'PYTHONDONTWRITEBYTECODE=1', 'PNGX_CONTAINERIZED=1'], labels: { 'org.opencontainers.image.source': 'https://github.com/paperless-ngx/paperless-ngx' }, healthcheck: { Test: ['CMD', 'curl', '-fs', '-S', '--max-time', '2', 'http://localhost:8000'], Interval: 30e9, Timeout: 10e9, Retries: 5 } },
  { ref: 'ghcr.io/gethomepage/homepage:v0.9.10', env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'NODE_ENV=production'], labels: {} },
];

const LSIO = { PUID: '1000', PGID: '1000', TZ: 'Europe/Berlin' };

/** what runs, hand-written to match lab/compose/repos */
export function initialHosts(): LabComposeHost[] {
  return [
    {
      name: 'docker1',
      workingDirs: { media: '/opt/stacks/media' },
      configFiles: { media: ['/opt/stacks/media/compose.yaml'] },
      containers: [
        { project: 'media', service: 'sonarr', image: 'lscr.io/linuxserver/sonarr:4.0.9', env: LSIO, labels: { 'traefik.enable': 'true', 'traefik.http.routers.sonarr.rule': 'Host(`sonarr.home.arpa`)' }, ports: [':8989->8989/tcp'], mounts: [{ type: 'bind', source: '/opt/stacks/media/config/sonarr', target: '/config' }, { type: 'bind', source: '/mnt/media', target: '/data' }], restart: 'unless-stopped' },
        { project: 'media', service: 'radarr', image: 'lscr.io/linuxserver/radarr:5.2.6', env: LSIO, ports: [':7878->7878/tcp'], mounts: [{ type: 'bind', source: '/opt/stacks/media/config/radarr', target: '/config' }, { type: 'bind', source: '/mnt/media', target: '/data' }], restart: 'unless-stopped' },
        { project: 'media', service: 'jellyfin', image: 'jellyfin/jellyfin:10.9.11', env: { JELLYFIN_PublishedServerUrl: 'https://jellyfin.home.arpa' }, ports: [':8096->8096/tcp'], mounts: [{ type: 'volume', source: 'media_jellyfin-config', target: '/config' }, { type: 'bind', source: '/mnt/media', target: '/media', ro: true }], restart: 'unless-stopped', healthcheck: { Test: ['CMD', 'curl', '-fsS', 'http://localhost:8096/health'], Interval: 30e9, Timeout: 5e9, Retries: 3 } },
      ],
    },
    {
      name: 'docker2',
      workingDirs: { proxy: '/srv/compose/proxy', paperless: '/srv/compose/paperless' },
      configFiles: { proxy: ['/srv/compose/proxy/compose.yaml'], paperless: ['/srv/compose/paperless/compose.yaml'] },
      containers: [
        { project: 'proxy', service: 'traefik', image: 'traefik:v3.1.6', env: {}, ports: [':80->80/tcp', '127.0.0.1:8080->8080/tcp'], mounts: [{ type: 'bind', source: '/var/run/docker.sock', target: '/var/run/docker.sock', ro: true }], networks: ['proxy'], networkMode: 'proxy', restart: 'always' },
        { project: 'paperless', service: 'db', image: 'docker.io/library/postgres:16.4', env: { POSTGRES_DB: 'paperless', POSTGRES_USER: 'paperless', POSTGRES_PASSWORD: 'lab-paperless-db-password' }, mounts: [{ type: 'volume', source: 'paperless_pgdata', target: '/var/lib/postgresql/data' }], restart: 'unless-stopped' },
        { project: 'paperless', service: 'webserver', image: 'ghcr.io/paperless-ngx/paperless-ngx:2.12.1', env: { TZ: 'Europe/Berlin', PAPERLESS_DBHOST: 'db', PAPERLESS_DBPASS: 'lab-paperless-db-password' }, ports: [':8000->8000/tcp'], mounts: [{ type: 'volume', source: 'paperless_data', target: '/usr/src/paperless/data' }], restart: 'unless-stopped', memory: 2 * 1024 ** 3 },
      ],
    },
  ];
}

export const imageOf = (ref: string) => IMAGES.find((i) => i.ref === ref);
export const imageId = (ref: string) => `sha256:${id(`image ${ref}`)}`;
export const containerId = (host: string, c: LabContainer) => id(`${host} ${c.project} ${c.service} ${c.oneoff ? 'oneoff' : ''}`);
export const containerName = (c: LabContainer) => (c.oneoff ? c.project : `${c.project}-${c.service}-1`);

/** docker inspect of one container (Engine API v1.47 ContainerInspect, the fields rackhand and an operator read) */
export function inspectContainer(h: LabComposeHost, c: LabContainer): object {
  const img: Pick<LabImage, 'env' | 'labels' | 'healthcheck'> = imageOf(c.image) ?? { env: [], labels: {} };
  const cid = containerId(h.name, c);
  const compose = c.oneoff ? {} : {
    'com.docker.compose.config-hash': id(JSON.stringify(c)).slice(0, 64),
    'com.docker.compose.container-number': '1',
    'com.docker.compose.depends_on': '',
    'com.docker.compose.image': imageId(c.image),
    'com.docker.compose.oneoff': 'False',
    'com.docker.compose.project': c.project,
    'com.docker.compose.project.config_files': (h.configFiles[c.project] ?? []).join(','),
    'com.docker.compose.project.working_dir': h.workingDirs[c.project] ?? '',
    'com.docker.compose.service': c.service,
    'com.docker.compose.version': '2.29.7',
  };
  const imageEnv = Object.fromEntries(img.env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  const env = { ...imageEnv, ...c.env };
  const networks = c.networks ?? [`${c.project}_default`];
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of c.ports ?? []) {
    const m = /^(.*):(\d*)->(\d+\/\w+)$/.exec(p)!;
    (bindings[m[3]!] ??= []).push({ HostIp: m[1]!, HostPort: m[2]! });
  }
  return {
    Id: cid,
    Created: '2026-11-02T09:14:55.123456789Z',
    Path: '/init', Args: [],
    State: { Status: c.running === false ? 'exited' : 'running', Running: c.running !== false, Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: c.running === false ? 0 : 4242, ExitCode: c.running === false ? 137 : 0, Error: '', StartedAt: '2026-11-02T09:14:56.5Z', FinishedAt: '0001-01-01T00:00:00Z' },
    Image: imageId(c.image),
    Name: `/${containerName(c)}`,
    RestartCount: 0, Driver: 'overlay2', Platform: 'linux',
    HostConfig: {
      Binds: null, NetworkMode: c.networkMode ?? networks[0], PortBindings: bindings,
      RestartPolicy: { Name: c.restart ?? 'no', MaximumRetryCount: 0 },
      Memory: c.memory ?? 0, NanoCpus: 0, Mounts: (c.mounts ?? []).map((m) => ({ Type: m.type, Source: m.source, Target: m.target, ReadOnly: !!m.ro })),
    },
    Mounts: (c.mounts ?? []).map((m) => (m.type === 'bind'
      ? { Type: 'bind', Source: m.source, Destination: m.target, Mode: '', RW: !m.ro, Propagation: 'rprivate' }
      : { Type: 'volume', Name: m.source, Source: `/var/lib/docker/volumes/${m.source}/_data`, Destination: m.target, Driver: 'local', Mode: 'z', RW: !m.ro, Propagation: '' })),
    Config: {
      Hostname: cid.slice(0, 12), Domainname: '', User: '', Tty: false, OpenStdin: false,
      Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      Image: c.image,
      Labels: { ...img.labels, ...compose, ...(c.labels ?? {}) },
      ...(c.healthcheck ?? img.healthcheck ? { Healthcheck: c.healthcheck ?? img.healthcheck } : {}),
    },
    NetworkSettings: { Networks: Object.fromEntries(networks.map((n, i) => [n, { Aliases: [containerName(c), c.service], NetworkID: id(n), IPAddress: `172.18.0.${i + 2}`, Gateway: '172.18.0.1' }])) },
  };
}

/** docker image inspect (Engine API v1.47 ImageInspect) */
export function inspectImage(ref: string): object | undefined {
  const img = imageOf(ref);
  if (!img) return undefined;
  return { Id: imageId(ref), RepoTags: [ref.replace(/^docker\.io\/library\//, '')], RepoDigests: [], Created: '2026-10-20T04:11:02Z', Architecture: 'amd64', Os: 'linux',
    Config: { Env: img.env, Labels: Object.keys(img.labels).length ? img.labels : null, ...(img.healthcheck ? { Healthcheck: img.healthcheck } : {}) } };
}
