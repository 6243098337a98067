// A VolSync-backed app as the community runs it (onedr0p/bjw-s home-ops): Deployment <app> (managed by the Helm
// release <app>) mounting PVC <app> (RWO), Secret <app>-volsync-secret (RESTIC_REPOSITORY = DIR/repos/<ns>-<app>,
// RESTIC_PASSWORD), ReplicationSource <app>, Flux Kustomization <app> (flux-system) and HelmRelease <app> (<ns>).
// prepareApp() writes the seed files, initialises the repository (unless initRepo: false) and takes the initial
// snapshots with the real restic (backdated an hour apart with --time); the objects come back ready to create.
import { z } from 'zod';
import type { KObject } from '../store/types.js';
import { timestamp } from '../store/meta.js';
import { repoPath, volumePath } from './context.js';
import { nextCron, parseCron } from './cron.js';
import { writeSeedFiles } from './files.js';
import { initRepo } from './repo.js';
import type { ResticRunner } from './restic.js';
import { goDuration, moverLogs, synchronizing } from './status.js';

const dns = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a lowercase DNS label');
export const SeedFileSchema = z.union([z.string(), z.object({ bytes: z.number().int().min(0).max(256 * 1024 * 1024), seed: z.number().int() })]);

export const VolsyncAppSchema = z.object({
  name: dns,
  namespace: dns.default('apps'),
  image: z.string().default('ghcr.io/paperless-ngx/paperless-ngx:2.14.7'),
  replicas: z.number().int().min(0).default(1),
  capacity: z.string().default('5Gi'),
  storageClassName: z.string().default('openebs-hostpath'),
  files: z.record(z.string(), SeedFileSchema).default({}),
  /** false: the Secret points at a folder that holds no repository (the mover's restore path will `restic init` it) */
  initRepo: z.boolean().default(true),
  /** snapshots taken at lab start (the last one now, earlier ones an hour apart) */
  snapshots: z.number().int().min(0).max(50).default(0),
  schedule: z.string().default('0 * * * *'),
  /** spec.restic.retain; empty => --keep-last 1 */
  retain: z.record(z.string(), z.union([z.number().int(), z.string()])).default({ hourly: 24, daily: 7 }),
  /** restic (VolSync upstream) or kopia (perfectra1n/volsync's mover, onedr0p/home-ops components/volsync) */
  mover: z.enum(['restic', 'kopia']).default('restic'),
  /** spec.paused on the ReplicationSource (a fresh unpaused source with no sync yet backs up at once, volsync#627) */
  paused: z.boolean().default(false),
});
export type VolsyncAppSpec = z.input<typeof VolsyncAppSchema>;
export type VolsyncApp = z.infer<typeof VolsyncAppSchema>;

export const secretName = (app: string) => `${app}-volsync-secret`;
const b64 = (s: string) => Buffer.from(s).toString('base64');
const SECURITY = { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 };
/** The app's volume as its pods leave it: owned by the app's user, not readable by others (a data folder). */
export const APP_VOLUME_OWNER = { uid: SECURITY.runAsUser, gid: SECURITY.runAsGroup, mode: 0o750 };

export interface PreparedApp {
  app: VolsyncApp;
  objects: KObject[];
  repository: string;
  password: string;
}

