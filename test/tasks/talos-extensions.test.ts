// A node's system extensions survive an upgrade or the upgrade is refused: the lab's w1 runs a GPU schematic
// (i915 + intel-ucode) that `talosctl get extensions` reports; an installer of another schematic would remove them.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOPOLOGY } from '../../lab/topology.ts';
import { schematicId } from '../../lib/talos/schematic.ts';
import { withLab } from '../helpers/lab.ts';

const GPU_SCHEMATIC = { customization: { systemExtensions: { officialExtensions: ['siderolabs/i915', 'siderolabs/intel-ucode'] } } };
const gpu = (schematicId(GPU_SCHEMATIC) as { id: string }).id;
const VANILLA = '376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba';

/** the default topology with w1 on the GPU schematic (optionally already at `version`) */
function topology(version?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rh-ext-'));
  const text = readFileSync(DEFAULT_TOPOLOGY, 'utf8')
    .replace('{ name: w1, address: 10.5.0.21, role: worker }', `{ name: w1, address: 10.5.0.21, role: worker, talos: { schematic: ${gpu}${version ? `, version: ${version}` : ''} } }`)
    .replace(/^nodes:/m, `schematics:\n  ${gpu}: [siderolabs/i915, siderolabs/intel-ucode]\nnodes:`);
  writeFileSync(join(dir, 'topology.yaml'), text);
  return join(dir, 'topology.yaml');
}

const upgrades = (r: { record?: { commands: { argv: string[] }[] } }) => r.record!.commands.filter((c) => c.argv.includes('upgrade')).map((c) => c.argv[c.argv.indexOf('--nodes') + 1]);

describe('talos:upgrade-node and system extensions', () => {
  it('refuses (exit 3) an installer that would remove a node\'s extensions, naming node, schematics and extensions', async () => {
    const lab = await withLab({ topology: topology() });
    try {
      const r = await lab.run(['talos:upgrade-node', '--all', '--to', 'v1.12.2', '--dry-run', '--ignore-pdbs']);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toContain(`w1: schematic ${gpu.slice(0, 12)}… (i915, intel-ucode) -> ${VANILLA.slice(0, 12)}… (no extensions)`);
      expect(r.stderr).toContain('--accept-extension-change');
      expect(upgrades(r)).toEqual([]);
      expect(r.record!.commands.some((c) => c.argv.join(' ').includes('get extensions --output json'))).toBe(true);
    } finally {
      await lab.stop();
    }
  });

  it('the node\'s own installer (talconfig schematic, hashed like Image Factory) keeps them: the plan passes', async () => {
    const lab = await withLab({ topology: topology() });
    try {
      const talconfig = join(lab.dir, 'talconfig.yaml');
      await writeFile(talconfig, [
        'clusterName: lab', 'talosVersion: v1.12.2', 'kubernetesVersion: v1.31.4', 'endpoint: https://10.5.0.10:6443', 'nodes:',
        ...['cp1:10.5.0.11:true', 'cp2:10.5.0.12:true', 'cp3:10.5.0.13:true', 'w1:10.5.0.21:false', 'w2:10.5.0.22:false'].map((s) => {
          const [h, ip, cp] = s.split(':');
          const own = h === 'w1' ? '\n    schematic:\n      customization:\n        systemExtensions:\n          officialExtensions:\n            - siderolabs/i915\n            - siderolabs/intel-ucode' : '';
          return `  - hostname: ${h}\n    ipAddress: ${ip}\n    controlPlane: ${cp}${own}`;
        }),
      ].join('\n'));
      const cfg = await readFile(lab.configPath, 'utf8');
      await writeFile(lab.configPath, cfg.replace(/\n    nodes:\n(      - .*\n)+/, `\n    talconfig: ${talconfig}\n`));
      const r = await lab.run(['talos:upgrade-node', '--all', '--to', 'v1.12.2', '--dry-run', '--ignore-pdbs']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.record!.checks.find((c) => c.name.startsWith('each node keeps its system extensions'))).toMatchObject({ ok: true, message: 'the installers keep every node\'s extensions' });
      expect((r.record!.data.images as Record<string, string>).w1).toBe(`factory.talos.dev/installer/${gpu}:v1.12.2`);
      expect((r.record!.data.images as Record<string, string>).w2).toBe(`factory.talos.dev/installer/${VANILLA}:v1.12.2`);
      // the plan shows each node's target next to what it runs now
      expect(r.stderr).toContain(`node w1 (10.5.0.21, worker) is upgraded to factory.talos.dev/installer/${gpu}:v1.12.2 and reboots, unless it already runs v1.12.2; it runs v1.12.1, schematic ${gpu.slice(0, 12)}…, i915, intel-ucode now`);
    } finally {
      await lab.stop();
    }
  });

  it('--accept-extension-change upgrades even a node already at the target version when its schematic differs', async () => {
    const lab = await withLab({ topology: topology('v1.12.2') });
    try {
      const w1 = () => lab.talos.machines.find((m) => m.name === 'w1')!;
      const refused = await lab.run(['talos:upgrade-node', '--node', 'w1', '--to', 'v1.12.2', '--yes', '--ignore-pdbs']);
      expect(refused.code).toBe(3);
      expect(w1().schematic).toBe(gpu);
      const r = await lab.run(['talos:upgrade-node', '--node', 'w1', '--to', 'v1.12.2', '--yes', '--ignore-pdbs', '--accept-extension-change']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.record!.steps.find((s) => s.title.startsWith('upgrade worker w1'))).toMatchObject({ status: 'done', title: expect.stringContaining('same version; schematic') });
      expect(w1().schematic).toBe(VANILLA);
      expect(lab.talos.extensions(w1()).map((e) => e.name)).toEqual(['schematic']);
      // the next run has nothing to do
      const again = await lab.run(['talos:upgrade-node', '--node', 'w1', '--to', 'v1.12.2', '--yes', '--ignore-pdbs']);
      expect(again.code, again.stderr).toBe(0);
      expect(upgrades(again)).toEqual([]);
    } finally {
      await lab.stop();
    }
  });
});
