// talos:reset-cluster on a two-node Talos lab: refused without the typed cluster name (nothing reset); with it, the
// worker is reset before the control plane, both come back in maintenance mode, and a re-run has nothing left to do
// (it needs no API: the cluster is gone).
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

const FLUX = fileURLToPath(new URL('../../lab/topologies/flux.yaml', import.meta.url));

describe('talos:reset-cluster', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => { lab = await withLab({ topology: FLUX, rebootMs: 300 }); });
  afterAll(async () => { await lab?.stop(); });

  it('wants the cluster name typed; resets workers first, every node ends in maintenance mode; a re-run does nothing', async () => {
    const refused = await lab.run(['talos:reset-cluster', '--cluster', 'lab', '--yes']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('--confirm-cluster lab');
    expect(lab.events.filter((e) => e.type === 'talos-reset')).toEqual([]);
    const r = await lab.run(['talos:reset-cluster', '--cluster', 'lab', '--yes', '--confirm-cluster', 'lab', '--timeout', '30s']);
    expect(r.code, r.stderr).toBe(0);
    expect(lab.events.filter((e) => e.type === 'talos-reset').map((e) => e.object)).toEqual(['w1', 'cp1']);
    expect(r.record!.commands.filter((c) => c.argv.includes('reset')).every((c) => c.argv.includes('--graceful=false'))).toBe(true);
    const again = await lab.run(['talos:reset-cluster', '--cluster', 'lab', '--yes', '--confirm-cluster', 'lab']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.record!.steps.map((s) => s.status)).toEqual(['skipped', 'skipped']);
  });
});
