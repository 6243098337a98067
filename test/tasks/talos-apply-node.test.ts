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

  it('secrets in the dry-run diff (both the running config and the new one) never reach output or the run record', async () => {
    const { readFile, writeFile } = await import('node:fs/promises');
    const base = await readFile(FILE, 'utf8');
    const withSecrets = (tag: string) => base.replace('machine:\n  type: worker\n', `machine:\n  type: worker\n  token: ${tag}tok.0123456789abcdef\n  ca:\n    crt: ${tag}CERTDATA\n    key: ${tag}KEYDATA\n`)
      .replace('cluster:\n', `cluster:\n  secret: ${tag}clustersecret\n  secretboxEncryptionSecret: ${tag}secretbox=\n`);
    const a = `${lab.dir}/w2-a.yaml`;
    const b = `${lab.dir}/w2-b.yaml`;
    await writeFile(a, withSecrets('old'));
    await writeFile(b, withSecrets('new'));
    expect((await lab.run(['talos:apply-node', '--node', 'w2', '--file', a, '--yes'])).code).toBe(0);
    const r = await lab.run(['talos:apply-node', '--node', 'w2', '--file', b, '--yes', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Config diff:');
    expect(r.stderr).toMatch(/^\s*[-+]?\s*token: \*\*\*$/m);
    const all = `${r.stdout}${r.stderr}${JSON.stringify(r.record)}`;
    for (const tag of ['old', 'new']) {
      for (const v of [`${tag}tok.0123456789abcdef`, `${tag}CERTDATA`, `${tag}KEYDATA`, `${tag}clustersecret`, `${tag}secretbox=`]) expect(all).not.toContain(v);
    }
  });

  it.each([
    ['hello: world\n', 'not a Talos machine config: no document with `version: v1alpha1`'],
    ['version: v1alpha1\nmachine:\n  type: controlplane\ncluster: {}\n', 'machine.type: the file is for a controlplane, the node is a worker'],
    ['version: v1alpha1\nmachine: {}\ncluster: {}\n', 'machine.type: missing (expected controlplane or worker)'],
    ['version: v1alpha1\nmachine:\n  type: worker\n', 'cluster: missing'],
    ['version: v1alpha1\nmachine: [unclosed\n', 'not YAML'],
  ])('a file that is not a machine config for the node (%j) is bad input: exit 2 naming the field, talosctl never runs', async (text, message) => {
    const { writeFile } = await import('node:fs/promises');
    const f = `${lab.dir}/bad.yaml`;
    await writeFile(f, text);
    const r = await lab.run(['talos:apply-node', '--node', 'w1', '--file', f, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--file ${f}: ${message}`);
    expect(r.record!.commands).toEqual([]);
  });

  it('the lab\'s talosctl refuses a document that is not a machine config, as the real one does', async () => {
    const { writeFile } = await import('node:fs/promises');
    const { execa } = await import('execa');
    const f = `${lab.dir}/hello.yaml`;
    await writeFile(f, 'hello: world\n');
    const r = await execa('talosctl', ['--nodes', '10.5.0.21', 'apply-config', '--file', f], { env: { ...process.env, ...lab.env }, reject: false });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('failed to parse config: missing kind');
  });

  it('a missing config file is bad input: exit 2, nothing run', async () => {
    const r = await lab.run(['talos:apply-node', '--node', 'w1', '--file', 'nope.yaml', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--file: no machine config at ${lab.dir}/nope.yaml`);
    expect(r.record!.commands).toEqual([]);
  });
});
