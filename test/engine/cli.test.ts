import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../../lib/engine/registry.ts';
import { cli } from '../helpers/cli.ts';

const env = { ...process.env, CI: 'true' };

describe('the CLI front door', () => {
  it('tasks list groups every registered task by namespace with its summary', async () => {
    const r = await cli(['list'], { env, cwd: process.cwd() });
    expect(r.code).toBe(0);
    const registry = await loadRegistry({ env, cwd: process.cwd() });
    expect(Object.keys(registry).length).toBeGreaterThanOrEqual(22);
    for (const [name, entry] of Object.entries(registry)) {
      expect(r.stdout.split('\n')).toContainEqual(expect.stringMatching(new RegExp(`^  ${name} +${entry.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)));
    }
    expect(r.stdout).toMatch(/^cluster:\n  cluster:onboard +.*\n  cluster:restore +.*\n  cluster:snapshot +.*\n  cluster:snapshots +.*\n  cluster:status/m);
    expect(r.stdout).toMatch(/^lab:\n  lab:down/m);
  });

  it.each([['help', 'cluster:status'], ['cluster:status', '--help']])('tasks %s %s shows flags, defaults and an example', async (a, b) => {
    const r = await cli([a, b], { env, cwd: process.cwd() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('cluster:status: per-node role');
    expect(r.stdout).toContain('--dry-run');
    expect(r.stdout).toContain('Example:\n  npx tsx tasks cluster:status --cluster lab');
    expect(r.record).toBeUndefined();
  });

  it('--version prints the version from package.json', async () => {
    const r = await cli(['--version'], { env, cwd: process.cwd() });
    expect(r.code).toBe(0);
    const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    expect(r.stdout).toBe(`rackhand ${version} (node ${process.version})\n`);
  });

  it('an unknown task exits 2 with a did-you-mean and runs nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rackhand-cli-'));
    const r = await cli(['cluster:stauts'], { env, cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown task "cluster:stauts"; did you mean cluster:status?');
  });

  it.each([['list'], ['help', 'lab:up'], ['cluster:status', '--help']])(
    '`tasks %s` (metadata cached) imports no task file, no listr2, no prompts, no 1Password SDK, no zod, no yaml',
    async (...args) => {
      const dir = await mkdtemp(join(tmpdir(), 'rackhand-trace-'));
      const trace = join(dir, 'imports.txt');
      // the first run reads every task file and caches their metadata; the runs after it import none of them
      const cache = { ...env, RACKHAND_CACHE_DIR: join(dir, 'cache') };
      expect((await execa('node', ['--import', 'tsx', 'tasks/index.ts', 'list'], { env: cache, reject: false })).exitCode).toBe(0);
      const r = await execa('node', ['--import', 'tsx', '--import', './test/fixtures/trace-imports.mjs', 'tasks/index.ts', ...args],
        { env: { ...cache, TRACE_IMPORTS: trace }, reject: false });
      expect(r.exitCode).toBe(0);
      const urls = (await readFile(trace, 'utf8')).split('\n');
      expect(urls).toContain(`file://${process.cwd()}/lib/engine/discover.ts`);
      const heavy = urls.filter((u) => /\/tasks\/[a-z]+\/|listr2|@inquirer|@1password|\/zod\/|\/execa\/|\/yaml\//.test(u));
      expect(heavy).toEqual([]);
    },
  );
});
