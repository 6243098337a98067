import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

type TestLab = Awaited<ReturnType<typeof withLab>>;
const TOPOLOGY = 'test/testdata/topologies/rolling.yaml';
const talosMode = async (lab: TestLab, address: string) => {
  const r = await execa(`${lab.dir}/bin/talosctl`, ['--talosconfig', `${lab.dir}/talosconfig`, '--nodes', address, 'version', '--insecure'], { reject: false });
  return r.exitCode === 0 ? 'maintenance' : /certificate required/.test(r.stderr) ? 'configured' : 'unreachable';
};

describe('talos:reboot-node, talos:shutdown-node, talos:reset-node', () => {
  let lab: TestLab | undefined;
  afterEach(async () => { await lab?.stop(); lab = undefined; });

  it('reboot-node reboots the control plane and waits for Ready, machine status and etcd', async () => {
    lab = await withLab({ topology: TOPOLOGY, rebootMs: 500 });
    const r = await lab.run(['talos:reboot-node', '--node', 'cp2', '--yes']);
    expect(r.code).toBe(0);
    expect(lab.events.filter((e) => e.type === 'node-reboot-start').map((e) => e.object)).toEqual(['cp2']);
    const argv = r.record!.commands.map((c) => c.argv.slice(3).join(' '));
    expect(argv).toContain('--nodes 10.5.0.12 reboot --mode default --wait=false');
    expect(argv.some((a) => a.includes('etcd status'))).toBe(true);
  });

  it('reset-node wants the cluster name typed (or --confirm-cluster with --yes), then leaves the node in maintenance mode', async () => {
    lab = await withLab({ topology: TOPOLOGY, rebootMs: 500 });
    const refused = await lab.run(['talos:reset-node', '--node', 'w2', '--yes']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('--yes on talos:reset-node also needs --confirm-cluster lab');
    expect(await talosMode(lab, '10.5.0.22')).toBe('configured');
    const wrong = await lab.run(['talos:reset-node', '--node', 'w2'], { typed: ['prod'] });
    expect(wrong.code).toBe(3);
    expect(await talosMode(lab, '10.5.0.22')).toBe('configured');

    const r = await lab.run(['talos:reset-node', '--node', 'w2'], { typed: ['lab'] });
    expect(r.code).toBe(0);
    expect(r.record!.commands.map((c) => c.argv.slice(3).join(' '))).toContain(
      '--nodes 10.5.0.22 reset --graceful=true --reboot --system-labels-to-wipe STATE --system-labels-to-wipe EPHEMERAL --wait=false');
    expect(await talosMode(lab, '10.5.0.22')).toBe('maintenance');
    const again = await lab.run(['talos:reset-node', '--node', 'w2', '--yes', '--confirm-cluster', 'lab']);
    expect(again.code).toBe(0);
    expect(again.record!.result).toBe('nothing-to-do');
    expect(again.stderr).toContain('w2 is already in maintenance mode');
  });

  it('shutdown-node powers the node off and waits; a second run has nothing to do', async () => {
    lab = await withLab({ topology: TOPOLOGY, rebootMs: 300 });
    const r = await lab.run(['talos:shutdown-node', '--node', 'w1', '--yes', '--timeout', '30s']);
    expect(r.code).toBe(0);
    expect(lab.events.filter((e) => e.type === 'node-power-off').map((e) => e.object)).toEqual(['w1']);
    expect(await talosMode(lab, '10.5.0.21')).toBe('unreachable');
    const again = await lab.run(['talos:shutdown-node', '--node', 'w1', '--yes']);
    expect(again.record!.result).toBe('nothing-to-do');
  });
});
