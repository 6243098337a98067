import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTalconfig } from '../../lib/config/talconfig.ts';
import { extensionChange } from '../../lib/talos/extensions.ts';
import { imageSchematic, schematicId } from '../../lib/talos/schematic.ts';

const VANILLA = '376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba';
// the id factory.talos.dev hands out for officialExtensions [siderolabs/qemu-guest-agent] (Talos Proxmox guides)
const QEMU = 'ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515';

describe('schematic ids computed offline as Image Factory does', () => {
  it('matches the ids the factory hands out', () => {
    expect(schematicId({})).toEqual({ id: VANILLA });
    expect(schematicId({ customization: {} })).toEqual({ id: VANILLA });
    expect(schematicId({ customization: { systemExtensions: { officialExtensions: ['siderolabs/qemu-guest-agent'] } } })).toEqual({ id: QEMU });
  });
  it('a field it cannot reproduce makes the id unknown, never a wrong id', () => {
    expect(schematicId({ customization: { secureboot: { includeWellKnownCertificates: true } } })).toEqual({ unknown: expect.stringContaining('customization.secureboot') });
  });
  it('reads the schematic of factory installer references only', () => {
    expect(imageSchematic(`factory.talos.dev/installer/${QEMU}:v1.12.2`)).toBe(QEMU);
    expect(imageSchematic(`factory.talos.dev/metal-installer/${QEMU}:v1.12.2`)).toBe(QEMU);
    expect(imageSchematic('ghcr.io/siderolabs/installer:v1.12.2')).toBeUndefined();
  });
  it('names what an installer would change on a node', () => {
    expect(extensionChange({ schematic: QEMU, names: ['qemu-guest-agent'] }, `factory.talos.dev/installer/${QEMU}:v1.12.2`)).toBeUndefined();
    expect(extensionChange({ schematic: QEMU, names: ['qemu-guest-agent'] }, `factory.talos.dev/installer/${VANILLA}:v1.12.2`)).toBe(`schematic ce4c980550dd… (qemu-guest-agent) -> 376567988ad3… (no extensions)`);
    expect(extensionChange({ names: ['i915'] }, 'ghcr.io/siderolabs/installer:v1.12.2')).toContain('extensions i915 -> no extensions (ghcr.io/siderolabs/installer:v1.12.2 is not an Image Factory installer)');
    expect(extensionChange({ names: [] }, 'ghcr.io/siderolabs/installer:v1.12.2')).toBeUndefined();
  });
});

describe('talconfig schematics, role defaults and patch files', () => {
  it('a node\'s schematic (or its role\'s) gives its installer and extensions; registerWithFQDN in an @file patch counts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-tal-'));
    writeFileSync(join(dir, 'fqdn.yaml'), 'machine:\n  kubelet:\n    registerWithFQDN: true\n');
    writeFileSync(join(dir, 'talconfig.yaml'), `clusterName: home
talosVersion: v1.12.2
nodes:
  - hostname: cp1.home.arpa
    ipAddress: 10.0.0.11
    controlPlane: true
  - hostname: gpu1.home.arpa
    ipAddress: 10.0.0.21
    schematic:
      customization:
        systemExtensions:
          officialExtensions: [siderolabs/qemu-guest-agent]
    patches: ['@./fqdn.yaml']
  - hostname: w2.home.arpa
    ipAddress: 10.0.0.22
controlPlane:
  talosImageURL: factory.talos.dev/installer/${'c'.repeat(64)}
worker:
  schematic:
    customization:
      extraKernelArgs: [net.ifnames=0]
`);
    const t = await readTalconfig(join(dir, 'talconfig.yaml'), {});
    expect(t.nodes).toEqual([
      { name: 'cp1', hostname: 'cp1.home.arpa', address: '10.0.0.11', role: 'controlplane', installer: `factory.talos.dev/installer/${'c'.repeat(64)}` },
      { name: 'gpu1.home.arpa', address: '10.0.0.21', role: 'worker', installer: `factory.talos.dev/installer/${QEMU}`, extensions: ['siderolabs/qemu-guest-agent'] },
      { name: 'w2', hostname: 'w2.home.arpa', address: '10.0.0.22', role: 'worker', installer: expect.stringMatching(/^factory\.talos\.dev\/installer\/[0-9a-f]{64}$/), extensions: [] },
    ]);
  });
  it('a missing @file patch names the field and the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-tal-'));
    writeFileSync(join(dir, 'talconfig.yaml'), 'clusterName: home\nnodes:\n  - hostname: cp1\n    ipAddress: 10.0.0.11\n    controlPlane: true\n    patches: ["@./patches/cp1.yaml"]\n');
    await expect(readTalconfig(join(dir, 'talconfig.yaml'), {})).rejects.toThrow(/nodes\[0\]\.patches\[0\]: .*patches\/cp1\.yaml does not exist/);
  });
});
