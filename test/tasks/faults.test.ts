// The fault matrix: a fault injected into the lab, a task run against it, and what an operator cares about
// afterwards: the exit code, a message naming the failing thing and the next command, no destructive step after the
// failure, the LAB's state (what is left running, replicas, Flux, locks), and a re-run that completes once the fault
// is cleared. Signals go to the real CLI process. Rows that need a lab of their own stay beside their task: bootstrap
// (a failing helm release, a missing 1Password item, an interrupt after the CRDs: test/tasks/bootstrap.test.ts),
// apply-node (files that are not machine configs, secrets in the diff: test/tasks/talos-apply-node.test.ts) and
// upgrade-node (a node that never comes back, an upgrade that fails: test/tasks/talos-upgrade.test.ts).
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, latestRecord } from '../helpers/cli.ts';
import { withLab } from '../helpers/lab.ts';
import { get, RD, RS } from '../lab/volsync-helpers.ts';

type TestLab = Awaited<ReturnType<typeof withLab>>;
const KS = 'kustomizations.kustomize.toolkit.fluxcd.io';
const HR = 'helmreleases.helm.toolkit.fluxcd.io';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Everything a failed or interrupted restore must have put back, read from the lab's store. */
function restoreLeftovers(lab: TestLab, app = 'paperless') {
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
const PUT_BACK = { replicas: 1, annotation: undefined, ksSuspended: false, hrSuspended: false, rsPaused: false, destination: undefined, moverJob: undefined, lease: undefined };

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

describe('fault matrix: a stale restic lock', () => {
  // a lab of its own: movers killed by the rows above can leave short-lived locks of their own in the repository
  let lab: TestLab;
  beforeAll(async () => { lab = await withLab(); });
  afterAll(async () => { await lab?.stop(); });

  it.each([
    ['volsync:restore', ['--yes', '--confirm-cluster', 'lab', '--timeout', '60s']],
    ['dr:drill', ['--yes', '--timeout', '60s']],
    ['dr:verify-backups', []],
  ])('%s refuses before anything changes (exit 3) naming the lock and volsync:unlock; after the unlock it completes', async (task, flags) => {
    await lab.faults.resticLocked('paperless');
    const started = Date.now();
    const r = await lab.run([task, '--app', 'paperless', ...flags]);
    expect(r.code).toBe(3);
    expect(Date.now() - started).toBeLessThan(20_000); // not at the end of a timeout
    expect(r.stderr).toMatch(/restic repository not locked: apps\/paperless: exclusive lock [0-9a-f]{8} by \S+ pid \d+, \S+ old/);
    expect(r.stderr).toContain('next: if no backup or restore is running now: npx tsx tasks volsync:unlock --app paperless --namespace apps');
    expect(r.record!.commands.filter((c) => c.mutating)).toEqual([]);
    expect(restoreLeftovers(lab)).toEqual(PUT_BACK);
    expect(lab.store.find('namespaces', undefined, 'rackhand-drill-paperless')).toBeUndefined();
    expect((await lab.run(['volsync:unlock', '--app', 'paperless', '--yes', '--timeout', '60s'])).code).toBe(0);
    const again = await lab.run([task, '--app', 'paperless', ...flags]);
    expect(again.code).toBe(0);
    expect(restoreLeftovers(lab)).toEqual(PUT_BACK);
  });
});

describe('fault matrix: versions that cannot be right are refused before anything runs', () => {
  let lab: TestLab;
  beforeAll(async () => { lab = await withLab(); });
  afterAll(async () => { await lab?.stop(); });

  it.each([
    [['talos:upgrade-k8s', '--to', 'v99.0.0', '--yes'], 3, /Kubernetes v99\.0\.0 is newer than talosctl v1\.\d+\.\d+ supports \(v1\.\d+\.x to v1\.\d+\.x\)/],
    [['talos:upgrade-k8s', '--to', 'v1.30.2', '--yes'], 3, /v1\.30\.2 is older than the running v1\.31\.4: a downgrade \(--allow-downgrade forces it/],
    [['talos:upgrade-k8s', '--to', 'v1.33.0', '--yes'], 3, /v1\.31\.4 -> v1\.33\.0 skips 1 minor release\(s\): upgrade to the latest v1\.32\.x first/],
    [['talos:upgrade-k8s', '--to', 'v1.32.0-rc.1', '--yes'], 2, /--to: v1\.32\.0-rc\.1 is a pre-release; add --allow-prerelease/],
    [['talos:upgrade-k8s', '--to', 'v1.30.2', '--allow-downgrade', '--yes'], 3, /--yes on talos:upgrade-k8s also needs --confirm-cluster lab/],
    [['talos:upgrade-node', '--all', '--to', 'v1.14.0', '--yes'], 3, /cp1: v1\.12\.\d+ -> v1\.14\.0 skips 1 minor release\(s\)/],
    [['talos:upgrade-node', '--all', '--to', 'v1.11.5', '--yes'], 3, /cp1: v1\.11\.5 is older than the running v1\.12\.\d+: a downgrade/],
    [['talos:upgrade-node', '--node', 'w1', '--to', 'v1.13.0-beta.1', '--yes'], 2, /v1\.13\.0-beta\.1 is a pre-release/],
  ])('%j exits %i', async (argv, code, message) => {
    const before = lab.events.length;
    const r = await lab.run(argv as string[]);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.record?.commands.filter((c) => c.mutating) ?? []).toEqual([]);
    expect(lab.events.slice(before).filter((e) => /^talos-upgrade|node-reboot/.test(e.type))).toEqual([]);
  });
});

describe('fault matrix: a missing tool', () => {
  it('volsync:list without restic refuses in preflight (exit 3) with how to install it, before reading the repository', async () => {
    const lab = await withLab();
    try {
      const { mkdtemp, symlink } = await import('node:fs/promises');
      const bin = await mkdtemp(join(lab.dir, 'bin-no-restic-'));
      await symlink('/usr/bin/kubectl', join(bin, 'kubectl'));
      const r = await cli(['volsync:list', '--app', 'paperless'], { env: { ...process.env, ...lab.env, PATH: `${join(lab.dir, 'bin')}:${bin}`, RACKHAND_STATE_DIR: join(lab.dir, '.rackhand'), CI: 'true' }, cwd: lab.dir });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('restic not found on PATH');
      expect(r.stderr).toContain('sudo apt-get install restic');
      expect(r.record!.commands.some((c) => c.argv[0] === 'kubectl' && c.argv.includes('secret'))).toBe(false);
    } finally {
      await lab.stop();
    }
  });
});

describe('fault matrix: drains against a PodDisruptionBudget that allows no disruption', () => {
  const blockWeb = async (lab: TestLab) => {
    await execa('kubectl', ['patch', 'pdb', 'web', '-n', 'default', '--type=merge', '-p', '{"spec":{"minAvailable":3}}'], { env: { ...process.env, ...lab.env } });
    const deadline = Date.now() + 10_000;
    while ((lab.store.find('poddisruptionbudgets.policy', 'default', 'web')?.status?.disruptionsAllowed ?? 1) !== 0 && Date.now() < deadline) await sleep(50);
  };
  const cordoned = (lab: TestLab) => lab.store.list('nodes').items.filter((n) => n.spec?.unschedulable).map((n) => n.metadata.name);

  it('Talos <= 1.12 (the node drains itself and would reboot anyway): preflight names the PDB and its pods per node and refuses (exit 3)', async () => {
    const lab = await withLab({ topology: 'test/testdata/topologies/rolling.yaml' });
    try {
      await blockWeb(lab);
      const r = await lab.run(['talos:upgrade-node', '--all', '--to', 'v1.12.2', '--yes']);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/no PodDisruptionBudget blocks the drain: \w+: PDB default\/web allows 0 disruption\(s\) of web-/);
      expect(r.stderr).toContain('Talos <= 1.12 would reboot the node anyway');
      expect(r.stderr).toContain('--ignore-pdbs');
      expect(r.record!.commands.filter((c) => c.mutating)).toEqual([]);
      expect(lab.events.filter((e) => /^talos-upgrade|node-reboot/.test(e.type))).toEqual([]);
    } finally {
      await lab.stop();
    }
  });

  it('talosctl >= 1.13 with --ignore-pdbs: the failed drain is named with its PDB, the node it cordoned is uncordoned, nothing rebooted; a re-run once the PDB allows it completes', async () => {
    const lab = await withLab({ topology: 'test/testdata/topologies/rolling-1.13.yaml', rebootMs: 300 });
    try {
      await blockWeb(lab);
      const webNode = lab.store.list('pods', { namespace: 'default' }).items.find((p) => p.metadata.name?.startsWith('web-'))!.spec.nodeName as string;
      const r = await lab.run(['talos:upgrade-node', '--node', webNode, '--to', 'v1.13.3', '--yes', '--ignore-pdbs', '--drain-timeout', '2s']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('--ignore-pdbs: ');
      expect(r.stderr).toMatch(new RegExp(`blocked by ${webNode}: PDB default/web allows 0 disruption\\(s\\) of web-`));
      expect(r.stderr).toContain(`${webNode} was cordoned by the failed drain and is uncordoned again`);
      expect(r.stderr).toContain('next: let default/web allow a disruption');
      expect(cordoned(lab)).toEqual([]);
      expect(lab.events.filter((e) => e.type === 'node-reboot-start')).toEqual([]);
      await execa('kubectl', ['patch', 'pdb', 'web', '-n', 'default', '--type=merge', '-p', '{"spec":{"minAvailable":2}}'], { env: { ...process.env, ...lab.env } });
      const again = await lab.run(['talos:upgrade-node', '--node', webNode, '--to', 'v1.13.3', '--yes', '--timeout-per-node', '2m']);
      expect(again.code, again.stderr).toBe(0);
      expect(cordoned(lab)).toEqual([]);
    } finally {
      await lab.stop();
    }
  });
});

describe('fault matrix: the API server goes away during a wait', () => {
  it('a single control plane rebooting takes kube-apiserver with it: reboot-node reads "went down" from the machine status and waits the API out', async () => {
    const lab = await withLab({ topology: 'test/testdata/topologies/single-cp.yaml', rebootMs: 3_000 });
    try {
      const r = await lab.run(['talos:reboot-node', '--node', 'cp1', '--yes', '--timeout', '60s']);
      expect(r.code, r.stderr).toBe(0);
      expect(lab.events.filter((e) => e.type === 'node-reboot-start').map((e) => e.object)).toEqual(['cp1']);
      // the API really was down meanwhile: some kubectl call of the run failed to connect
      expect(r.record!.commands.some((c) => c.argv[0] === 'kubectl' && c.exitCode !== 0)).toBe(true);
      expect(lab.store.find('nodes', undefined, 'cp1')?.status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.status).toBe('True');
    } finally {
      await lab.stop();
    }
  });

  it('an API server that restarts mid-wait (api-down for 3 s) does not fail a backup wait', async () => {
    const lab = await withLab();
    try {
      const stop = lab.store.listen((ev) => {
        if (ev.type === 'MODIFIED' && ev.resource === 'replicationsources.volsync.backube' && ev.object.spec?.trigger?.manual) { stop(); lab.faults.apiDown(3_000); }
      });
      const r = await lab.run(['volsync:snapshot', '--app', 'paperless', '--timeout', '60s']);
      expect(r.code, r.stderr).toBe(0);
      expect(lab.events.some((e) => e.type === 'fault-api-down')).toBe(true);
      expect(r.record!.commands.some((c) => c.argv[0] === 'kubectl' && c.exitCode !== 0)).toBe(true);
    } finally {
      await lab.stop();
    }
  });
});

describe('fault matrix: a node that does not answer talosctl is not "already off"', () => {
  it('shutdown-node against an address nothing answers on, while Kubernetes sees the node Ready: not "nothing to do", the failure names talosctl', async () => {
    const lab = await withLab();
    try {
      const { readFile, writeFile } = await import('node:fs/promises');
      const cfg = await readFile(lab.configPath, 'utf8');
      await writeFile(lab.configPath, cfg.replace(/(name: w1, address: )[0-9.]+/, '$110.5.0.99'));
      expect(await readFile(lab.configPath, 'utf8')).toContain('10.5.0.99');
      const r = await lab.run(['talos:shutdown-node', '--node', 'w1', '--yes', '--force', '--timeout', '10s']);
      expect(r.record!.result).not.toBe('nothing-to-do');
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain('talosctl');
      expect(lab.events.filter((e) => e.type === 'node-power-off')).toEqual([]);
    } finally {
      await lab.stop();
    }
  });
});

describe('a node with an installer of its own (talconfig talosImageURL / nodes[].installer)', () => {
  it('talos:upgrade-node upgrades it to ITS schematic and the others to the cluster\'s; the plan names each image', async () => {
    const lab = await withLab();
    try {
      const { readFile, writeFile } = await import('node:fs/promises');
      const gpu = `factory.talos.dev/installer/${'a'.repeat(64)}`;
      const cfg = await readFile(lab.configPath, 'utf8');
      await writeFile(lab.configPath, cfg.replace('{ name: w1, address: 10.5.0.21, role: worker }', `{ name: w1, address: 10.5.0.21, role: worker, installer: ${gpu} }`));
      // a made-up schematic whose extensions the lab cannot know: the change is accepted explicitly
      const r = await lab.run(['talos:upgrade-node', '--all', '--to', 'v1.12.2', '--dry-run', '--ignore-pdbs', '--accept-extension-change']);
      expect(r.code, r.stderr).toBe(0);
      const upgrades = r.record!.commands.filter((c) => c.argv.includes('upgrade')).map((c) => `${c.argv[c.argv.indexOf('--nodes') + 1]} ${c.argv[c.argv.indexOf('--image') + 1]}`);
      expect(upgrades).toContain(`10.5.0.21 ${gpu}:v1.12.2`);
      expect(upgrades.filter((u) => !u.startsWith('10.5.0.21'))).toEqual(expect.arrayContaining([expect.stringMatching(/^10\.5\.0\.11 factory\.talos\.dev\/installer\/376567988ad3[0-9a-f]+:v1\.12\.2$/)]));
      expect(r.stderr).toContain(`node w1 (10.5.0.21, worker) is upgraded to ${gpu}:v1.12.2`);
      expect((r.record!.data.images as Record<string, string>).w1).toBe(`${gpu}:v1.12.2`);
    } finally {
      await lab.stop();
    }
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
  });
});
