// volsync:suspend-all and volsync:resume-all: every ReplicationSource paused for maintenance and marked; one the
// operator paused by hand is neither marked nor unpaused afterwards.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

const RS = 'replicationsources.volsync.backube';
const TOPOLOGY = `cluster: lab
versions: { kubernetes: v1.31.4, talos: v1.12.1 }
nodes:
  - { name: cp1, address: 10.9.0.11, role: controlplane }
  - { name: w1, address: 10.9.0.21, role: worker }
namespaces: [apps, media, flux-system, volsync-system]
volsyncApps:
  - { name: wiki, namespace: apps, paused: true }
  - { name: sonarr, namespace: media, paused: false, schedule: "0 3 * * *" }
  - { name: radarr, namespace: media, paused: true }
`;

describe('volsync:suspend-all / volsync:resume-all', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rackhand-topology-'));
    await writeFile(join(dir, 'pause.yaml'), TOPOLOGY);
    lab = await withLab({ topology: join(dir, 'pause.yaml') });
    // wiki was paused by the operator on purpose; radarr is unpaused now so the suspend pauses it
    const r = lab.store.get(RS, 'media', 'radarr');
    lab.store.update(RS, { ...r, spec: { ...r.spec, paused: false } });
  });
  afterAll(async () => { await lab?.stop(); });
  const state = () => lab.store.list(RS).items.map((r) => `${r.metadata.namespace}/${r.metadata.name} ${r.spec?.paused ? 'paused' : 'running'} ${r.metadata.annotations?.['rackhand.dev/paused-by'] ?? '-'}`).sort();

  it('pauses and marks what runs, leaves the operator\'s pause unmarked, and resumes only what it paused', async () => {
    const s = await lab.run(['volsync:suspend-all', '--cluster', 'lab', '--yes']);
    expect(s.code, s.stderr).toBe(0);
    expect(state()).toEqual(['apps/wiki paused -', 'media/radarr paused volsync:suspend-all', 'media/sonarr paused volsync:suspend-all']);
    const r = await lab.run(['volsync:resume-all', '--cluster', 'lab']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('left paused (not paused by rackhand): apps/wiki');
    expect(state()).toEqual(['apps/wiki paused -', 'media/radarr running -', 'media/sonarr running -']);
    const again = await lab.run(['volsync:resume-all', '--cluster', 'lab']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('no ReplicationSource paused by rackhand');
  });

  it('volsync:backup-all backs up every running source now, two at a time; the paused one is named and left out; schedules kept', async () => {
    expect((await lab.run(['volsync:backup-all', '--cluster', 'lab', '--parallel', '0'])).code).toBe(2);
    const r = await lab.run(['volsync:backup-all', '--cluster', 'lab', '--timeout', '60s']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('left out (paused): apps/wiki');
    expect(r.stdout).toMatch(/^media\/radarr\s+Successful/m);
    expect(r.stdout).toMatch(/^media\/sonarr\s+Successful/m);
    const sonarr = lab.store.get(RS, 'media', 'sonarr');
    expect(sonarr.spec.trigger).toEqual({ schedule: '0 3 * * *' });
    expect(sonarr.status?.latestMoverStatus?.result).toBe('Successful');
    expect(lab.store.get(RS, 'apps', 'wiki').status?.lastManualSync).toBeUndefined();
  });
});
