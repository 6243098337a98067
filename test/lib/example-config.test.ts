import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';

describe('rackhand.example.yaml', () => {
  it('is valid and its talhelper cluster takes five nodes from talos/lab/talconfig.yaml', async () => {
    const cfg = await loadConfig(`${process.cwd()}/rackhand.example.yaml`);
    expect([...cfg.clusters.keys()]).toEqual(['home', 'lab']);
    const lab = cfg.clusters.get('lab')!;
    expect(lab.nodes.map((n) => `${n.name}/${n.role}`)).toEqual(['cp1/controlplane', 'cp2/controlplane', 'cp3/controlplane', 'w1/worker', 'w2/worker']);
    expect(lab.versions).toEqual({ talos: 'v1.12.1', kubernetes: 'v1.31.4' });
  });
});
