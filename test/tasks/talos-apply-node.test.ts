import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

const FILE = `${process.cwd()}/test/testdata/talos/worker.yaml`;

describe('talos:apply-node against the lab (Talos v1.13, w3 in maintenance mode)', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => { lab = await withLab({ topology: 'test/lab/talos.topology.yaml', rebootMs: 400 }); });
  afterAll(async () => { await lab?.stop(); });

  it('a maintenance-mode node gets its config through --insecure, installs, registers and turns Ready', async () => {
    const r = await lab.run(['talos:apply-node', '--node', 'w3', '--file', FILE, '--yes']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('talosctl apply-config --dry-run on w3 (maintenance):');
    const argv = r.record!.commands.map((c) => c.argv.slice(3).join(' '));
    expect(argv).toContain(`--nodes 10.5.0.23 apply-config --file ${FILE} --mode auto --insecure --dry-run`);
    expect(argv).toContain(`--nodes 10.5.0.23 apply-config --file ${FILE} --mode auto --insecure`);
    expect(lab.events.filter((e) => e.type === 'talos-apply-config').map((e) => `${e.object} ${e.detail}`)).toEqual(['w3 auto (insecure)']);
    const { execa } = await import('execa');
    const ready = await execa('kubectl', ['get', 'node', 'w3', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'], { env: { ...process.env, ...lab.env } });
    expect(ready.stdout).toBe('True');
  });

  it('a configured node shows the dry-run diff first; once applied, a re-run has nothing to do', async () => {
    const first = await lab.run(['talos:apply-node', '--node', 'w1', '--file', FILE, '--yes']);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('Dry run summary:');
    expect(first.record!.commands.map((c) => c.argv.slice(3).join(' '))).toContain(`--nodes 10.5.0.21 apply-config --file ${FILE} --mode auto`);
    const again = await lab.run(['talos:apply-node', '--node', 'w1', '--file', FILE, '--yes']);
    expect(again.code).toBe(0);
    expect(again.record!.result).toBe('nothing-to-do');
    expect(again.stderr).toContain('No changes.');
    expect(again.record!.commands.filter((c) => c.mutating)).toEqual([]);
  });

  it('a missing config file is bad input: exit 2, nothing run', async () => {
    const r = await lab.run(['talos:apply-node', '--node', 'w1', '--file', 'nope.yaml', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--file: no machine config at ${lab.dir}/nope.yaml`);
    expect(r.record!.commands).toEqual([]);
  });
});
