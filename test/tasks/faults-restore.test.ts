// The fault matrix, volsync:restore rows (test/tasks/faults.test.ts says what a row asserts): a mover that keeps
// failing, dry-run, the confirmation, SIGTERM mid-restore, and a volume backed up by two sources.
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestRecord } from '../helpers/cli.ts';
import { withLab } from '../helpers/lab.ts';
import { get, RS } from '../lab/volsync-helpers.ts';
import { PUT_BACK, restoreLeftovers, sleep, type TestLab } from '../helpers/faults.ts';

describe('fault matrix: volsync:restore', () => {
  let lab: TestLab;
  beforeAll(async () => { lab = await withLab({ moverRetryMs: 500 }); });
  afterAll(async () => { await lab?.stop(); });

  it('a mover that keeps failing: exit 1 naming the destination; afterwards no ReplicationDestination or mover is left, then app and Flux are back; a re-run completes', async () => {
    lab.faults.moverFails('paperless', { times: 1000 });
    const r = await lab.run(['volsync:restore', '--app', 'paperless', '--yes', '--confirm-cluster', 'lab', '--timeout', '6s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/gave up waiting for ReplicationDestination apps\/paperless-rackhand-restore to finish .*mover failed/);
    expect(restoreLeftovers(lab)).toEqual(PUT_BACK);
    // the destination was gone BEFORE the app was scaled back up: the mover could not write under the running app
    const evs = lab.events.map((e) => `${e.type} ${e.object}`);
    const lastScale = evs.findLastIndex((e) => e.startsWith('app-scaled apps/paperless'));
    const restores = lab.events.filter((e) => e.type === 'volsync-restore-start').length;
    expect(lastScale).toBeGreaterThan(evs.findLastIndex((e) => e.startsWith('volsync-restore-')));
    await sleep(1_500); // more than a retry interval: VolSync would have retried a destination left behind
    expect(lab.events.filter((e) => e.type === 'volsync-restore-start').length).toBe(restores);
    expect(r.record!.steps.find((s) => s.title.startsWith('restore '))).toMatchObject({ status: 'failed', cleanup: 'done' });
    lab.faults.clearFaults();
    const again = await lab.run(['volsync:restore', '--app', 'paperless', '--yes', '--confirm-cluster', 'lab', '--timeout', '60s']);
    expect(again.code).toBe(0);
    expect(restoreLeftovers(lab)).toEqual(PUT_BACK);
  });

  it('--dry-run shows every command as a line a shell takes, the manifests it would apply, and the resume; nothing changes', async () => {
    const before = lab.events.length;
    const r = await lab.run(['volsync:restore', '--app', 'paperless', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`[dry-run] kubectl --kubeconfig ${lab.kubeconfigPath} --context admin@lab patch kustomizations.kustomize.toolkit.fluxcd.io paperless --namespace flux-system --type merge -p '{"metadata":{"annotations":{"rackhand.dev/suspended-by":"volsync:restore"}},"spec":{"suspend":true}}'`);
    expect(r.stderr).toMatch(/apply --server-side --force-conflicts --field-manager=rackhand -f - <<stdin\n {4}\| \{"apiVersion":"volsync\.backube\/v1alpha1","kind":"ReplicationDestination"/);
    expect(r.stderr).toContain(`-p '{"metadata":{"annotations":{"rackhand.dev/suspended-by":null}},"spec":{"suspend":false}}'`);
    expect(r.stderr).toContain('would resume Kustomization flux-system/paperless and request a reconcile');
    expect(r.stderr).toContain('volsync:restore: dry run, nothing changed');
    expect(lab.events.slice(before).filter((e) => /flux-|app-scaled|volsync-restore/.test(e.type))).toEqual([]);
    expect(restoreLeftovers(lab)).toEqual(PUT_BACK);
  });

  it('the confirmation names the volume it overwrites and the snapshot (id, time, age); --yes alone is not enough (exit 3)', async () => {
    const r = await lab.run(['volsync:restore', '--app', 'paperless', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('this will change:');
    expect(r.stderr).toContain('PVC apps/paperless is OVERWRITTEN in place');
    expect(r.stderr).toMatch(/with snapshot [0-9a-f]{8} from \d{4}-\d\d-\d\dT[\d:.]+Z \(\S+ old\)/);
    expect(r.stderr).toContain('--yes on volsync:restore also needs --confirm-cluster lab');
    expect(r.record!.commands.filter((c) => c.mutating)).toEqual([]);
    expect(restoreLeftovers(lab)).toEqual(PUT_BACK);
  });

  it('SIGTERM to the real CLI mid-restore: the mover is stopped, the destination removed, app, Flux and the lock put back; exit 143 with a record', async () => {
    lab.faults.moverFails('paperless', { times: 1000 }); // keeps the mover busy until the signal
    const env = { ...process.env, ...lab.env, RACKHAND_STATE_DIR: join(lab.dir, '.rackhand'), CI: 'true' };
    const child = execa('node', ['--import', 'tsx', 'tasks/index.ts', 'volsync:restore', '--app', 'paperless', '--yes', '--confirm-cluster', 'lab', '--timeout', '60s'], { env, reject: false, cwd: process.cwd() });
    const deadline = Date.now() + 30_000;
    while (!get(lab, 'jobs.batch', 'apps', 'volsync-dst-paperless-rackhand-restore') && Date.now() < deadline) await sleep(100);
    expect(restoreLeftovers(lab)).toMatchObject({ replicas: 0, ksSuspended: true, rsPaused: true, lease: 'rackhand-lock', destination: 'paperless-rackhand-restore' });
    child.kill('SIGTERM');
    const res = await child;
    expect(res.exitCode).toBe(143);
    expect(res.stderr).toContain('interrupted (SIGTERM)');
    expect(restoreLeftovers(lab)).toEqual(PUT_BACK);
    const rec = await latestRecord(join(lab.dir, '.rackhand'));
    expect(rec).toMatchObject({ task: 'volsync:restore', result: 'interrupted', interrupted: 'SIGTERM', exitCode: 143 });
    lab.faults.clearFaults();
  });

  it.each([
    // the moment to interrupt: what this run itself did (its manual trigger; its scratch namespace)
    ['volsync:snapshot', (l: TestLab) => Boolean((get(l, RS, 'apps', 'paperless') as { spec: { trigger: { manual?: string } } }).spec.trigger.manual)],
    ['dr:drill', (l: TestLab) => Boolean(l.store.find('namespaces', undefined, 'rackhand-drill-paperless'))],
  ])('SIGTERM to the real CLI mid-%s: exit 143, and nothing of the run is left (manual trigger, scratch namespace)', async (task, started) => {
    lab.faults.moverFails('paperless', { times: 1000 }); // keeps the mover busy until the signal
    const env = { ...process.env, ...lab.env, RACKHAND_STATE_DIR: join(lab.dir, '.rackhand'), CI: 'true' };
    const child = execa('node', ['--import', 'tsx', 'tasks/index.ts', task, '--app', 'paperless', '--yes', '--timeout', '60s'], { env, reject: false, cwd: process.cwd() });
    const deadline = Date.now() + 30_000;
    while (!started(lab) && Date.now() < deadline) await sleep(100);
    expect(started(lab)).toBe(true);
    await sleep(300);
    child.kill('SIGTERM');
    const res = await child;
    expect(res.exitCode, res.stderr).toBe(143);
    const rs = get(lab, RS, 'apps', 'paperless') as { spec: { trigger: Record<string, unknown> } };
    expect(rs.spec.trigger).toEqual({ schedule: '0 * * * *' });
    expect(lab.store.find('namespaces', undefined, 'rackhand-drill-paperless')).toBeUndefined();
    expect(restoreLeftovers(lab)).toEqual(PUT_BACK);
    lab.faults.clearFaults();
  });
});

describe('a volume backed up twice (an offsite ReplicationSource beside the local one)', () => {
  it('volsync:restore pauses every source of the PVC, and puts back both after a failure and after a success', async () => {
    const lab = await withLab({ moverRetryMs: 500 });
    try {
      const r2 = { apiVersion: 'volsync.backube/v1alpha1', kind: 'ReplicationSource', metadata: { name: 'paperless-r2', namespace: 'apps' },
        spec: { sourcePVC: 'paperless', trigger: { schedule: '30 * * * *' }, restic: { repository: 'paperless-volsync-secret', copyMethod: 'Direct', retain: { daily: 7 } } } };
      const applied = await execa('kubectl', ['apply', '-f', '-'], { input: JSON.stringify(r2), env: { ...process.env, ...lab.env }, reject: false });
      expect(applied.exitCode, applied.stderr).toBe(0);
      const paused = (name: string) => (get(lab, RS, 'apps', name) as { spec: { paused?: boolean } }).spec.paused === true;
      lab.faults.moverFails('paperless', { times: 1000 });
      const failed = await lab.run(['volsync:restore', '--app', 'paperless', '--yes', '--confirm-cluster', 'lab', '--timeout', '5s']);
      expect(failed.code).toBe(1);
      expect(failed.record!.steps.find((s) => s.title.startsWith('pause ReplicationSources'))).toMatchObject({ title: 'pause ReplicationSources apps/paperless, apps/paperless-r2 (every source of PVC paperless)', status: 'undone' });
      expect([paused('paperless'), paused('paperless-r2')]).toEqual([false, false]);
      lab.faults.clearFaults();
      let bothPausedDuringRestore = false;
      const stop = lab.store.listen((ev) => { if (ev.type === 'ADDED' && ev.resource === 'replicationdestinations.volsync.backube') bothPausedDuringRestore = paused('paperless') && paused('paperless-r2'); });
      const ok = await lab.run(['volsync:restore', '--app', 'paperless', '--yes', '--confirm-cluster', 'lab', '--timeout', '60s']);
      stop();
      expect(ok.code, ok.stderr).toBe(0);
      expect(bothPausedDuringRestore).toBe(true);
      expect([paused('paperless'), paused('paperless-r2')]).toEqual([false, false]);
    } finally {
      await lab.stop();
    }
  }, 120_000); // two restores, the second with a 60 s deadline of its own
});
