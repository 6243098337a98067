// The fault matrix: a fault injected into the lab, a task run against it, and what an operator cares about
// afterwards: the exit code, a message naming the failing thing and the next command, no destructive step after the
// failure, the LAB's state (what is left running, replicas, Flux, locks), and a re-run that completes once the fault
// is cleared. Signals go to the real CLI process. Rows that need a lab of their own stay beside their task: bootstrap
// (a failing helm release, a missing 1Password item, an interrupt after the CRDs: test/tasks/bootstrap.test.ts),
// apply-node (files that are not machine configs, secrets in the diff: test/tasks/talos-apply-node.test.ts) and
// upgrade-node (a node that never comes back, an upgrade that fails: test/tasks/talos-upgrade.test.ts).
// The volsync:restore rows are in faults-restore.test.ts, the stale-lock rows in faults-locked.test.ts.
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { withLab } from '../helpers/lab.ts';
import { sleep, type TestLab } from '../helpers/faults.ts';

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

