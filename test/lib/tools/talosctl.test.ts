import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseTable } from '../../../lib/tools/table-parse.ts';
import {
  parseClientVersion, parseConcatenatedJson, parseServerVersions, upgradeArgs, upgradeGeneration,
} from '../../../lib/tools/talosctl.ts';

const sample = (name: string) => readFile(`test/testdata/talosctl/${name}`, 'utf8');

describe('talosctl parsers (recorded output shapes)', () => {
  it('reads every node\'s Tag from a multiplexed `talosctl version`', async () => {
    expect([...parseServerVersions(await sample('version-multi.txt'))]).toEqual([['10.5.0.11', 'v1.12.1'], ['10.5.0.12', 'v1.12.2']]);
  });

  it.each([
    ['Client:\nTalos v1.13.2\n', 'v1.13.2'],
    ['Client:\n\tTag:         v1.12.1\n\tSHA:         5c0d3a3a\n', 'v1.12.1'],
    ['Client:\n', undefined],
  ])('client version from %j', (text, v) => expect(parseClientVersion(text)).toBe(v));

  it('splits concatenated pretty-printed JSON objects (get -o json), braces inside strings included', async () => {
    const docs = parseConcatenatedJson<{ node: string; spec: { status: { ready: boolean; unmetConditions?: { reason: string }[] } } }>(await sample('machinestatus.json'));
    expect(docs.map((d) => [d.node, d.spec.status.ready])).toEqual([['10.5.0.11', false], ['10.5.0.12', true]]);
    expect(docs[0]!.spec.status.unmetConditions![0]!.reason).toBe('node not ready: {"ready": false}');
  });

  it('cuts tabwriter tables at header offsets, keeping cells with spaces whole', async () => {
    const rows = parseTable(await sample('etcd-status.txt'));
    expect(rows.map((r) => [r.NODE, r['DB SIZE'], r['IN USE'], r.ERRORS])).toEqual([
      ['10.5.0.11', '20 MB', '10 MB (50.00%)', ''],
      ['10.5.0.12', '20 MB', '10 MB (50.00%)', 'etcdserver: no leader'],
    ]);
  });
});

describe('talosctl upgrade argv per generation', () => {
  it.each([['v1.12.4', 'node-drains'], ['v1.13.0', 'talosctl-drains'], ['v1.14.0-beta.1', 'talosctl-drains'], ['v1.8.0', 'node-drains']])(
    'client %s => %s', (v, g) => expect(upgradeGeneration(v)).toBe(g));

  const image = 'factory.talos.dev/installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba:v1.12.2';
  it('<= v1.12: the node drains itself; rackhand does not wait inside talosctl', () => {
    expect(upgradeArgs('10.5.0.11', { image, rebootMode: 'default', generation: 'node-drains', drainTimeoutMs: 300_000, timeoutMs: 600_000 }))
      .toEqual(['--nodes', '10.5.0.11', 'upgrade', '--image', image, '--reboot-mode', 'default', '--wait=false']);
  });
  it('>= v1.13: talosctl drains with a deadline and waits', () => {
    expect(upgradeArgs('10.5.0.21', { image, rebootMode: 'powercycle', generation: 'talosctl-drains', drainTimeoutMs: 300_000, timeoutMs: 600_000 }))
      .toEqual(['--nodes', '10.5.0.21', 'upgrade', '--image', image, '--reboot-mode', 'powercycle', '--drain', '--drain-timeout=300s', '--timeout=600s']);
  });
});
