// Machine configs rendered by a command (onedr0p/buroa/bjw-s: minijinja + `talosctl machineconfig patch`): rackhand
// runs the command (or pipeline) named in rackhand.yaml per node, keeps the output in memory and hands it to
// talosctl on stdin; a broken render refuses the run (exit 2) before talosctl is called.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

// a "template" renderer: prints a machine config for the role it is given, with a secret in it
const RENDER = `const [node, role] = process.argv.slice(2);
if (node === 'broken') { console.error('template error: undefined variable NODE_IP'); process.exit(3); }
process.stdout.write(['version: v1alpha1', 'machine:', '  type: ' + role, '  token: rendered.' + node + 'secrettoken', '  install:', '    disk: /dev/sda', 'cluster:', '  controlPlane:', '    endpoint: https://10.5.0.10:6443', ''].join('\\n'));`;
// a "patch" stage: reads the rendered config on stdin, adds the node's hostname (as talosctl machineconfig patch would)
const PATCH = `let t = ''; process.stdin.on('data', (d) => (t += d)).on('end', () => process.stdout.write(t.replace('machine:\\n', 'machine:\\n  network:\\n    hostname: ' + process.env.RACKHAND_NODE + '\\n')));`;

describe('talos:apply-node with machineConfig.render', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => {
    lab = await withLab({ topology: 'test/lab/talos.topology.yaml', rebootMs: 400 });
    await writeFile(join(lab.dir, 'render.mjs'), RENDER);
    await writeFile(join(lab.dir, 'patch.mjs'), PATCH);
  });
  afterAll(async () => { await lab?.stop(); });

  const useRender = async (render: string) => {
    const cfg = await readFile(lab.configPath, 'utf8');
    await writeFile(lab.configPath, cfg.replace(/\n    machineConfig:.*\n/, '\n').replace(/(\n  [a-z0-9-]+:\n)/, `$1    machineConfig: { render: ${render} }\n`));
  };

  it('applies the pipeline\'s output through stdin: no file, the secret never printed', async () => {
    await useRender(`[[node, render.mjs, "{node}", "{role}"], [node, patch.mjs]]`);
    const r = await lab.run(['talos:apply-node', '--node', 'w3', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    const argv = r.record!.commands.map((c) => c.argv.join(' '));
    expect(argv).toContain('node render.mjs w3 worker');
    expect(argv).toContain('node patch.mjs');
    expect(argv.some((a) => a.endsWith('--nodes 10.5.0.23 apply-config --file /dev/stdin --mode auto --insecure'))).toBe(true);
    expect(lab.talos.machines.find((m) => m.name === 'w3')!.config).toContain('hostname: w3');
    expect(`${r.stdout}${r.stderr}${JSON.stringify(r.record)}`).not.toContain('rendered.w3secrettoken');
    expect(r.stderr).toContain('apply the output of node render.mjs w3 worker | node patch.mjs to w3');
  });

  it('a render that fails or renders the wrong role is refused (exit 2), naming the command; talosctl is not called', async () => {
    await useRender(`[node, render.mjs, broken, "{role}"]`);
    const failed = await lab.run(['talos:apply-node', '--node', 'w1', '--yes']);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('machineConfig.render: node render.mjs broken worker exited 3 rendering w1\'s machine config: template error: undefined variable NODE_IP');
    expect(failed.record!.commands.filter((c) => c.argv.includes('apply-config'))).toEqual([]);
    await useRender(`[node, render.mjs, "{node}", controlplane]`);
    const wrong = await lab.run(['talos:apply-node', '--node', 'w1', '--yes']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('machine.type: the file is for a controlplane, the node is a worker');
    expect(wrong.record!.commands.filter((c) => c.argv.includes('apply-config'))).toEqual([]);
  });
});
