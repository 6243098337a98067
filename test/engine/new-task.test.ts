// `rackhand new task ns:name` scaffolds a task in the operator's folder and a node:test that runs it against the lab;
// the scaffold is listed at once and its own test passes.
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';

describe('new task', () => {
  it('writes the task and its test into the first task folder; list shows it; its test passes against the lab', async () => {
    const repo = await mkdtemp(join(tmpdir(), 'rh-new-'));
    await mkdir(join(repo, 'node_modules'));
    await symlink(process.cwd(), join(repo, 'node_modules', 'rackhand'));
    await symlink(join(process.cwd(), 'node_modules', 'tsx'), join(repo, 'node_modules', 'tsx'));
    await mkdir(join(repo, 'ops'));
    await writeFile(join(repo, 'rackhand.yaml'), 'tasks: [./ops]\nclusters: {}\n');
    const env = { ...process.env, CI: 'true', RACKHAND_CONFIG: join(repo, 'rackhand.yaml'), RACKHAND_CACHE_DIR: join(repo, '.cache'), RACKHAND_STATE_DIR: join(repo, '.rackhand') };
    const r = await cli(['new', 'task', 'k8s:restart-app'], { env, cwd: repo });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('ops/k8s/restart-app.mjs\nops/k8s/restart-app.test.mjs\n');
    expect(await readFile(join(repo, 'ops', 'k8s', 'restart-app.mjs'), 'utf8')).toContain("import { defineTask } from 'rackhand';");
    expect((await cli(['list'], { env, cwd: repo })).stdout).toMatch(/^ {2}k8s:restart-app +TODO: what k8s:restart-app does {2}\(ops\)$/m);
    const again = await cli(['new', 'task', 'k8s:restart-app'], { env, cwd: repo });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('restart-app.mjs exists already (nothing was written)');
    expect((await cli(['new', 'task', 'Restart'], { env, cwd: repo })).stderr).toContain('--name: expected a name like k8s:restart-app (got "Restart")');
    const test = await execa('node', ['--import', 'tsx', '--test', join(repo, 'ops', 'k8s', 'restart-app.test.mjs')], { cwd: repo, env: { ...process.env, CI: 'true' }, reject: false, timeout: 120_000 });
    expect(test.exitCode, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toMatch(/# pass 1/);
  });
});
