import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';

describe('rackhand.example.yaml', () => {
  it('is valid and its talhelper cluster takes five nodes from talos/lab/talconfig.yaml', async () => {
    const cfg = await loadConfig(`${process.cwd()}/rackhand.example.yaml`);
    expect([...cfg.clusters.keys()]).toEqual(['home', 'lab', 'infra', 'apps', 'edge']);
    const lab = cfg.clusters.get('lab')!;
    expect(lab.nodes.map((n) => `${n.name}/${n.role}`)).toEqual(['cp1/controlplane', 'cp2/controlplane', 'cp3/controlplane', 'w1/worker', 'w2/worker']);
    expect(lab.versions).toEqual({ talos: 'v1.12.1', kubernetes: 'v1.31.4' });
  });

  it('its example clusters infra and apps take their nodes from talos/<cluster>/talconfig.yaml and point at bootstrap/<cluster>', async () => {
    const cfg = await loadConfig(`${process.cwd()}/rackhand.example.yaml`);
    expect(cfg.clusters.get('infra')!.nodes.map((n) => n.name)).toEqual(['infra-cp1', 'infra-cp2', 'infra-cp3', 'infra-w1']);
    expect(cfg.clusters.get('apps')!.nodes.map((n) => n.name)).toEqual(['apps-cp1', 'apps-w1', 'apps-w2']);
    expect(cfg.clusters.get('apps')!.bootstrap).toBe(`${process.cwd()}/bootstrap/apps`);
  });
});
