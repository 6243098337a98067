// node:remove on the Talos lab (3 control planes, 2 workers): a control plane whose removal would leave etcd
// without quorum among the Ready rest is refused before anything changes; the plan for a worker resets it
// gracefully (it leaves etcd, back to maintenance mode) and deletes its Node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

describe('node:remove on a Talos cluster', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => { lab = await withLab(); });
  afterAll(async () => { await lab?.stop(); });

  it('refuses a control plane whose removal breaks etcd quorum (exit 3); the dry run of a worker shows the reset', async () => {
    lab.faults.setNodeReady('cp2', false);
    const r = await lab.run(['node:remove', '--cluster', 'lab', '--node', 'cp3', '--yes', '--confirm-cluster', 'lab']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('without cp3, 1 of 2 remaining control planes are Ready; etcd needs 2');
    lab.faults.setNodeReady('cp2', true);
    const dry = await lab.run(['node:remove', '--cluster', 'lab', '--node', 'w2', '--dry-run', '--ignore-pdbs']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toMatch(/\[dry-run\] talosctl .*--nodes 10\.5\.0\.22 reset --graceful=true --reboot --system-labels-to-wipe STATE --system-labels-to-wipe EPHEMERAL/);
    expect(dry.stderr).toMatch(/\[dry-run\] kubectl .*delete node w2/);
    expect(lab.events.filter((e) => /talos-reset|node-cordoned/.test(e.type))).toEqual([]);
  });
});
