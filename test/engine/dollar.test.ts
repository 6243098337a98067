// ctx.$: an operator's task written zx-style runs its commands through the engine -- argv without a shell, the run
// record, redaction, --dry-run for the ones marked mutating, the lock and confirmation of a destructive task.
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { templateArgv } from '../../lib/engine/dollar.ts';
import { withLab } from '../helpers/lab.ts';
import { get } from '../lab/volsync-helpers.ts';

describe('the template as argv', () => {
  const argv = (s: TemplateStringsArray, ...v: (string | string[])[]) => templateArgv(s, v);
  it('each value is one argument, whatever it holds; arrays give one argument per element; words join', () => {
    expect(argv`kubectl annotate ns ${'a b; rm -rf ~'} note=${'$(whoami)'}`).toEqual(['kubectl', 'annotate', 'ns', 'a b; rm -rf ~', 'note=$(whoami)']);
    expect(argv`kubectl ${['--context', 'admin@lab']} get ns`).toEqual(['kubectl', '--context', 'admin@lab', 'get', 'ns']);
    expect(argv`  echo   ${''}  `).toEqual(['echo', '']);
  });
  it('refuses shell syntax in the text instead of guessing', () => {
    expect(() => argv`echo 'a b'`).toThrow(/quotes or backslashes in the command text/);
    expect(() => argv`echo x${['a', 'b']}`).toThrow(/an array value must stand alone/);
  });
});

const TASK = `import { defineTask } from 'rackhand';

// annotate a namespace, zx-style: read first, change only what differs
export default defineTask({
  summary: 'annotate a namespace (an operator task)',
  flags: {
    ns: { type: 'string', description: 'the namespace', required: true },
    note: { type: 'string', description: 'the annotation value', required: true, secret: true },
  },
  destructive: true,
  cluster: true,
  impl: () => ({
    async plan(ctx) {
      const k = ['--kubeconfig', ctx.cluster.kubeconfig, '--context', ctx.cluster.context];
      const ns: string = ctx.flags.ns;
      return [{
        title: \`annotate namespace \${ns}\`,
        async isDone() {
          const o = await ctx.$\`kubectl \${k} get namespace \${ns} -o json\`;
          return o.json<{ metadata: { annotations?: Record<string, string> } }>().metadata.annotations?.note === ctx.flags.note ? 'already annotated' : false;
        },
        async run() {
          if (!(await ctx.confirm(\`really annotate \${ns}?\`))) return;
          await ctx.$.mutating\`kubectl \${k} annotate namespace \${ns} note=\${ctx.flags.note} --overwrite\`;
        },
      }];
    },
  }),
});
`;

describe('an operator task using ctx.$ against the lab', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  const note = () => (get(lab, 'namespaces', '', 'apps') as { metadata: { annotations?: Record<string, string> } }).metadata.annotations?.note;
  beforeAll(async () => {
    lab = await withLab();
    await mkdir(join(lab.dir, 'node_modules'));
    await symlink(process.cwd(), join(lab.dir, 'node_modules', 'rackhand'));
    await mkdir(join(lab.dir, 'ops', 'ns'), { recursive: true });
    await writeFile(join(lab.dir, 'ops', 'ns', 'annotate.ts'), TASK);
    await writeFile(lab.configPath, `tasks: [./ops]\n${await readFile(lab.configPath, 'utf8')}`);
  });
  afterAll(async () => { await lab?.stop(); });

  it('--dry-run runs the read, prints the change and does not make it; the secret value is redacted', async () => {
    const r = await lab.run(['ns:annotate', '--ns', 'apps', '--note', 's3cr3t-value', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(note()).toBeUndefined();
    const cmds = r.record!.commands;
    expect(cmds.find((c) => c.argv.includes('get'))).toMatchObject({ mutating: false, exitCode: 0 });
    expect(cmds.find((c) => c.argv.includes('annotate'))).toMatchObject({ mutating: true, dryRun: true });
    expect(r.stderr).toMatch(/\[dry-run\] kubectl .* annotate namespace apps 'note=\*\*\*' --overwrite/);
    expect(`${r.stdout}${r.stderr}${JSON.stringify(r.record)}`).not.toContain('s3cr3t-value');
    expect(r.stderr).toContain('[dry-run] would ask: really annotate apps?');
  });

  it('without a terminal and without --yes it refuses like a built-in (exit 3) and changes nothing', async () => {
    const r = await lab.run(['ns:annotate', '--ns', 'apps', '--note', 'v1']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('no terminal to confirm on, and no --yes');
    expect(note()).toBeUndefined();
  });

  it('with --yes it changes the lab, takes and releases the lock, and a re-run has nothing to do', async () => {
    const r = await lab.run(['ns:annotate', '--ns', 'apps', '--note', 'v1', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(note()).toBe('v1');
    expect(JSON.parse(r.stdout)).toMatchObject({ task: 'ns:annotate', result: 'success' });
    expect(r.record!.commands.some((c) => c.argv.includes('leases.coordination.k8s.io') || c.argv.join(' ').includes('rackhand-lock'))).toBe(true);
    expect(get(lab, 'leases.coordination.k8s.io', 'kube-system', 'rackhand-lock')).toBeUndefined();
    const again = await lab.run(['ns:annotate', '--ns', 'apps', '--note', 'v1', '--yes']);
    expect(again.code).toBe(0);
    expect(again.record!.result).toBe('nothing-to-do');
  });

  it('a failing command stops the run naming the command (exit 1)', async () => {
    const r = await lab.run(['ns:annotate', '--ns', 'nope', '--note', 'v1', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/kubectl exited 1: Error from server \(NotFound\): namespaces "nope" not found/);
  });
});
