// cluster:snapshot and cluster:restore on the Talos lab: the snapshot is taken with talosctl and kept with its
// sidecar; the restore wipes etcd's data on every control plane (EPHEMERAL only: they stay configured), recovers
// etcd on the first from the snapshot (talosctl bootstrap --recover-from), and everything written since is gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

describe('cluster:restore on a Talos cluster', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => { lab = await withLab({ rebootMs: 500 }); });
  afterAll(async () => { await lab?.stop(); });

  it('recovers etcd from the snapshot on the first control plane after wiping every control plane\'s etcd data', async () => {
    const snap = await lab.run(['cluster:snapshot', '--cluster', 'lab']);
    expect(snap.code, snap.stderr).toBe(0);
    const copy = snap.record!.data.etcdSnapshot as { name: string; path: string; revision: number; keys: number };
    expect(copy.keys).toBeGreaterThan(10);
    lab.store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'written-after', namespace: 'default' }, data: { a: '1' } });

    const r = await lab.run(['cluster:restore', '--cluster', 'lab', '--snapshot', copy.name, '--yes', '--confirm-cluster', 'lab', '--timeout', '60s']);
    expect(r.code, r.stderr).toBe(0);
    const resets = lab.events.filter((e) => e.type === 'talos-reset').map((e) => `${e.object} ${e.detail}`);
    expect(resets).toEqual(['cp1 EPHEMERAL', 'cp2 EPHEMERAL', 'cp3 EPHEMERAL']);
    expect(lab.events.filter((e) => e.type === 'talos-etcd-recover').map((e) => e.object)).toEqual(['cp1']);
    expect(lab.store.find('configmaps', 'default', 'written-after')).toBeUndefined();
    // every control plane stayed configured and is an etcd member again; every node is Ready
    expect(lab.talos.machines.filter((m) => m.controlPlane).map((m) => `${m.name} ${m.configured} ${!!m.etcd}`)).toEqual(['cp1 true true', 'cp2 true true', 'cp3 true true']);
    expect(lab.store.list('nodes').items.every((n) => (n.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True'))).toBe(true);
    expect(r.record!.data.restore).toMatchObject({ withinTarget: true });
  });
});
