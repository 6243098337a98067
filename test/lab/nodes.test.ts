// Node faults and reboots: what kubectl shows, what happens to the pods and the PDB, and the /_lab/ side channel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/lab.js';
import { isPodReady } from '../../lab/kinds/pdb.js';
import { closeLab, ok, openLab, rows, until } from './kubectl.js';

let lab: Lab;
beforeAll(async () => { lab = await openLab({ rebootMs: 1200 }); });
afterAll(async () => closeLab(lab));

const status = async (node: string) => rows(await ok(lab, 'get', 'node', node))[1]![1];
const pdb = () => lab.store.get('poddisruptionbudgets.policy', 'default', 'web').status;

describe('node faults and reboots', () => {
  it('a node set NotReady shows NotReady, its pods lose Ready and the web PDB counts one healthy pod fewer', async () => {
    expect(pdb()).toMatchObject({ currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0, expectedPods: 2 });
    lab.faults.setNodeReady('w1', false);
    await until('w1 NotReady', async () => (await status('w1')) === 'NotReady');
    const onW1 = lab.store.list('pods', { fieldSelector: 'spec.nodeName=w1' }).items;
    await until('pods on w1 not ready', () => lab.store.list('pods', { fieldSelector: 'spec.nodeName=w1' }).items.every((p) => !isPodReady(p)));
    expect(onW1.length).toBeGreaterThan(0);
    await until('PDB follows', () => pdb().currentHealthy === 1);
    expect(lab.store.get('nodes', undefined, 'w1').spec.taints).toContainEqual({ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' });
    lab.faults.setNodeReady('w1', true);
    await until('w1 Ready', async () => (await status('w1')) === 'Ready');
    await until('PDB healthy again', () => pdb().currentHealthy === 2);
    expect(lab.events.filter((e) => e.object === 'w1').map((e) => e.type)).toEqual(expect.arrayContaining(['node-not-ready', 'node-ready']));
  });

  it('a reboot makes the node NotReady, then Ready within the deadline with a new boot id and restarted pods', async () => {
    const before = lab.store.get('nodes', undefined, 'w2').status.nodeInfo.bootID;
    const started = Date.now();
    const done = lab.nodes.reboot('w2');
    await until('w2 NotReady', async () => (await status('w2')) === 'NotReady', 1000);
    await done;
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(1200);
    expect(took).toBeLessThan(4000);
    expect(await status('w2')).toBe('Ready');
    expect(lab.store.get('nodes', undefined, 'w2').status.nodeInfo.bootID).not.toBe(before);
    await until('pods on w2 ready and restarted', () => lab.store.list('pods', { fieldSelector: 'spec.nodeName=w2' }).items
      .every((p) => isPodReady(p) && p.status.containerStatuses[0].restartCount === 1));
    const types = lab.events.filter((e) => e.object === 'w2').map((e) => e.type);
    expect(types.slice(types.indexOf('node-reboot-start'))).toEqual(['node-reboot-start', 'node-not-ready', 'node-reboot-end', 'node-ready']);
  });

  it('the /_lab/ side channel reboots nodes, injects faults and serves the event log', async () => {
    let r = await fetch(`${lab.url}/_lab/nodes/cp3/reboot?ms=300`, { method: 'POST' });
    expect(r.status).toBe(202);
    await until('cp3 reboot end', () => lab.events.some((e) => e.type === 'node-reboot-end' && e.object === 'cp3'), 3000);
    r = await fetch(`${lab.url}/_lab/faults`, { method: 'POST', body: JSON.stringify({ type: 'node-ready', node: 'cp1', ready: false }) });
    expect(r.status).toBe(200);
    await until('cp1 NotReady', async () => (await status('cp1')) === 'NotReady');
    r = await fetch(`${lab.url}/_lab/faults`, { method: 'POST', body: JSON.stringify({ type: 'node-ready', node: 'nope', ready: false }) });
    expect(r.status).toBe(404);
    r = await fetch(`${lab.url}/_lab/faults`, { method: 'POST', body: JSON.stringify({ type: 'gremlins' }) });
    expect(r.status).toBe(400);
    const events = (await (await fetch(`${lab.url}/_lab/events`)).json()) as { type: string; object: string }[];
    expect(events).toContainEqual(expect.objectContaining({ type: 'node-reboot-start', object: 'cp3' }));
  });
});
