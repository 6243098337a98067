// The `media:` section of a cluster in rackhand.yaml: the media stack's services (Sonarr, Radarr, Lidarr, Prowlarr,
// qBittorrent, Gluetun, Jellyfin, Plex, Jellyseerr/Overseerr), each reached by URL or through the API server's service
// proxy, and where each one's API key comes from: a 1Password reference, a Kubernetes Secret, or the app's own
// config.xml read from its pod. Keys are never written here.
import { z } from 'zod';
import { text } from '../validate.ts';

export const MEDIA_KINDS = ['sonarr', 'radarr', 'lidarr', 'prowlarr', 'qbittorrent', 'gluetun', 'jellyfin', 'plex', 'jellyseerr', 'overseerr'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];
export const ARR_KINDS = ['sonarr', 'radarr', 'lidarr'] as const;
export type ArrKind = (typeof ARR_KINDS)[number];

const opRef = text('expected an op://vault/item/field reference', /^op:\/\/[^/]+\/[^/]+\/.+$/);
const secretSource = z.union([
  opRef,
  z.strictObject({
    secret: text('expected a Secret name, or namespace/name', /^([a-z0-9-]+\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/),
    key: text('expected the key in the Secret, e.g. SONARR__AUTH__APIKEY'),
  }),
  z.strictObject({ configXml: text('expected the path of config.xml in the app\'s container, e.g. /config/config.xml', /^\//) }),
], { error: 'expected an op://vault/item/field reference, {secret: name, key: KEY}, or {configXml: /config/config.xml}' });
export type SecretSourceConfig = z.infer<typeof secretSource>;

export const mediaServiceSchema = z.strictObject({
  /** what the service is (default: its name in `services` when that is a kind) */
  kind: z.enum(MEDIA_KINDS, { error: `expected one of ${MEDIA_KINDS.join(', ')}` }).optional(),
  url: text('expected the service URL, e.g. http://10.0.0.5:8989', /^https?:\/\/[^\s/]+(\/\S*)?$/).optional(),
  /** [namespace/]name:port of a Kubernetes Service, reached through the API server's service proxy */
  service: text('expected [namespace/]service:port, e.g. media/sonarr:8989', /^([a-z0-9-]+\/)?[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9-]+$/).optional(),
  apiKey: secretSource.optional(),
  /** qBittorrent WebUI login (no login when absent: the WebUI's subnet whitelist) */
  username: text('expected the WebUI user name').optional(),
  password: secretSource.optional(),
}).superRefine((s, c) => {
  if (!s.url === !s.service) c.addIssue({ code: 'custom', message: 'expected exactly one of url (http://host:port) and service ([namespace/]name:port)' });
  const configXml = (v: unknown) => typeof v === 'object' && v !== null && 'configXml' in v;
  if ((configXml(s.apiKey) || configXml(s.password)) && !s.service) c.addIssue({ code: 'custom', path: ['apiKey'], message: 'expected an op:// reference or a Secret: configXml is read from the app\'s pod, which needs `service`' });
});

export const mediaSchema = z.strictObject({
  /** the namespace of `service:` references without one (default media) */
  namespace: text('expected a namespace name, e.g. media', /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).optional(),
  services: z.record(z.string().regex(/^[a-z0-9][-a-z0-9]*$/, 'expected a service name (lowercase letters, digits, "-")'), mediaServiceSchema),
  /** the IP echo service an egress check asks (default https://ipinfo.io/ip) */
  ipEcho: text('expected a URL that answers the caller\'s public IP, e.g. https://ipinfo.io/ip', /^https?:\/\/\S+$/).optional(),
  /** the image of the egress check's pod (default docker.io/library/busybox:1.37.0: its wget) */
  image: text('expected an image reference like docker.io/library/busybox:1.37.0', /^[a-z0-9][\w./:@-]*$/).optional(),
}).superRefine((m, c) => {
  for (const [name, s] of Object.entries(m.services)) {
    const kind = s.kind ?? name;
    if (!(MEDIA_KINDS as readonly string[]).includes(kind)) c.addIssue({ code: 'custom', path: ['services', name, 'kind'], message: `missing; "${name}" is not a kind: expected kind: one of ${MEDIA_KINDS.join(', ')}` });
    else if (!['qbittorrent', 'gluetun'].includes(kind) && !s.apiKey) c.addIssue({ code: 'custom', path: ['services', name, 'apiKey'], message: `missing; ${kind} needs an API key: an op:// reference, {secret, key} or {configXml: /config/config.xml}` });
  }
});
export type MediaConfig = z.infer<typeof mediaSchema>;
export type MediaServiceConfig = z.infer<typeof mediaServiceSchema>;
