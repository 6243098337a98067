// node:drain and node:uncordon on a two-node lab: a PodDisruptionBudget that allows no disruption refuses the drain
// before anything is cordoned (exit 3); without it the node is cordoned, marked and emptied of its app pods within
// the deadline; node:uncordon names who cordoned it and removes the mark; an operator's own cordon stays theirs.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

const FLUX = fileURLToPath(new URL('../../lab/topologies/flux.yaml', import.meta.url));

describe('node:drain / node:uncordon', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => { lab = await withLab({ topology: FLUX }); });
  afterAll(async () => { await lab?.stop(); });
  const node = (n: string) => lab.store.get('nodes', undefined, n);
  const gatusNode = () => lab.store.list('pods', { namespace: 'observability' }).items.find((p) => p.metadata.name?.startsWith('gatus-'))?.spec?.nodeName as string;

  it('a PDB allowing no disruption refuses the drain (exit 3) before anything is cordoned', async () => {
    const where = gatusNode();
    lab.store.create('poddisruptionbudgets.policy', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'gatus', namespace: 'observability' }, spec: { minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'gatus' } } } });
    await lab.settled();
    const r = await lab.run(['node:drain', '--cluster', 'lab', '--node', where, '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('observability/gatus');
    expect(node(where).spec?.unschedulable).toBeFalsy();
    lab.store.delete('poddisruptionbudgets.policy', 'observability', 'gatus');
  });

  it('drains within the deadline and marks the node; node:uncordon names the mark and removes it', async () => {
    const where = gatusNode();
    const r = await lab.run(['node:drain', '--cluster', 'lab', '--node', where, '--yes', '--timeout', '60s']);
    expect(r.code, r.stderr).toBe(0);
    expect(node(where).spec?.unschedulable).toBe(true);
    expect(node(where).metadata.annotations?.['rackhand.dev/cordoned-by']).toMatch(/^node:drain \d{4}-/);
    // evicted: no pod of the app is left on the drained node
    expect(lab.store.list('pods', { namespace: 'observability' }).items.filter((p) => p.spec?.nodeName === where && !p.metadata.deletionTimestamp)).toEqual([]);
    const u = await lab.run(['node:uncordon', '--cluster', 'lab', '--node', where]);
    expect(u.code, u.stderr).toBe(0);
    expect(u.stderr).toMatch(/was cordoned by node:drain \d{4}-/);
    expect(node(where).spec?.unschedulable).toBeFalsy();
    expect(node(where).metadata.annotations?.['rackhand.dev/cordoned-by']).toBeUndefined();
    // cordoned by hand: node:drain drains it but does not mark it as its own
    const n = node(where);
    lab.store.update('nodes', { ...n, spec: { ...n.spec, unschedulable: true } });
    const again = await lab.run(['node:drain', '--cluster', 'lab', '--node', where, '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('was cordoned already (not by this run); drained');
    expect(node(where).metadata.annotations?.['rackhand.dev/cordoned-by']).toBeUndefined();
  });
});
