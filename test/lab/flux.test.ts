// Flux in the lab: requestedAt reconciles, suspend/resume, and a HelmRelease that puts its app's replicas back unless
// it is suspended (why restores suspend Flux first).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/lab.js';
import { nextCron, parseCron } from '../../lab/volsync/cron.js';
import { closeLab, json, ok, openLab, until } from './kubectl.js';

let lab: Lab;
beforeAll(async () => { lab = await openLab(); });
afterAll(async () => closeLab(lab));

const replicas = () => lab.store.get('deployments.apps', 'apps', 'paperless').spec.replicas;
const HR = 'helmreleases.helm.toolkit.fluxcd.io';

describe('Flux Kustomization and HelmRelease', () => {
  it('a new reconcile.fluxcd.io/requestedAt is handled: lastHandledReconcileAt, Ready=True with observedGeneration', async () => {
    await ok(lab, 'annotate', 'kustomization', 'paperless', '-n', 'flux-system', 'reconcile.fluxcd.io/requestedAt=2025-06-01T10:00:00Z', '--overwrite');
    await until('ks reconciled', () => lab.store.get('kustomizations.kustomize.toolkit.fluxcd.io', 'flux-system', 'paperless').status.lastHandledReconcileAt === '2025-06-01T10:00:00Z');
    const ks = await json(lab, 'get', 'kustomization', 'paperless', '-n', 'flux-system');
    expect(ks.status.conditions[0]).toMatchObject({ type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', observedGeneration: ks.metadata.generation });
    expect(lab.events).toContainEqual(expect.objectContaining({ type: 'flux-reconciled', object: 'kustomization/flux-system/paperless', detail: '2025-06-01T10:00:00Z' }));
  });

  it('a suspended object does not reconcile', async () => {
    await ok(lab, 'patch', 'kustomization', 'paperless', '-n', 'flux-system', '--type', 'merge', '-p', '{"spec":{"suspend":true}}');
    await ok(lab, 'annotate', 'kustomization', 'paperless', '-n', 'flux-system', 'reconcile.fluxcd.io/requestedAt=2025-06-01T11:00:00Z', '--overwrite');
    await new Promise((r) => setTimeout(r, 300));
    const ks = lab.store.get('kustomizations.kustomize.toolkit.fluxcd.io', 'flux-system', 'paperless');
    expect(ks.status.lastHandledReconcileAt).toBe('2025-06-01T10:00:00Z');
    expect(ks.status.conditions[0].status).toBe('True');
    expect(lab.events).toContainEqual(expect.objectContaining({ type: 'flux-suspended', object: 'kustomization/flux-system/paperless' }));
  });

  it('a HelmRelease that is not suspended scales its app back within a second or two', async () => {
    expect(replicas()).toBe(1);
    await ok(lab, 'scale', 'deployment', 'paperless', '-n', 'apps', '--replicas', '0');
    expect(replicas()).toBe(0);
    const started = Date.now();
    await until('replicas back to 1', () => replicas() === 1, 3000);
    expect(Date.now() - started).toBeLessThan(2500);
    const scaled = lab.events.filter((e) => e.type === 'app-scaled' && e.object === 'apps/paperless').map((e) => e.detail);
    expect(scaled).toEqual(['0', '1']);
  });

  it('suspended, it leaves the app at 0; resumed with a requestedAt, it reconciles and scales it back', async () => {
    await ok(lab, 'patch', 'helmrelease', 'paperless', '-n', 'apps', '--type', 'merge', '-p', '{"spec":{"suspend":true}}');
    await ok(lab, 'scale', 'deployment', 'paperless', '-n', 'apps', '--replicas', '0');
    await new Promise((r) => setTimeout(r, 1800));
    expect(replicas()).toBe(0);
    await until('pods gone', () => lab.store.list('pods', { namespace: 'apps', labelSelector: 'app.kubernetes.io/name=paperless' }).items.length === 0);
    await ok(lab, 'patch', 'helmrelease', 'paperless', '-n', 'apps', '--type', 'merge', '-p', JSON.stringify({
      spec: { suspend: false }, metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'resume-1' } },
    }));
    await until('replicas back to 1', () => replicas() === 1, 3000);
    const hr = lab.store.get(HR, 'apps', 'paperless');
    expect(hr.status.lastHandledReconcileAt).toBe('resume-1');
    expect(hr.status.observedGeneration).toBe(hr.metadata.generation);
    expect(lab.events.filter((e) => e.object === 'helmrelease/apps/paperless').map((e) => e.type)).toEqual(expect.arrayContaining(['flux-suspended', 'flux-resumed', 'flux-reconciled']));
  });

  it('cron: the next run of an hourly and a daily schedule', () => {
    const from = Date.parse('2025-06-01T10:17:30Z');
    expect(new Date(nextCron(parseCron('0 * * * *'), from)).toISOString()).toBe('2025-06-01T11:00:00.000Z');
    expect(new Date(nextCron(parseCron('30 2 * * *'), from)).toISOString()).toBe('2025-06-02T02:30:00.000Z');
    expect(new Date(nextCron(parseCron('*/15 * * * *'), from)).toISOString()).toBe('2025-06-01T10:30:00.000Z');
    expect(() => parseCron('0 * *')).toThrow(/5 fields/);
  });
});
