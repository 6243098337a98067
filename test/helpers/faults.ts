// Shared by the fault-matrix files (test/tasks/faults*.test.ts): what a failed or interrupted volsync:restore must have
// put back, read from the lab's store.
import type { withLab } from './lab.ts';
import { get, RD, RS } from '../lab/volsync-helpers.ts';

export type TestLab = Awaited<ReturnType<typeof withLab>>;
export const KS = 'kustomizations.kustomize.toolkit.fluxcd.io';
export const HR = 'helmreleases.helm.toolkit.fluxcd.io';
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Everything a failed or interrupted restore must have put back, read from the lab's store. */
export function restoreLeftovers(lab: TestLab, app = 'paperless') {
  const deploy = get(lab, 'deployments.apps', 'apps', app) as { spec: { replicas: number }; metadata: { annotations?: Record<string, string> } };
  return {
    replicas: deploy.spec.replicas,
    annotation: deploy.metadata.annotations?.['rackhand.dev/restore-replicas'],
    ksSuspended: (get(lab, KS, 'flux-system', app) as { spec: { suspend?: boolean } }).spec.suspend === true,
    hrSuspended: (get(lab, HR, 'apps', app) as { spec: { suspend?: boolean } }).spec.suspend === true,
    rsPaused: (get(lab, RS, 'apps', app) as { spec: { paused?: boolean } }).spec.paused === true,
    destination: get(lab, RD, 'apps', `${app}-rackhand-restore`)?.metadata.name,
    moverJob: get(lab, 'jobs.batch', 'apps', `volsync-dst-${app}-rackhand-restore`)?.metadata.name,
    lease: get(lab, 'leases.coordination.k8s.io', 'kube-system', 'rackhand-lock')?.metadata.name,
  };
}
export const PUT_BACK = { replicas: 1, annotation: undefined, ksSuspended: false, hrSuspended: false, rsPaused: false, destination: undefined, moverJob: undefined, lease: undefined };
