import { stat } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

type TestLab = Awaited<ReturnType<typeof withLab>>;

const ROLLING = 'test/testdata/topologies/rolling.yaml';
const ROLLING_113 = 'test/testdata/topologies/rolling-1.13.yaml';

/** Upgrade start/done events in the lab's own log, in order. */
function upgradeEvents(lab: TestLab): string[] {
  return lab.events.filter((e) => e.type === 'talos-upgrade-start' || e.type === 'talos-upgrade-done').map((e) => `${e.type === 'talos-upgrade-start' ? 'start' : 'done'} ${e.object}`);
}

/** Strictly one node at a time: every start is followed by its own done before the next start. */
function expectOneAtATime(events: string[], order: string[]): void {
  expect(events).toEqual(order.flatMap((n) => [`start ${n}`, `done ${n}`]));
}

async function talosVersions(lab: TestLab): Promise<Record<string, string>> {
  const { execa } = await import('execa');
  const r = await execa('kubectl', ['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.nodeInfo.osImage}{"\\n"}{end}'], { env: { ...process.env, ...lab.env } });
  return Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split('=') as [string, string]));
}

describe('talos:upgrade-node --all (Talos v1.12: the node drains itself)', () => {
  let lab: TestLab | undefined;
  afterEach(async () => { await lab?.stop(); lab = undefined; });

  it('upgrades CP1, CP2, CP3, W1, W2 strictly one at a time after an etcd snapshot; a re-run has nothing to do', async () => {
    lab = await withLab({ topology: ROLLING, rebootMs: 600 });
    const r = await lab.run(['talos:upgrade-node', '--cluster', 'lab', '--all', '--to', 'v1.12.2', '--yes']);
    expect(r.code).toBe(0);
    expectOneAtATime(upgradeEvents(lab), ['cp1', 'cp2', 'cp3', 'w1', 'w2']);
    expect(Object.values(await talosVersions(lab))).toEqual(Array(5).fill('Talos (v1.12.2)'));
    // the snapshot came first, is private, and is in the record
    const snap = r.record!.data.etcdSnapshot as { path: string; bytes: number; sha256: string };
    expect(snap.bytes).toBeGreaterThan(0);
    expect(snap.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await stat(snap.path)).mode & 0o777).toBe(0o600);
    const argvs = r.record!.commands.map((c) => c.argv.join(' '));
    expect(argvs.findIndex((a) => a.includes(' etcd snapshot '))).toBeLessThan(argvs.findIndex((a) => a.includes(' upgrade ')));
    // never cordon a node Talos drains itself; the legacy path is used without --wait
    expect(argvs.filter((a) => /^kubectl .* (cordon|drain|uncordon) /.test(a))).toEqual([]);
    expect(argvs.filter((a) => a.includes(' upgrade '))).toEqual(['cp1', 'cp2', 'cp3', 'w1', 'w2'].map((_, i) =>
      `talosctl --talosconfig ${lab!.dir}/talosconfig --nodes 10.5.0.${i < 3 ? 11 + i : 18 + i} upgrade --image factory.talos.dev/installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba:v1.12.2 --reboot-mode default --wait=false`));
    expect(r.record!.steps.map((s) => s.status)).toEqual(Array(6).fill('done'));

    const again = await lab.run(['talos:upgrade-node', '--cluster', 'lab', '--all', '--to', 'v1.12.2', '--yes']);
    expect(again.code).toBe(0);
    expect(again.record!.result).toBe('nothing-to-do');
    expect(again.record!.commands.filter((c) => c.mutating)).toEqual([]);
    expect(again.stderr).toContain('upgrade control plane cp1 to v1.12.2: skipped, cp1 already runs v1.12.2');
  });

  it('a node that never comes back stops the rollout, names it, and a re-run after the fix completes the rest', async () => {
    lab = await withLab({ topology: ROLLING, rebootMs: 400 });
    lab.faults.nodeNeverReady('cp2');
    const r = await lab.run(['talos:upgrade-node', '--all', '--to', 'v1.12.2', '--yes', '--timeout-per-node', '6s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/node cp2: gave up waiting for cp2 to be Ready again after \d+(\.\d)?s \(last seen: Ready=(False|Unknown)\); later nodes were not touched/);
    expect(r.stderr).toContain('next: npx tsx tasks talos:upgrade-node --cluster lab --all --to v1.12.2');
    expect(upgradeEvents(lab)).toEqual(['start cp1', 'done cp1', 'start cp2']);
    expect(r.record!.steps.map((s) => s.status)).toEqual(['done', 'done', 'failed', 'pending', 'pending', 'pending']);
    const versions = await talosVersions(lab);
    expect([versions.cp3, versions.w1, versions.w2]).toEqual(Array(3).fill('Talos (v1.12.1)'));

    // the operator fixes cp2 (it comes back Ready) and re-runs the same command: only the rest is done
    lab.faults.clearFaults();
    lab.faults.setNodeReady('cp2', true);
    const again = await lab.run(['talos:upgrade-node', '--all', '--to', 'v1.12.2', '--yes']);
    expect(again.code).toBe(0);
    expect(again.record!.steps.map((s) => s.status)).toEqual(['done', 'skipped', 'skipped', 'done', 'done', 'done']);
    // cp1 and cp2 were not upgraded again: one start each over both runs
    expect(upgradeEvents(lab).filter((e) => e.startsWith('start'))).toEqual(['start cp1', 'start cp2', 'start cp3', 'start w1', 'start w2']);
    expect(Object.values(await talosVersions(lab))).toEqual(Array(5).fill('Talos (v1.12.2)'));
  });

  it('Ctrl-C mid-rollout exits 130 at once; once the node is back, a re-run continues with the remaining nodes', async () => {
    lab = await withLab({ topology: ROLLING, rebootMs: 1_500 });
    const interrupt = new AbortController();
    const run = lab.run(['talos:upgrade-node', '--all', '--to', 'v1.12.2', '--yes'], { interrupt });
    while (!lab.events.some((e) => e.type === 'talos-upgrade-start' && e.object === 'cp2')) await new Promise((res) => setTimeout(res, 50));
    interrupt.abort();
    const r = await run;
    expect(r.code).toBe(130);
    expect(r.record!.result).toBe('interrupted');
    expect(r.record!.steps.map((s) => s.status)).toEqual(['done', 'done', 'failed', 'pending', 'pending', 'pending']);
    await lab.settled(20_000);
    const again = await lab.run(['talos:upgrade-node', '--all', '--to', 'v1.12.2', '--yes']);
    expect(again.code).toBe(0);
    expect(upgradeEvents(lab).filter((e) => e.startsWith('start'))).toEqual(['start cp1', 'start cp2', 'start cp3', 'start w1', 'start w2']);
  });

  it('an unhealthy cluster is refused before anything changes (exit 3)', async () => {
    lab = await withLab({ topology: ROLLING, rebootMs: 400 });
    lab.faults.etcdUnhealthy('cp3');
    const r = await lab.run(['talos:upgrade-node', '--all', '--to', 'v1.12.2', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('preflight: etcd healthy with every member: etcd unhealthy on cp3: etcdserver: no leader');
    expect(r.record!.commands.filter((c) => c.mutating)).toEqual([]);
    expect(upgradeEvents(lab)).toEqual([]);
  });

  it('--dry-run shows every command and changes nothing in the lab', async () => {
    lab = await withLab({ topology: ROLLING, rebootMs: 400 });
    const r = await lab.run(['talos:upgrade-node', '--all', '--to', 'v1.12.2', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('[dry-run] talosctl');
    expect(r.stderr.match(/\[dry-run\] talosctl .* upgrade --image/g)).toHaveLength(5);
    expect(upgradeEvents(lab)).toEqual([]);
    expect(lab.events.filter((e) => e.type === 'node-reboot-start')).toEqual([]);
    expect(Object.values(await talosVersions(lab))).toEqual(Array(5).fill('Talos (v1.12.1)'));
    expect(r.record!.commands.filter((c) => c.mutating && !c.dryRun)).toEqual([]);
  });

  it('a second concurrent run exits 4 and touches nothing', async () => {
    lab = await withLab({ topology: ROLLING, rebootMs: 800 });
    const first = lab.run(['talos:upgrade-node', '--node', 'w1', '--to', 'v1.12.2', '--yes']);
    while (!lab.events.some((e) => e.type === 'talos-upgrade-start')) await new Promise((res) => setTimeout(res, 50));
    const second = await lab.run(['talos:upgrade-node', '--node', 'w2', '--to', 'v1.12.2', '--yes']);
    expect(second.code).toBe(4);
    expect(second.stderr).toMatch(/another run holds the cluster lock: .* \(talos:upgrade-node\), since /);
    expect((await first).code).toBe(0);
    expect(upgradeEvents(lab)).toEqual(['start w1', 'done w1']);
  });
});

describe('talos:upgrade-node --all (talosctl v1.13 drains)', () => {
  let lab: TestLab | undefined;
  afterEach(async () => { await lab?.stop(); lab = undefined; });

  it('upgrades CP1, CP2, CP3, W1, W2 one at a time with talosctl draining (--drain, --drain-timeout)', async () => {
    lab = await withLab({ topology: ROLLING_113, rebootMs: 600 });
    const r = await lab.run(['talos:upgrade-node', '--all', '--to', 'v1.13.3', '--yes', '--drain-timeout', '2m']);
    expect(r.code).toBe(0);
    expectOneAtATime(upgradeEvents(lab), ['cp1', 'cp2', 'cp3', 'w1', 'w2']);
    expect(Object.values(await talosVersions(lab))).toEqual(Array(5).fill('Talos (v1.13.3)'));
    const upgrades = r.record!.commands.map((c) => c.argv.join(' ')).filter((a) => a.includes(' upgrade '));
    expect(upgrades).toHaveLength(5);
    for (const a of upgrades) expect(a).toMatch(/ --reboot-mode default --drain --drain-timeout=120s --timeout=900s$/);
    expect(r.record!.commands.filter((c) => c.argv[0] === 'kubectl' && c.mutating && !c.argv.includes('lease') && !c.argv.includes('-')).map((c) => c.argv.join(' '))).toEqual([]);
    expect((r.record!.data as { generation: string }).generation).toBe('talosctl-drains');
  });
});
