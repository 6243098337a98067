// Task discovery: an operator's own task folder (rackhand.yaml `tasks:`) next to rackhand's; a task is one file whose
// default export is defineTask({...}); clashes and malformed files exit 2 naming the file; metadata is cached and
// refreshed when a file changes.
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';

let repo: string;
let env: Record<string, string | undefined>;

const HELLO = (summary: string) => `// an operator's task, plain JavaScript
import { defineTask } from 'rackhand';

export default defineTask({
  summary: ${JSON.stringify(summary)},
  flags: { name: { type: 'string', description: 'who to greet', default: 'world' } },
  destructive: false,
  cluster: false,
  impl: () => ({
    async plan(ctx) {
      return [{ title: 'greet', mutating: false, async run() { ctx.out(\`hello \${ctx.flags.name}\`); } }];
    },
  }),
});
`;

beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), 'rh-ops-'));
  await mkdir(join(repo, 'node_modules'));
  // the package as an operator's repository has it installed
  await symlink(process.cwd(), join(repo, 'node_modules', 'rackhand'));
  await mkdir(join(repo, 'ops', 'k8s'), { recursive: true });
  await writeFile(join(repo, 'rackhand.yaml'), 'tasks: [./ops]\nclusters: {}\n');
  await writeFile(join(repo, 'ops', 'k8s', 'hello.mjs'), HELLO('say hello'));
  env = { ...process.env, CI: 'true', RACKHAND_CACHE_DIR: join(repo, '.cache'), RACKHAND_CONFIG: join(repo, 'rackhand.yaml'), RACKHAND_STATE_DIR: join(repo, '.rackhand') };
});

describe('task discovery', () => {
  it('lists an operator task beside the built-ins, naming its folder; --help says where it is defined; it runs', async () => {
    const list = await cli(['list'], { env, cwd: repo });
    expect(list.code, list.stderr).toBe(0);
    // one k8s namespace holding the operator's task beside rackhand's own (k8s:cleanse-pods)
    expect(list.stdout.split('\n').filter((l) => l === 'k8s:')).toHaveLength(1);
    expect(list.stdout).toMatch(/^ {2}k8s:hello +say hello {2}\(ops\)$/m);
    expect(list.stdout).toMatch(/^ {2}k8s:cleanse-pods +delete Failed/m);
    expect(list.stdout).toMatch(/^ {2}cluster:status +per-node role/m);
    const help = await cli(['k8s:hello', '--help'], { env, cwd: repo });
    expect(help.stdout).toContain(`Defined in: ${join(repo, 'ops', 'k8s', 'hello.mjs')} (ops)`);
    expect(help.stdout).toContain('--name <string>');
    const r = await cli(['k8s:hello', '--name', 'lab'], { env, cwd: repo });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('hello lab\n');
    expect(r.record).toMatchObject({ task: 'k8s:hello', result: 'success' });
  });

  it('a changed task file is read again (the metadata cache follows the folder)', async () => {
    expect((await cli(['list'], { env, cwd: repo })).stdout).toContain('say hello');
    await new Promise((r) => setTimeout(r, 20));
    await writeFile(join(repo, 'ops', 'k8s', 'hello.mjs'), HELLO('greet someone'));
    const again = await cli(['list'], { env, cwd: repo });
    expect(again.stdout).toContain('greet someone');
    expect(again.stdout).not.toContain('say hello');
  });

  it.each([
    ['cluster/status.mjs', HELLO('mine'), /cluster\/status\.mjs: task cluster:status is already defined by .*\/tasks\/cluster\/status\.ts \(rename one of them\)/],
    ['k8s/plain.mjs', 'export default { summary: "not a task" };\n', /k8s\/plain\.mjs: expected `export default defineTask\(\{ summary, flags, destructive, cluster, impl \}\)`/],
    ['k8s/syntax.mjs', 'export default defineTask({ summary: \n', /k8s\/syntax\.mjs: does not load: /],
    ['k8s/nosummary.mjs', HELLO('x').replace('summary: "x",', ''), /k8s\/nosummary\.mjs: summary: expected a one-line summary/],
    ['k8s/badflag.mjs', HELLO('x').replace("type: 'string'", "type: 'text'"), /k8s\/badflag\.mjs: flags\.name\.type: expected string, boolean, number, duration or list/],
  ])('%s: exit 2 naming the file, nothing runs', async (file, text, message) => {
    await mkdir(join(repo, 'ops', file.split('/')[0]!), { recursive: true });
    await writeFile(join(repo, 'ops', file), text);
    const r = await cli(['k8s:hello'], { env, cwd: repo });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.record).toBeUndefined();
  });

  it('a task folder that does not exist is named (exit 2)', async () => {
    await writeFile(join(repo, 'rackhand.yaml'), 'tasks: [./nope]\nclusters: {}\n');
    const r = await cli(['list'], { env, cwd: repo });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(repo, 'nope')}: task folder does not exist`);
  });
});
