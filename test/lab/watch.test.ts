// Watch streams as kubectl uses them: synthetic ADDED at RV 0, replay from a list RV, and `kubectl get -w`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import type { Lab } from '../../lab/lab.js';
import { closeLab, KUBECTL, ok, openLab, until } from './kubectl.js';

let lab: Lab;
beforeAll(async () => { lab = await openLab(); });
afterAll(async () => closeLab(lab));

/** Reads watch events from a URL until `count` arrived, then aborts the request. */
async function readEvents(url: string, count: number): Promise<{ type: string; object: any }[]> {
  const ac = new AbortController();
  const res = await fetch(url, { signal: ac.signal });
  const out: { type: string; object: any }[] = [];
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      out.push(JSON.parse(buf.slice(0, i)));
      buf = buf.slice(i + 1);
    }
    if (out.length >= count) break;
  }
  ac.abort();
  return out;
}

describe('watch', () => {
  it('starts with synthetic ADDED events at resourceVersion 0', async () => {
    const evs = await readEvents(`${lab.url}/api/v1/nodes?watch=true&resourceVersion=0`, 5);
    expect(evs.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED cp1', 'ADDED cp2', 'ADDED cp3', 'ADDED w1', 'ADDED w2']);
  });

  it('replays the writes made after a list resourceVersion', async () => {
    const list = (await (await fetch(`${lab.url}/api/v1/namespaces/default/configmaps`)).json()) as any;
    await ok(lab, 'create', 'configmap', 'w', '--from-literal=a=1');
    await ok(lab, 'delete', 'configmap', 'w');
    const evs = await readEvents(`${lab.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${list.metadata.resourceVersion}`, 2);
    expect(evs.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
    const gone = await readEvents(`${lab.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1`, 1);
    expect(gone[0]).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });
  });

  it('kubectl get -w prints a row when a watched node changes', async () => {
    const proc = execa(KUBECTL, ['get', 'node', 'w2', '-w'], { env: lab.env, reject: false });
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    await until('first row', () => out.includes('w2'), 5000);
    lab.faults.setNodeReady('w2', false);
    await until('NotReady row', () => out.includes('NotReady'), 5000);
    proc.kill('SIGTERM');
    await proc;
    expect(out.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
    lab.faults.setNodeReady('w2', true);
  });
});
