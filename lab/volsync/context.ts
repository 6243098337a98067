// What the VolSync controllers share: the store, lab time, the event log, the restic runner, the lab's folders and
// the injected faults.
import { join } from 'node:path';
import type { ControllerContext } from '../controllers/types.js';
import type { KObject } from '../store/types.js';
import type { ResticRunner } from './restic.js';

export interface VolsyncFaultState {
  /** "<namespace>/<repository secret>" => mover runs left to fail */
  moverFails: Map<string, number>;
}

export interface VolsyncContext extends ControllerContext {
  restic: ResticRunner;
  dir: string;
  faults: VolsyncFaultState;
  /** delay before a failed mover is retried (ms) */
  retryMs: number;
}

export const volumePath = (dir: string, namespace: string, pvc: string) => join(dir, 'volumes', namespace, pvc);
export const repoPath = (dir: string, namespace: string, app: string) => join(dir, 'repos', `${namespace}-${app}`);

/** The Secret's keys as the mover's environment (data is base64, stringData wins as the API server merges it). The
 *  lab plays the kopia mover (perfectra1n/volsync: KOPIA_REPOSITORY filesystem://..., KOPIA_PASSWORD) with restic as
 *  its storage engine, there being no kopia binary here: the kopia keys are mapped onto restic's. */
export function secretEnv(secret: KObject): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries<string>(secret.data ?? {})) env[k] = Buffer.from(v, 'base64').toString('utf8');
  for (const [k, v] of Object.entries<string>(secret.stringData ?? {})) env[k] = v;
  if (env.KOPIA_REPOSITORY && !env.RESTIC_REPOSITORY) {
    env.RESTIC_REPOSITORY = env.KOPIA_REPOSITORY.replace(/^filesystem:\/\//, '');
    if (env.KOPIA_PASSWORD) env.RESTIC_PASSWORD = env.KOPIA_PASSWORD;
  }
  return env;
}

/** The mover section of a VolSync object: spec.restic, or spec.kopia (the kopia mover of perfectra1n/volsync, which
 *  onedr0p/home-ops's volsync component uses) */
export const moverSpec = (o: KObject): Record<string, any> | undefined => o.spec?.restic ?? o.spec?.kopia;

/** Takes one "fail this run" token for the repository, if any. */
export function takeMoverFailure(f: VolsyncFaultState, namespace: string, secret: string): boolean {
  const key = `${namespace}/${secret}`;
  const left = f.moverFails.get(key) ?? 0;
  if (left <= 0) return false;
  if (left === 1) f.moverFails.delete(key);
  else f.moverFails.set(key, left - 1);
  return true;
}
