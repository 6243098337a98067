import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

describe('talos:upgrade-k8s against the lab', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  const kubelets = async () => (await execa('kubectl', ['get', 'nodes', '-o', 'jsonpath={.items[*].status.nodeInfo.kubeletVersion}'], { env: { ...process.env, ...lab.env } })).stdout.split(' ');
  beforeAll(async () => { lab = await withLab({ topology: 'test/testdata/topologies/rolling.yaml' }); });
  afterAll(async () => { await lab?.stop(); });

  it('--dry-run is handed to talosctl upgrade-k8s --dry-run: its plan is printed and nothing changes', async () => {
    const r = await lab.run(['talos:upgrade-k8s', '--to', 'v1.32.3', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.record!.commands.map((c) => c.argv.slice(3).join(' '))).toContain('--nodes 10.5.0.11 upgrade-k8s --to 1.32.3 --dry-run');
    expect(r.stdout).toContain('skipped in dry-run');
    expect(await kubelets()).toEqual(Array(5).fill('v1.31.4'));
    expect(lab.events.filter((e) => e.type === 'talos-upgrade-k8s')).toEqual([]);
  });

  it('upgrades through the first control plane; postflight sees every kubelet at the target; a re-run has nothing to do', async () => {
    const r = await lab.run(['talos:upgrade-k8s', '--to', 'v1.32.3', '--yes']);
    expect(r.code).toBe(0);
    expect(r.record!.checks.find((c) => c.phase === 'postflight')).toMatchObject({ ok: true, message: 'every kubelet runs v1.32.3' });
    expect(await kubelets()).toEqual(Array(5).fill('v1.32.3'));
    const again = await lab.run(['talos:upgrade-k8s', '--to', 'v1.32.3', '--yes']);
    expect(again.code).toBe(0);
    expect(again.record!.result).toBe('nothing-to-do');
    expect(again.stderr).toContain('the API server and all 5 kubelets run v1.32.3');
    expect(again.record!.commands.filter((c) => c.mutating)).toEqual([]);
  });
});