export async function prepareApp(restic: ResticRunner, dir: string, spec: VolsyncAppSpec): Promise<PreparedApp> {
  const app = VolsyncAppSchema.parse(spec);
  const { name, namespace: ns } = app;
  const data = volumePath(dir, ns, name);
  const repository = repoPath(dir, ns, name);
  await writeSeedFiles(data, app.files);
  let password: string;
  let rsStatus: Record<string, unknown> | undefined;
  if (app.initRepo) {
    password = (await initRepo(restic, repository)).RESTIC_PASSWORD;
    const env = { RESTIC_REPOSITORY: repository, RESTIC_PASSWORD: password, RESTIC_CACHE_DIR: `${dir}/cache/${ns}-${name}-src`, TZ: 'UTC' };
    const now = Date.now();
    let lines: string[] = [];
    for (let i = 0; i < app.snapshots; i++) {
      const at = new Date(now - (app.snapshots - 1 - i) * 3_600_000);
      const time = at.toISOString().slice(0, 19).replace('T', ' ');
      const r = await restic.run(['backup', '--host', 'volsync', '--exclude=lost+found', ...(i < app.snapshots - 1 ? ['--time', time] : []), '.'], { env, cwd: data, timeoutMs: 120_000 });
      if (r.exitCode !== 0) throw new Error(`lab: seeding a snapshot of ${ns}/${name} failed (${r.exitCode}): ${r.stderr}`);
      lines = r.stdout.split('\n');
    }
    if (app.snapshots > 0) {
      const done = Date.now();
      rsStatus = {
        lastSyncStartTime: timestamp(now), lastSyncTime: timestamp(done), lastSyncDuration: goDuration(done - now),
        nextSyncTime: timestamp(nextCron(parseCron(app.schedule), done)),
        latestMoverStatus: { result: 'Successful', logs: moverLogs([...lines, `Restic completed in ${Math.round((done - now) / 1000)}s`], true) },
        conditions: synchronizing(undefined, 'WaitingForSchedule', done),
        restic: { lastPruned: timestamp(done) },
      };
    }
  } else {
    password = (await import('node:crypto')).randomBytes(24).toString('base64url');
  }
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name };
  const helm = { labels: { ...labels, 'app.kubernetes.io/managed-by': 'Helm' }, annotations: { 'meta.helm.sh/release-name': name, 'meta.helm.sh/release-namespace': ns } };
  const ready = (message: string) => ({ conditions: [{ type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message, lastTransitionTime: timestamp() }], observedGeneration: 1 });
  const objects: KObject[] = [
    {
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: ns, ...helm },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: app.storageClassName, resources: { requests: { storage: app.capacity } } },
    },
    {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: secretName(name), namespace: ns, labels: { 'app.kubernetes.io/name': name } }, type: 'Opaque',
      data: app.mover === 'kopia'
        ? { KOPIA_REPOSITORY: b64(`filesystem://${repository}`), KOPIA_FS_PATH: b64(repository), KOPIA_PASSWORD: b64(password) }
        : { RESTIC_REPOSITORY: b64(repository), RESTIC_PASSWORD: b64(password) },
    },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns, ...helm },
      spec: {
        replicas: app.replicas, strategy: { type: 'Recreate' }, selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            securityContext: SECURITY,
            containers: [{ name: 'app', image: app.image, volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
            volumes: [{ name: 'data', persistentVolumeClaim: { claimName: name } }],
          },
        },
      },
    },
    {
      apiVersion: 'volsync.backube/v1alpha1', kind: 'ReplicationSource', metadata: { name, namespace: ns },
      spec: {
        sourcePVC: name, ...(app.paused ? { paused: true } : {}), trigger: { schedule: app.schedule },
        [app.mover]: {
          repository: secretName(name), copyMethod: 'Direct', retain: app.retain, cacheCapacity: '2Gi',
          storageClassName: app.storageClassName, accessModes: ['ReadWriteOnce'], moverSecurityContext: SECURITY,
          ...(app.mover === 'kopia' ? { compression: 'zstd-fastest', parallelism: 2 } : { pruneIntervalDays: 14 }),
        },
      },
      ...(rsStatus ? { status: rsStatus } : {}),
    },
    {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name, namespace: 'flux-system' },
      spec: { interval: '1h', path: `./kubernetes/apps/${ns}/${name}/app`, prune: true, targetNamespace: ns, wait: false, sourceRef: { kind: 'GitRepository', name: 'flux-system' } },
      status: ready('Applied revision: main@sha1:0f1e2d3c'),
    },
    {
      apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name, namespace: ns },
      spec: {
        interval: '1h', chart: { spec: { chart: 'app-template', version: '3.7.3', sourceRef: { kind: 'HelmRepository', name: 'bjw-s', namespace: 'flux-system' } } },
        values: { replicaCount: app.replicas },
      },
      status: ready(`Helm install succeeded for release ${ns}/${name}.v1 with chart app-template@3.7.3`),
    },
  ];
  return { app, objects, repository, password };
}
