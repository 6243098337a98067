// The VolSync side of the lab: the two mover controllers, the apps (seeded or added by tests), the repositories'
// credentials and the restic faults. lab.ts wires it in.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Registry } from '../kinds/registry.js';
import { seedObject } from '../seed.js';
import { errors } from '../store/errors.js';
import type { Store } from '../store/store.js';
import type { ControllerContext } from '../controllers/types.js';
import { APP_VOLUME_OWNER, prepareApp, type PreparedApp, type VolsyncAppSpec } from './app.js';
import { secretEnv, volumePath, type VolsyncContext, type VolsyncFaultState } from './context.js';
import { MoverController } from './controller.js';
import { destinationSide } from './destination.js';
import { leaveStaleLock } from './repo.js';
import { resticRunner, type ResticRunner } from './restic.js';
import { sourceSide } from './source.js';

export interface VolsyncFaults {
  /** leaves a real stale exclusive lock in the app's repository: restic backup fails "repository is already locked" until `restic unlock` */
  resticLocked(app: string): Promise<void>;
  /** the app's Secret gets another RESTIC_PASSWORD: restic says "Fatal: wrong password or no key found" (clearFaults puts the right one back) */
  wrongPassword(app: string): void;
  /** the next `times` (default 1) mover runs (ReplicationSource or ReplicationDestination) on the app's repository fail mid-way */
  moverFails(app: string, opts?: { times?: number }): void;
  clear(): void;
}

export interface LabVolsync {
  /** creates another VolSync app (PVC files, repository, Secret, Deployment, ReplicationSource, Flux objects) */
  addApp(spec: VolsyncAppSpec): Promise<PreparedApp>;
  /** the restic environment of an app's repository as its Secret holds it now: RESTIC_REPOSITORY, RESTIC_PASSWORD, RESTIC_CACHE_DIR */
  repository(app: string): Record<string, string>;
  restic: ResticRunner;
}

export function createVolsync(ctx: ControllerContext, opts: { dir: string; restic?: string; retryMs?: number }) {
  const restic = resticRunner(opts.restic ?? 'restic', opts.dir);
  const state: VolsyncFaultState = { moverFails: new Map() };
  const vctx: VolsyncContext = { ...ctx, restic, dir: opts.dir, faults: state, retryMs: opts.retryMs ?? 2000 };
  const controllers = [new MoverController(vctx, sourceSide), new MoverController(vctx, destinationSide)];
  const passwords = new Map<string, string>(); // "<ns>/<secret>" => the password before wrongPassword

  /** "app" or "namespace/app" => the namespace and the repository Secret of its ReplicationSource */
  const resolve = (app: string): { namespace: string; secret: string } => {
    const [ns, name] = app.includes('/') ? app.split('/', 2) as [string, string] : [undefined, app];
    const rs = ctx.store.list('replicationsources.volsync.backube', ns ? { namespace: ns } : {}).items.find((o) => o.metadata.name === name);
    if (rs?.spec?.restic?.repository) return { namespace: rs.metadata.namespace!, secret: rs.spec.restic.repository };
    const secret = ctx.store.list('secrets', ns ? { namespace: ns } : {}).items.find((o) => o.metadata.name === `${name}-volsync-secret`);
    if (secret) return { namespace: secret.metadata.namespace!, secret: secret.metadata.name! };
    throw errors.notFound({ group: 'volsync.backube', resource: 'replicationsources', name: name! });
  };
  const credentials = (app: string) => {
    const { namespace, secret } = resolve(app);
    const env = secretEnv(ctx.store.get('secrets', namespace, secret));
    return { namespace, secret, env: <Record<string, string>>{ ...env, RESTIC_CACHE_DIR: join(opts.dir, 'cache', `${namespace}-${app.replace('/', '-')}-lab`) } };
  };
  const setPassword = (namespace: string, secret: string, password: string) => {
    const s = ctx.store.get('secrets', namespace, secret);
    ctx.store.update('secrets', { ...s, data: { ...s.data, RESTIC_PASSWORD: Buffer.from(password).toString('base64') } });
  };

  const faults: VolsyncFaults = {
    resticLocked: async (app) => {
      const c = credentials(app);
      await leaveStaleLock(restic, { RESTIC_REPOSITORY: c.env.RESTIC_REPOSITORY ?? '', RESTIC_PASSWORD: c.env.RESTIC_PASSWORD ?? '' }, c.env.RESTIC_CACHE_DIR!);
      ctx.record('fault-restic-locked', `${c.namespace}/${c.secret}`);
    },
    wrongPassword: (app) => {
      const c = credentials(app);
      const key = `${c.namespace}/${c.secret}`;
      if (!passwords.has(key)) passwords.set(key, c.env.RESTIC_PASSWORD ?? '');
      setPassword(c.namespace, c.secret, randomBytes(24).toString('base64url'));
      ctx.record('fault-wrong-password', key);
    },
    moverFails: (app, o = {}) => {
      const { namespace, secret } = resolve(app);
      state.moverFails.set(`${namespace}/${secret}`, Math.max(1, o.times ?? 1));
    },
    clear: () => {
      state.moverFails.clear();
      for (const [key, pw] of passwords) {
        const [ns, secret] = key.split('/') as [string, string];
        if (ctx.store.find('secrets', ns, secret)) setPassword(ns, secret, pw);
      }
      passwords.clear();
    },
  };

  const api = (store: Store, registry: Registry): LabVolsync => ({
    restic,
    repository: (app) => credentials(app).env,
    addApp: async (spec) => {
      const prepared = await prepareApp(restic, opts.dir, spec);
      const ns = prepared.app.namespace;
      ctx.volumeOwners?.set(volumePath(opts.dir, ns, prepared.app.name), APP_VOLUME_OWNER);
      if (!store.find('namespaces', undefined, ns)) seedObject(store, registry, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } } });
      for (const o of prepared.objects) seedObject(store, registry, structuredClone(o));
      return prepared;
    },
  });

  return { controllers, faults, api, restic, volumePath: (ns: string, pvc: string) => volumePath(opts.dir, ns, pvc) };
}
