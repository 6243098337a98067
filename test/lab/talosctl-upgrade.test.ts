// Talos upgrades through the fake talosctl: the v1.12 legacy path (the node cordons and drains itself, gives up on a
// PDB-blocked pod at the scaled 5-minute cap and continues, uncordons only what it cordoned) and the faults.
import { afterEach, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/lab.js';
import { CORDONED_KEY } from '../../lab/talos/kube.js';
import { closeLab, ok, openLab, until } from './kubectl.js';
import { concatenatedJson, eventsOf, IMAGE, talosctl } from './talosctl.js';

let lab: Lab | undefined;
afterEach(async () => { await closeLab(lab); lab = undefined; });

const node = (l: Lab, n: string) => l.store.get('nodes', undefined, n);
const version = async (l: Lab, ip: string) => concatenatedJson((await talosctl(l, '-n', ip, 'get', 'version', '-o', 'json')).stdout)[0]?.spec.version;

describe('talosctl upgrade, v1.12 client (legacy: the node drains itself)', () => {
  it('--wait=false acks at once; the node cordons, drains up to the cap, reboots into the new version and uncordons itself', async () => {
    lab = await openLab({ rebootMs: 300, timeScale: 0.004 }); // drain cap 5 m => 1.2 s, retry 5 s => 20 ms
    const l = lab;
    const webOnW1 = l.store.list('pods', { fieldSelector: 'spec.nodeName=w1' }).items.find((p) => p.metadata.labels?.app === 'web');
    expect(webOnW1).toBeDefined(); // minAvailable 2 of 2: evicting it is blocked until the cap
    const started = Date.now();
    const r = await talosctl(l, '-n', '10.5.0.21', 'upgrade', '--image', IMAGE('v1.12.4'), '--wait=false');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^NODE {8}ACK {24}STARTED\n10\.5\.0\.21 {3}Upgrade request received {3}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC m=\+\d+\.\d{9} {3}\n$/);
    await until('w1 cordoned by Talos', () => node(l, 'w1').spec.unschedulable === true && node(l, 'w1').metadata.annotations?.[CORDONED_KEY] === 'true', 2000);
    await until('upgrade done', () => eventsOf(l, 'w1').includes('talos-upgrade-done'), 10_000);
    await until('w1 uncordoned', () => !node(l, 'w1').spec.unschedulable);
    expect(node(l, 'w1').metadata.annotations?.[CORDONED_KEY]).toBeUndefined();
    expect(await version(l, '10.5.0.21')).toBe('v1.12.4');
    expect(node(l, 'w1').status.nodeInfo.osImage).toBe('Talos (v1.12.4)');
    const types = eventsOf(l, 'w1');
    const order = ['talos-upgrade-start', 'node-cordoned', 'talos-drain-warning', 'node-drained', 'node-reboot-start', 'node-reboot-end', 'node-ready', 'talos-upgrade-done'];
    expect(types.filter((t) => order.includes(t))).toEqual(order);
    const drained = l.events.find((e) => e.type === 'node-drained' && e.object === 'w1')!;
    const start = l.events.find((e) => e.type === 'talos-upgrade-start' && e.object === 'w1')!;
    expect(drained.at - start.at).toBeGreaterThanOrEqual(1000); // waited for the PDB until the cap, then went on
    expect(drained.detail).toContain(`default/${webOnW1!.metadata.name}`);
    expect(start.detail).toBe(IMAGE('v1.12.4'));
    expect(l.events.find((e) => e.type === 'talos-upgrade-done' && e.object === 'w1')!.detail).toBe('v1.12.4');
  }, 30_000);

  it('leaves a node cordoned by someone else cordoned; --wait prints the tracker and returns when the node is back', async () => {
    lab = await openLab({ rebootMs: 300, timeScale: 0.001 });
    const l = lab;
    await ok(l, 'cordon', 'w2');
    const r = await talosctl(l, '-n', '10.5.0.22', 'upgrade', '--image', IMAGE('v1.12.2'));
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('"10.5.0.22": waiting for actor ID\n"10.5.0.22": actor ID: ');
    expect(r.stderr).toContain('"10.5.0.22": task: cordonAndDrainNode action: START\n');
    expect(r.stderr).toMatch(/"10\.5\.0\.22": events check condition met\n"10\.5\.0\.22": post check passed\n$/);
    expect(eventsOf(l, 'w2')).toContain('talos-upgrade-done');
    expect(node(l, 'w2').spec.unschedulable).toBe(true);
    expect(node(l, 'w2').metadata.annotations?.[CORDONED_KEY]).toBeUndefined();
    expect(await version(l, '10.5.0.22')).toBe('v1.12.2');
  }, 30_000);

  it('upgrading to the running version still reboots; an older server gets the client-version warning', async () => {
    lab = await openLab({ rebootMs: 200, timeScale: 0.001 });
    const l = lab;
    const boot = node(l, 'w2').status.nodeInfo.bootID;
    const r = await talosctl(l, '-n', 'w2', 'upgrade', '--image', IMAGE('v1.12.1'));
    expect(r.exitCode).toBe(0);
    expect(node(l, 'w2').status.nodeInfo.bootID).not.toBe(boot);
    const down = await talosctl(l, '-n', 'w2', 'upgrade', '--image', IMAGE('v1.11.5'), '--wait=false');
    expect(down.stderr).toBe('');
    await until('downgraded', () => eventsOf(l, 'w2').filter((t) => t === 'talos-upgrade-done').length === 2, 10_000);
    const again = await talosctl(l, '-n', 'w2', 'upgrade', '--image', IMAGE('v1.12.1'), '--wait=false');
    expect(again.stderr).toBe('WARNING: w2: server version v1.11.5 is older than client version v1.12.1\n');
  }, 30_000);

  it('upgradeFails: the upgrade fails before anything happens, with a gRPC error', async () => {
    lab = await openLab({ rebootMs: 200 });
    const l = lab;
    l.faults.upgradeFails('w1', 'failed to pull installer image: not found');
    const r = await talosctl(l, '-n', '10.5.0.21', 'upgrade', '--image', IMAGE('v1.12.2'), '--wait=false');
    expect(r).toMatchObject({ exitCode: 1, stdout: '' });
    expect(r.stderr).toBe('error performing upgrade: rpc error: code = Internal desc = failed to pull installer image: not found\n');
    const waited = await talosctl(l, '-n', '10.5.0.21', 'upgrade', '--image', IMAGE('v1.12.2'));
    expect(waited.exitCode).toBe(1);
    expect(waited.stderr).toContain('"10.5.0.21": rpc error: code = Internal desc = failed to pull installer image: not found\n');
    expect(eventsOf(l, 'w1')).not.toContain('talos-upgrade-start');
    expect(node(l, 'w1').spec.unschedulable).toBeUndefined();
  });

  it('nodeNeverReady: after the reboot the node stays NotReady and --wait gives up at --timeout', async () => {
    lab = await openLab({ rebootMs: 200, timeScale: 0.001 });
    const l = lab;
    const fault = await fetch(`${l.url}/_lab/faults`, { method: 'POST', body: JSON.stringify({ type: 'node-never-ready', node: 'w2' }) });
    expect(fault.status).toBe(200);
    const started = Date.now();
    const r = await talosctl(l, '-n', '10.5.0.22', 'upgrade', '--image', IMAGE('v1.12.2'), '--timeout', '2s');
    expect(r.exitCode).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(r.stderr).toMatch(/"10\.5\.0\.22": context deadline exceeded\n$/);
    expect(eventsOf(l, 'w2')).not.toContain('talos-upgrade-done');
    const ms = concatenatedJson((await talosctl(l, '-n', '10.5.0.22', 'get', 'machinestatus', '-o', 'json')).stdout)[0];
    expect(ms.spec.status).toEqual({ ready: false, unmetConditions: [{ name: 'nodeReady', reason: 'node not ready' }] });
  }, 30_000);
});
