// The Compose rules rackhand applies to Git's files (interpolation, merge, extends, env_file, defaults) and to
// `docker inspect` output, and the comparison with its severities: each checked against what Compose itself does
// (compose-spec/spec.md) on hand-written inputs.
import { describe, expect, it } from 'vitest';
import { interpolate, InterpolationError } from '../../lib/compose/interpolate.ts';
import { loadGitProject } from '../../lib/compose/project.ts';
import { fromContainer, fromGit, normalizeImage, type ContainerInspect } from '../../lib/compose/state.ts';
import { compareService } from '../../lib/compose/diff.ts';

describe('interpolation (compose-spec "Interpolation")', () => {
  const vars = { TZ: 'Europe/Berlin', EMPTY: '', PORT: '8989' };
  it('expands every form, keeps $$ literal, nests defaults, names what is unset', () => {
    const unset = new Set<string>();
    expect(interpolate('$TZ ${TZ} ${EMPTY:-d1} ${EMPTY-d2} ${NOPE-${PORT}} $$HOME ${TZ:+set} ${EMPTY+x} $NOPE2', vars, unset)).toBe('Europe/Berlin Europe/Berlin d1  8989 $HOME set x ');
    expect([...unset]).toEqual(['NOPE2']);
    expect(() => interpolate('${DB:?the database password}', vars)).toThrow(InterpolationError);
    expect(() => interpolate('${DB:?the database password}', vars)).toThrow(/required variable DB is missing a value: the database password/);
    expect(() => interpolate('${TZ', vars)).toThrow(/missing "}"/);
  });
});

describe('a project from Git', () => {
  const files: Record<string, string> = {
    'media/.env': 'TAG=4.0.9\nTZ=Europe/Berlin\n',
    'media/compose.yaml': [
      'x-common: &common', '  restart: unless-stopped', '  environment: { TZ: "${TZ}" }',
      'services:',
      '  sonarr:', '    <<: *common', '    image: lscr.io/linuxserver/sonarr:${TAG}', '    env_file: [sonarr.env, secrets.env]',
      '    environment: { PUID: "1000" }', '    ports: ["8989:8989"]', '    volumes: ["./config:/config", "media:/data"]',
      '  radarr:', '    extends: { file: base.yaml, service: arr }', '    image: lscr.io/linuxserver/radarr:5.2.6',
      'volumes: { media: { name: media-library } }',
    ].join('\n'),
    'media/base.yaml': 'services:\n  arr:\n    restart: always\n    networks: [proxy]\n    labels: { traefik.enable: "true" }\n',
    'media/sonarr.env': 'PGID=1000\nPUID=999\n',
    'media/compose.override.yaml': 'services:\n  sonarr:\n    ports: ["127.0.0.1:9898:9898/udp"]\n    volumes: ["/srv/config/sonarr:/config:ro"]\n',
  };
  const read = async (p: string) => files[p];

  it('merges files, resolves extends and env_file (environment wins), and applies the defaults Compose applies', async () => {
    const p = await loadGitProject(read, 'media', ['media/compose.yaml', 'media/compose.override.yaml']);
    expect(p.unset).toEqual(['env_file media/secrets.env']);
    const sonarr = fromGit(p, 'sonarr', '/opt/stacks/media');
    expect(sonarr).toMatchObject({
      image: 'lscr.io/linuxserver/sonarr:4.0.9', restart: 'unless-stopped',
      // a YAML merge is shallow: the service's own environment replaces the anchor's (TZ is gone, as in Compose)
      environment: { PGID: '1000', PUID: '1000' },
      ports: ['127.0.0.1:9898->9898/udp', ':8989->8989/tcp'],
      // the override's /config replaces the base's; the named volume keeps its own name
      volumes: ['bind:/srv/config/sonarr:/config:ro', 'volume:media-library:/data:rw'],
      networks: ['media_default'],
    });
    // secrets.env is not in Git: keys only the container has are not drift for sonarr
    expect(sonarr.environmentOpen).toEqual(['*']);
    expect(fromGit(p, 'radarr', '/opt/stacks/media')).toMatchObject({ restart: 'always', networks: ['media_proxy'], labels: { 'traefik.enable': 'true' } });
  });

  it('normalises image references as Docker does', () => {
    expect(normalizeImage('nginx')).toBe('docker.io/library/nginx:latest');
    expect(normalizeImage('jellyfin/jellyfin:10.9.11')).toBe('docker.io/jellyfin/jellyfin:10.9.11');
    expect(normalizeImage('ghcr.io/a/b@sha256:abc')).toBe('ghcr.io/a/b@sha256:abc');
    expect(normalizeImage('localhost:5000/x')).toBe('localhost:5000/x:latest');
  });
});

