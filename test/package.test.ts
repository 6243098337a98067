// The installable package: `npm run build` packs the compiled CLI; installed into an operator's repository with its
// own task folder, `rackhand` lists that repository's zx task next to the built-ins, and the task honours --help,
// --dry-run, --yes, --json, the lock and Ctrl-C like a built-in, against the lab.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from './helpers/lab.ts';
import { get } from './lab/volsync-helpers.ts';

// an operator task in plain JavaScript, zx-style: annotate, then wait (long enough to be interrupted)
const TASK = `import { defineTask } from 'rackhand';

export default defineTask({
  summary: 'mark a namespace under maintenance, then wait',
  flags: { ns: { type: 'string', description: 'the namespace', required: true }, wait: { type: 'duration', description: 'how long to wait', default: 100 } },
  destructive: true,
  cluster: true,
  impl: () => ({
    async plan(ctx) {
      const k = ['--kubeconfig', ctx.cluster.kubeconfig, '--context', ctx.cluster.context];
      const unmark = () => ctx.$.mutating\`kubectl \${k} annotate namespace \${ctx.flags.ns} maintenance-\`.then(() => undefined);
      return [
        { title: 'mark', async run() { await ctx.$.mutating\`kubectl \${k} annotate namespace \${ctx.flags.ns} maintenance=true --overwrite\`; }, undo: unmark, cleanup: unmark },
        { title: 'wait', mutating: false, async run() { await ctx.$({ timeout: '1m' })\`sleep \${String(ctx.flags.wait / 1000)}\`; } },
      ];
    },
  }),
});
`;

describe('the packed package, installed into an operator repository', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  let repo: string;
  let bin: string;
  beforeAll(async () => {
    const out = await mkdtemp(join(tmpdir(), 'rh-pack-'));
    const built = await execa('npm', ['run', '-s', 'build'], { env: { ...process.env, PACK_DEST: out }, reject: false });
    expect(built.exitCode, built.stderr).toBe(0);
    const tgz = built.stdout.trim().split('\n').pop()!;
    lab = await withLab();
    repo = lab.dir;
    await writeFile(join(repo, 'package.json'), '{ "name": "home-ops", "private": true, "type": "module" }\n');
    const installed = await execa('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tgz], { cwd: repo, reject: false, timeout: 180_000 });
    expect(installed.exitCode, installed.stderr).toBe(0);
    bin = join(repo, 'node_modules', '.bin', 'rackhand');
    await mkdir(join(repo, 'ops', 'ns'), { recursive: true });
    await writeFile(join(repo, 'ops', 'ns', 'maintenance.mjs'), TASK);
    await writeFile(lab.configPath, `tasks: [./ops]\n${await readFile(lab.configPath, 'utf8')}`);
  }, 300_000);
  afterAll(async () => { await lab?.stop(); });

  const env = () => ({ ...process.env, ...lab.env, RACKHAND_STATE_DIR: join(repo, '.rackhand'), RACKHAND_CACHE_DIR: join(repo, '.cache'), CI: 'true' });
  const rackhand = (args: string[], o: { timeout?: number } = {}) => execa(bin, args, { cwd: repo, env: env(), reject: false, timeout: o.timeout ?? 60_000 });
  const marked = () => (get(lab, 'namespaces', '', 'apps') as { metadata: { annotations?: Record<string, string> } }).metadata.annotations?.maintenance;

  it('is compiled JavaScript: no TypeScript in the package, tsx not loaded for built-ins', async () => {
    const { readdir } = await import('node:fs/promises');
    const files = await readdir(join(repo, 'node_modules', 'rackhand', 'lib', 'engine'));
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files).toContain('discover.js');
    // go-task and just front doors to include from the operator's own, generated from the registry
    const taskfile = await readFile(join(repo, 'node_modules', 'rackhand', 'Taskfile.rackhand.yaml'), 'utf8');
    expect(taskfile).toContain('cmds: ["npx rackhand volsync:restore {{if .CLUSTER}}--cluster {{shellQuote .CLUSTER}}{{end}} {{if .APP}}--app {{shellQuote .APP}}{{end}} {{if .NAMESPACE}}--namespace {{shellQuote .NAMESPACE}}{{end}} {{.CLI_ARGS}}"]');
    expect(await readFile(join(repo, 'node_modules', 'rackhand', 'justfile.rackhand'), 'utf8')).toContain('volsync-restore *args:\n    npx rackhand volsync:restore "$@"');
  });

  it('lists the operator task with its folder and shows its help', async () => {
    const list = await rackhand(['list']);
    expect(list.exitCode, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^ {2}ns:maintenance +mark a namespace under maintenance, then wait \[destructive\] {2}\(ops\)$/m);
    expect(list.stdout).toMatch(/^ {2}volsync:restore /m);
    const help = await rackhand(['ns:maintenance', '--help']);
    expect(help.stdout).toContain('--ns <string>');
    expect(help.stdout).toContain(`Defined in: ${join(repo, 'ops', 'ns', 'maintenance.mjs')} (ops)`);
  });

  it('--dry-run changes nothing; --yes --json runs it, every command in the record, the lock released', async () => {
    const dry = await rackhand(['ns:maintenance', '--ns', 'apps', '--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(marked()).toBeUndefined();
    const r = await rackhand(['ns:maintenance', '--ns', 'apps', '--yes', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const record = JSON.parse(r.stdout) as { result: string; commands: { argv: string[]; mutating: boolean }[] };
    expect(record.result).toBe('success');
    expect(record.commands.map((c) => c.argv[0])).toEqual(expect.arrayContaining(['kubectl', 'sleep']));
    expect(marked()).toBe('true');
    expect(get(lab, 'leases.coordination.k8s.io', 'kube-system', 'rackhand-lock')).toBeUndefined();
  });

  it('Ctrl-C mid-run undoes what was done (the annotation goes), exits 130 and releases the lock', async () => {
    await execa('kubectl', ['annotate', 'namespace', 'apps', 'maintenance-'], { env: env(), reject: false });
    const p = execa(bin, ['ns:maintenance', '--ns', 'apps', '--wait', '30s', '--yes'], { cwd: repo, env: env(), reject: false });
    const deadline = Date.now() + 20_000;
    while (marked() !== 'true' && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    expect(marked()).toBe('true');
    await new Promise((res) => setTimeout(res, 300));
    p.kill('SIGINT');
    const r = await p;
    expect(r.exitCode, r.stderr).toBe(130);
    expect(marked()).toBeUndefined();
    expect(get(lab, 'leases.coordination.k8s.io', 'kube-system', 'rackhand-lock')).toBeUndefined();
  });
});
