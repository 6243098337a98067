// flux:status, flux:reconcile, flux:suspend and flux:resume against a lab shaped like a home-ops repository
// (lab/topologies/flux.yaml: infra <- apps <- gatus Kustomizations, HelmRelease gatus depending on postgres, sources
// GitRepository and HelmRepository). What is checked is what an operator sees and what Flux does: which objects were
// suspended and by whom, the order in which they came back, requestedAt values, exit codes and messages.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

const FLUX = fileURLToPath(new URL('../../lab/topologies/flux.yaml', import.meta.url));
const KS = 'kustomizations.kustomize.toolkit.fluxcd.io';
const HR = 'helmreleases.helm.toolkit.fluxcd.io';

describe('flux:* tasks on a Flux lab', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => { lab = await withLab({ topology: FLUX }); });
  afterAll(async () => { await lab?.stop(); });
  const suspended = (resource: string, ns: string, name: string) => lab.store.get(resource, ns, name).spec?.suspend === true;
  const marker = (resource: string, ns: string, name: string) => lab.store.get(resource, ns, name).metadata.annotations?.['rackhand.dev/suspended-by'];

  it('refuses a missing or doubled selector and an unknown kind (exit 2), nothing changes', async () => {
    for (const argv of [['flux:suspend'], ['flux:suspend', '--app', 'gatus', '--all'], ['flux:resume', '--kind', 'bogus', '--name', 'x'], ['flux:reconcile', '--name', 'x']]) {
      const r = await lab.run([...argv, '--cluster', 'lab', '--yes']);
      expect(r.code, argv.join(' ')).toBe(2);
    }
    expect(lab.events.filter((e) => e.type === 'flux-suspended')).toEqual([]);
  });

  it('flux:status: every object Ready (exit 0); reconcile --with-source reconciles the source first with the same requestedAt', async () => {
    const st = await lab.run(['flux:status', '--cluster', 'lab']);
    expect(st.code, st.stderr).toBe(0);
    expect(st.stdout).toContain('7 of 7 Flux objects Ready');
    const before = lab.events.length;
    const r = await lab.run(['flux:reconcile', '--cluster', 'lab', '--kind', 'ks', '--name', 'flux-system/apps', '--with-source']);
    expect(r.code, r.stderr).toBe(0);
    const at = (r.record!.data.reconcile as { requestedAt: string }).requestedAt;
    expect(lab.events.slice(before).filter((e) => e.type === 'flux-reconciled').map((e) => `${e.object} ${e.detail}`)).toEqual([
      `gitrepository/flux-system/flux-system ${at}`, `kustomization/flux-system/apps ${at}`,
    ]);
  });

  it('suspend --all marks what it suspends and leaves an operator\'s own suspend alone; resume --all brings them back in dependsOn order', async () => {
    // the operator suspended gatus by hand, on purpose
    lab.store.update(KS, { ...lab.store.get(KS, 'flux-system', 'gatus'), spec: { ...lab.store.get(KS, 'flux-system', 'gatus').spec, suspend: true } });
    const s = await lab.run(['flux:suspend', '--cluster', 'lab', '--all', '--namespace', 'flux-system', '--yes']);
    expect(s.code, s.stderr).toBe(0);
    expect([marker(KS, 'flux-system', 'infra'), marker(KS, 'flux-system', 'apps'), marker(KS, 'flux-system', 'gatus')]).toEqual(['flux:suspend', 'flux:suspend', undefined]);
    expect(s.stderr).toContain('suspended by someone else: left as it is, not marked');
    const st = await lab.run(['flux:status', '--cluster', 'lab']);
    expect(st.code).toBe(0);
    expect(st.stdout).toContain('7 of 7 Flux objects Ready, 3 suspended');

    const before = lab.events.length;
    const r = await lab.run(['flux:resume', '--cluster', 'lab', '--all', '--namespace', 'flux-system']);
    expect(r.code, r.stderr).toBe(0);
    // dependencies first, each reconciled and Ready before the next; nothing ever waited on DependencyNotReady
    expect(lab.events.slice(before).filter((e) => /flux-resumed|flux-dependency-not-ready/.test(e.type)).map((e) => `${e.type} ${e.object}`)).toEqual(['flux-resumed kustomization/flux-system/infra', 'flux-resumed kustomization/flux-system/apps']);
    expect(r.stderr).toContain('left suspended (not suspended by rackhand): Kustomization flux-system/gatus');
    expect([suspended(KS, 'flux-system', 'infra'), suspended(KS, 'flux-system', 'apps'), suspended(KS, 'flux-system', 'gatus')]).toEqual([false, false, true]);
    expect(marker(KS, 'flux-system', 'apps')).toBeUndefined();
    // the operator resumes gatus by name
    const named = await lab.run(['flux:resume', '--cluster', 'lab', '--kind', 'ks', '--name', 'flux-system/gatus']);
    expect(named.code, named.stderr).toBe(0);
    expect(named.stderr).toContain('was suspended by someone else: resumed because it was named');
    expect(suspended(KS, 'flux-system', 'gatus')).toBe(false);
  });

  it('an app whose HelmRelease depends on a failing one: resume stops there (exit 1) naming the dependency; flux:status names it too', async () => {
    const s = await lab.run(['flux:suspend', '--cluster', 'lab', '--app', 'gatus', '--namespace', 'observability', '--yes']);
    expect(s.code, s.stderr).toBe(0);
    expect([suspended(KS, 'flux-system', 'gatus'), suspended(HR, 'observability', 'gatus')]).toEqual([true, true]);
    lab.faults.helmReleaseStuck('observability/postgres');
    const r = await lab.run(['flux:resume', '--cluster', 'lab', '--app', 'gatus', '--namespace', 'observability', '--timeout', '3s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("HelmRelease observability/gatus not Ready after the reconcile: DependencyNotReady: dependency 'observability/postgres' is not ready");
    const st = await lab.run(['flux:status', '--cluster', 'lab', '--json']);
    expect(st.code).toBe(1);
    const json = JSON.parse(st.stdout) as { data: { flux: { notReady: { kind: string; name: string; reason: string }[] } } };
    expect(json.data.flux.notReady.map((s) => `${s.kind} ${s.name} ${s.reason}`)).toEqual(expect.arrayContaining(['HelmRelease postgres UpgradeFailed', 'HelmRelease gatus DependencyNotReady']));
    lab.faults.clearFaults();
  });

  it('k8s:scale pauses the HelmRelease and its Kustomization (the lab would put replicas back otherwise); --restore goes back to the recorded count and resumes them', async () => {
    const dep = () => lab.store.get('deployments.apps', 'observability', 'gatus');
    const r = await lab.run(['k8s:scale', '--cluster', 'lab', '--namespace', 'observability', '--app', 'gatus', '--replicas', '0', '--yes', '--timeout', '20s']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.record!.data.owner).toBe('Flux Kustomization flux-system/gatus, HelmRelease observability/gatus');
    expect([marker(KS, 'flux-system', 'gatus'), marker(HR, 'observability', 'gatus')]).toEqual(['k8s:scale', 'k8s:scale']);
    expect(dep().metadata.annotations?.['rackhand.dev/scaled-from']).toBe('1');
    await new Promise((ok) => setTimeout(ok, 2_500)); // longer than the lab's drift correction
    expect(dep().spec.replicas).toBe(0);
    const back = await lab.run(['k8s:scale', '--cluster', 'lab', '--namespace', 'observability', '--app', 'gatus', '--restore', '--yes', '--timeout', '20s']);
    expect(back.code, back.stderr).toBe(0);
    expect(dep().spec.replicas).toBe(1);
    expect(dep().metadata.annotations?.['rackhand.dev/scaled-from']).toBeUndefined();
    expect([suspended(KS, 'flux-system', 'gatus'), suspended(HR, 'observability', 'gatus')]).toEqual([false, false]);
    const again = await lab.run(['k8s:scale', '--cluster', 'lab', '--namespace', 'observability', '--app', 'gatus', '--restore', '--yes']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('has no rackhand.dev/scaled-from record');
  });

  it('k8s:hr-restart --all-failed: a HelmRelease stuck after failed upgrades is suspended, resumed and Ready again; nothing left suspended', async () => {
    lab.faults.helmReleaseStuck('observability/postgres');
    const st = await lab.run(['flux:status', '--cluster', 'lab']);
    expect(st.code).toBe(1);
    const r = await lab.run(['k8s:hr-restart', '--cluster', 'lab', '--all-failed', '--yes', '--timeout', '20s']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.record!.data.restarted).toEqual(['HelmRelease observability/postgres']);
    expect(r.stderr).toContain('restart HelmRelease observability/postgres (UpgradeFailed)');
    expect(suspended(HR, 'observability', 'postgres')).toBe(false);
    expect((await lab.run(['flux:status', '--cluster', 'lab'])).code).toBe(0);
    const none = await lab.run(['k8s:hr-restart', '--cluster', 'lab', '--all-failed', '--yes']);
    expect(none.code).toBe(0);
    expect(none.stderr).toContain('nothing to restart');
  });
});
