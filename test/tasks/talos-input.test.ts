import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

// Bad input to Talos tasks: exit 2, the field named with the expected form, and not one command run.
describe('talos tasks refuse bad input before running anything', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => { lab = await withLab(); });
  afterAll(async () => { await lab?.stop(); });

  it.each([
    [['--node', 'cp9'], '--node: no node "cp9" in cluster lab; expected one of cp1, cp2, cp3, w1, w2'],
    [['--node', 'cp1;reboot'], '--node: expected a node name (or its address) from rackhand.yaml, e.g. cp1 (got "cp1;reboot")'],
    [['--node', '$(rm -rf ~)'], '--node: expected a node name (or its address) from rackhand.yaml, e.g. cp1 (got "$(rm -rf ~)")'],
    [['--all', '--to', '1.2'], '--to: expected a version like v1.12.3 (got "1.2")'],
    [['--all', '--node', 'cp1'], 'expected exactly one of --node NAME or --all'],
    [[], 'expected exactly one of --node NAME or --all'],
    [['--all', '--reboot-mode', 'hard'], '--reboot-mode: expected one of default, powercycle (got "hard")'],
    [['--all', '--timeout-per-node', 'forever'], '--timeout-per-node: expected a duration like 30s, 10m or 1h30m (got "forever")'],
    [['--all', '--to', 'v1.12.2', '--image', 'factory.talos.dev/installer/abc:v1.12.3'], '--image: its tag must be the target version v1.12.2'],
  ])('talos:upgrade-node %j', async (args, message) => {
    const r = await lab.run(['talos:upgrade-node', '--cluster', 'lab', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.record?.commands).toEqual([]);
  });

  it('talos:etcd-snapshot --node must be a control plane', async () => {
    const r = await lab.run(['talos:etcd-snapshot', '--node', 'w1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--node: expected a control plane of lab (cp1, cp2, cp3)');
    expect(r.record?.commands).toEqual([]);
  });
});

describe('talos:image', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => { lab = await withLab(); });
  afterAll(async () => { await lab?.stop(); });

  it('prints the schematic, installer image and ISO URL for the configured version, running nothing', async () => {
    const r = await lab.run(['talos:image', '--version', 'v1.12.2']);
    expect(r.code).toBe(0);
    const s = '376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba';
    expect(r.stdout).toContain(`schematic: ${s}\n`);
    expect(r.stdout).toContain(`installer: factory.talos.dev/installer/${s}:v1.12.2\n`);
    expect(r.stdout).toContain(`iso:       https://factory.talos.dev/image/${s}/v1.12.2/metal-amd64.iso`);
    expect(r.record?.commands.filter((c) => c.argv[0] !== 'kubectl')).toEqual([]);
  });
});