describe('comparing with the container', () => {
  const container = (over: Partial<ContainerInspect['Config']> = {}, host: Partial<ContainerInspect['HostConfig']> = {}, mounts?: ContainerInspect['Mounts']): ContainerInspect => ({
    Id: 'c1', Name: '/media-sonarr-1',
    Config: { Image: 'lscr.io/linuxserver/sonarr:4.0.9', Env: ['PATH=/usr/bin', 'TZ=Europe/Berlin', 'API_KEY=abc'], Labels: { 'com.docker.compose.project': 'media', 'org.opencontainers.image.version': '4.0.9' }, ...over },
    HostConfig: { PortBindings: { '8989/tcp': [{ HostIp: '', HostPort: '8989' }] }, RestartPolicy: { Name: 'unless-stopped' }, ...host },
    Mounts: mounts ?? [{ Type: 'bind', Source: '/opt/stacks/media/config', Destination: '/config', RW: true }],
    NetworkSettings: { Networks: { media_default: {} } },
  });
  const image = { env: { PATH: '/usr/bin' }, labels: { 'org.opencontainers.image.version': '4.0.9' } };
  const git = { image: 'lscr.io/linuxserver/sonarr:4.0.9', environment: { TZ: 'Europe/Berlin', API_KEY: 'abc' }, labels: {}, ports: [':8989->8989/tcp'], volumes: ['bind:/opt/stacks/media/config:/config:rw'], networks: ['media_default'], restart: 'unless-stopped' };
  const where = { host: 'nas', project: 'media', service: 'sonarr' };

  it('finds nothing when they agree: the image\'s own env and labels and Compose\'s labels are not drift', () => {
    expect(compareService(where, git, fromContainer(container(), image))).toEqual([]);
  });

  it('a label carrying a credential (traefik basic auth) is compared by hash, critical, never shown', () => {
    const run = fromContainer(container({ Labels: { 'traefik.http.middlewares.auth.basicauth.users': 'admin:$apr1$hand$edited' } }), image);
    const f = compareService(where, { ...git, labels: { 'traefik.http.middlewares.auth.basicauth.users': 'admin:$apr1$from$git' } }, run);
    expect(f).toMatchObject([{ field: 'labels.traefik.http.middlewares.auth.basicauth.users', severity: 'critical', running: expect.stringMatching(/^sha256:/), git: expect.stringMatching(/^sha256:/) }]);
    expect(JSON.stringify(f)).not.toMatch(/apr1/);
  });

  it('a key only the container has is not drift when an env_file outside Git may have set it', () => {
    const run = fromContainer(container({ Env: ['PATH=/usr/bin', 'TZ=Europe/Berlin', 'API_KEY=abc', 'FROM_SECRETS_ENV=x'] }), image);
    expect(compareService(where, git, run).map((f) => f.field)).toEqual(['environment.FROM_SECRETS_ENV']);
    expect(compareService(where, { ...git, environmentOpen: ['*'] }, run)).toEqual([]);
  });

  it('names each difference with its severity; a secret only as a hash', () => {
    const run = fromContainer(container(
      { Image: 'lscr.io/linuxserver/sonarr:5.0.1', Env: ['PATH=/usr/bin', 'TZ=UTC', 'API_KEY=hand-edited-secret'], Labels: { 'traefik.http.routers.sonarr.rule': 'Host(`sonarr.lan`)' } },
      { RestartPolicy: { Name: 'always' } },
      [{ Type: 'bind', Source: '/mnt/new/config', Destination: '/config', RW: true }],
    ), image);
    const f = compareService(where, git, run);
    expect(f.map((x) => [x.field, x.severity])).toEqual([
      ['image', 'critical'], ['environment.API_KEY', 'critical'], ['environment.TZ', 'warning'], ['labels.traefik.http.routers.sonarr.rule', 'warning'], ['volumes', 'critical'], ['restart', 'warning'],
    ]);
    const key = f.find((x) => x.field === 'environment.API_KEY')!;
    expect(JSON.stringify(f)).not.toContain('hand-edited-secret');
    expect(key.running).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(f.find((x) => x.field === 'volumes')).toMatchObject({ running: 'bind:/mnt/new/config:/config:rw', git: 'bind:/opt/stacks/media/config:/config:rw' });
    // a patch-level tag change is a warning
    expect(compareService(where, git, fromContainer(container({ Image: 'lscr.io/linuxserver/sonarr:4.0.10' }), image))).toMatchObject([{ field: 'image', severity: 'warning', message: 'tag 4.0.9 in Git, 4.0.10 running' }]);
  });
});
