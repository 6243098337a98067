import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { cli, latestRecord } from '../helpers/cli.ts';
import { offlineCluster } from '../helpers/offline-cluster.ts';
import { testRegistry } from '../fixtures/tasks.ts';

const run = async (argv: string[], setup?: Awaited<ReturnType<typeof offlineCluster>>) => {
  const s = setup ?? await offlineCluster();
  return { s, r: await cli(argv, { env: s.env, cwd: s.dir, registry: testRegistry }) };
};

describe('engine: bad input stops before anything runs', () => {
  it('an unknown flag exits 2, names the flag, and runs no command', async () => {
    const { r } = await run(['test:write', '--dri-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown flag --dri-run; did you mean --dry-run?');
    expect(r.record?.result).toBe('refused');
    expect(r.record?.commands).toEqual([]);
  });

  it('a missing required flag exits 2 and names it', async () => {
    const { r } = await run(['test:write']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--dir is required');
    expect(r.record?.commands).toEqual([]);
  });

  it('a config error exits 2 with file:line, the field path and what was expected', async () => {
    const s = await offlineCluster();
    const cfg = join(s.dir, 'rackhand.yaml');
    const text = (await readFile(cfg, 'utf8')).replace('role: controlplane', 'role: master');
    await (await import('node:fs/promises')).writeFile(cfg, text);
    const r = await cli(['test:write', '--dir', s.dir], { env: s.env, cwd: s.dir, registry: testRegistry });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rackhand\.yaml:8:\d+ clusters\.home\.nodes\.0\.role: expected controlplane or worker/);
    expect(r.record?.commands).toEqual([]);
    expect(existsSync(join(s.dir, 'marker'))).toBe(false);
  });

  it('an unknown cluster exits 2 and lists the configured ones', async () => {
    const { r } = await run(['test:write', '--dir', '/tmp', '--cluster', 'prod']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no cluster "prod"');
    expect(r.stderr).toContain('expected one of home');
  });
});

describe('engine: confirmation and dry-run', () => {
  it('a destructive task with no terminal and no --yes refuses with exit 3 and changes nothing', async () => {
    const s = await offlineCluster();
    const r = await cli(['test:write', '--dir', s.dir], { env: s.env, cwd: s.dir, registry: testRegistry });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('no terminal to confirm on, and no --yes');
    // the plan and the exact target are shown before refusing
    expect(r.stderr).toContain('context:    admin@home');
    expect(r.stderr).toContain('API server: http://127.0.0.1:9');
    expect(existsSync(join(s.dir, 'marker'))).toBe(false);
    expect(r.record?.commands.filter((c) => c.mutating)).toEqual([]);
  });

  it('--dry-run prints the mutating command and runs none', async () => {
    const s = await offlineCluster();
    const r = await cli(['test:write', '--dir', s.dir, '--dry-run'], { env: s.env, cwd: s.dir, registry: testRegistry });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`[dry-run] touch ${join(s.dir, 'marker')}`);
    expect(existsSync(join(s.dir, 'marker'))).toBe(false);
    expect(r.record?.commands.filter((c) => c.mutating)).toEqual([{ argv: ['touch', join(s.dir, 'marker')], exitCode: null, durationMs: 0, mutating: true, dryRun: true, startMs: expect.any(Number) }]);
  });

  it('--yes runs the step; a re-run has nothing to do and runs no mutating command', async () => {
    const s = await offlineCluster();
    const first = await cli(['test:write', '--dir', s.dir, '--yes'], { env: s.env, cwd: s.dir, registry: testRegistry });
    expect(first.code).toBe(0);
    expect(first.record?.result).toBe('success');
    expect(existsSync(join(s.dir, 'marker'))).toBe(true);
    const again = await cli(['test:write', '--dir', s.dir, '--yes'], { env: s.env, cwd: s.dir, registry: testRegistry });
    expect(again.code).toBe(0);
    expect(again.record?.result).toBe('nothing-to-do');
    expect(again.stderr).toContain('skipped');
    expect(again.record?.commands.filter((c) => c.mutating)).toEqual([]);
  });
});

describe('engine: failure and interruption undo completed steps', () => {
  it('a failing step exits 1, undoes the completed step, and names the failure and the next command', async () => {
    const s = await offlineCluster();
    const r = await cli(['test:write', '--dir', s.dir, '--yes', '--fail'], { env: s.env, cwd: s.dir, registry: testRegistry });
    expect(r.code).toBe(1);
    expect(existsSync(join(s.dir, 'marker'))).toBe(false);
    expect(existsSync(join(s.dir, 'undone'))).toBe(true);
    expect(r.stderr).toContain(`the thing in ${s.dir} failed (exit 1)`);
    expect(r.stderr).toContain(`next: inspect ${s.dir}`);
    expect(r.record?.result).toBe('failed');
    expect(r.record?.steps.map((st) => st.status)).toEqual(['undone', 'failed']);
    // the failing step's own cleanup ran (it had changed something before it failed)
    expect(existsSync(join(s.dir, 'half-done'))).toBe(false);
    expect(r.record?.steps[1]?.cleanup).toBe('done');
  });

  it('an undo that fails: exit 1, "undo incomplete", what is left and the command to finish by hand, also in the record', async () => {
    const s = await offlineCluster();
    const r = await cli(['test:write', '--dir', s.dir, '--yes', '--fail', '--undo-fails'], { env: s.env, cwd: s.dir, registry: testRegistry });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('undo incomplete: 1 thing(s) left to put back by hand');
    expect(r.stderr).toContain(`rm ${join(s.dir, 'marker')}`);
    expect(existsSync(join(s.dir, 'marker'))).toBe(true);
    expect(r.record?.leftover).toEqual([{ step: `create ${join(s.dir, 'marker')}`, why: expect.stringMatching(/^undo failed: false: exit code 1/), byHand: [`rm ${join(s.dir, 'marker')}`] }]);
  });

  const startReal = async (extra: string[] = []) => {
    const s = await offlineCluster();
    const child = execa('node', ['--import', 'tsx', 'test/fixtures/cli.ts', 'test:write', '--dir', s.dir, '--yes', '--sleep', ...extra], {
      env: s.env, reject: false, cwd: process.cwd(),
    });
    const started = Date.now();
    while (!existsSync(join(s.dir, 'sleeping')) && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(join(s.dir, 'marker'))).toBe(true);
    expect(existsSync(join(s.dir, 'started'))).toBe(true);
    return { s, child, started };
  };

  it.each([['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const)('%s to a real CLI process kills the running command, runs its cleanup and the undo, exits %i', async (sig, code) => {
    const { s, child, started } = await startReal();
    child.kill(sig);
    const res = await child;
    expect(res.exitCode).toBe(code);
    expect(Date.now() - started).toBeLessThan(25_000); // the 30 s sleep was killed, not waited out
    expect(existsSync(join(s.dir, 'started'))).toBe(false); // the running step's cleanup
    expect(existsSync(join(s.dir, 'cleaned'))).toBe(true);
    expect(existsSync(join(s.dir, 'marker'))).toBe(false); // the done step's undo
    expect(existsSync(join(s.dir, 'undone'))).toBe(true);
    expect(res.stderr).toContain(`interrupted (${sig}): 1 completed step(s) undone, the interrupted step cleaned up`);
    const rec = await latestRecord(join(s.dir, '.rackhand'));
    expect(rec).toMatchObject({ result: 'interrupted', exitCode: code, interrupted: sig });
    expect(rec?.steps.map((st) => [st.status, st.cleanup])).toEqual([['undone', undefined], ['failed', 'done']]);
  });

  it('Ctrl-C on a terminal signals the whole process group (npx, tsx, rackhand): one press is one interrupt, the undo completes', async () => {
    const s = await offlineCluster();
    const child = execa('npx', ['--no-install', 'tsx', 'test/fixtures/cli.ts', 'test:write', '--dir', s.dir, '--yes', '--sleep'], {
      env: s.env, reject: false, cwd: process.cwd(), detached: true,
    });
    const started = Date.now();
    while (!existsSync(join(s.dir, 'sleeping')) && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 100));
    process.kill(-child.pid!, 'SIGINT'); // what the terminal does: the foreground process group
    const res = await child;
    expect(res.stderr).not.toContain('undo incomplete');
    // npx may exit on the signal before rackhand (its grandchild) has finished the undo and written the record:
    // wait for the record, with a deadline
    let rec = await latestRecord(join(s.dir, '.rackhand'));
    for (const until = Date.now() + 15_000; !rec && Date.now() < until; rec = await latestRecord(join(s.dir, '.rackhand'))) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(join(s.dir, 'marker'))).toBe(false);
    expect(existsSync(join(s.dir, 'undone'))).toBe(true);
    expect(existsSync(join(s.dir, 'cleaned'))).toBe(true);
    expect(rec).toMatchObject({ result: 'interrupted', exitCode: 130, interrupted: 'SIGINT' });
  });

  it('a second signal during undo stops it, lists what is left with the commands to finish by hand, and exits 1', async () => {
    const { s, child } = await startReal(['--slow-undo']);
    child.kill('SIGTERM');
    const deadline = Date.now() + 20_000;
    while (!existsSync(join(s.dir, 'cleaned')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1_600)); // now in the first step's 30 s undo, past the same-signal window
    child.kill('SIGTERM');
    const res = await child;
    expect(res.exitCode).toBe(1);
    expect(res.stderr).toContain('undo incomplete: stopped by a second SIGTERM; left to do by hand:');
    expect(res.stderr).toContain(`rm ${join(s.dir, 'marker')}`);
    expect(existsSync(join(s.dir, 'marker'))).toBe(true);
    const rec = await latestRecord(join(s.dir, '.rackhand'));
    expect(rec).toMatchObject({ result: 'interrupted', exitCode: 1, interrupted: 'SIGTERM' });
    expect(rec?.leftover?.map((l) => l.step)).toEqual([`create ${join(s.dir, 'marker')}`]);
  });
});

describe('engine: secrets and the run record', () => {
  it('a secret flag never appears in stdout, stderr or the run record, even with --verbose and --json', async () => {
    const s = await offlineCluster();
    const secret = 'hunter2-s3cr3t-value';
    const r = await cli(['test:write', '--dir', s.dir, '--yes', '--verbose', '--json', '--token', secret], { env: s.env, cwd: s.dir, registry: testRegistry });
    expect(r.code).toBe(0);
    const files = await (await import('node:fs/promises')).readdir(join(s.dir, '.rackhand', 'runs'));
    const recordText = await readFile(join(s.dir, '.rackhand', 'runs', files[0]!), 'utf8');
    for (const text of [r.stdout, r.stderr, recordText]) expect(text).not.toContain(secret);
    expect(r.stderr).toContain("$ echo 'token=***'"); // shell-quoted: a line that can be pasted
    const printed = JSON.parse(r.stdout) as { flags: { token: string }; data: { echoed: string } };
    expect(printed.flags.token).toBe('***');
    expect(printed.data.echoed).toBe('token=***');
  });

  it('the run record holds task, cluster, flags, result, timings, steps and the command journal', async () => {
    const s = await offlineCluster();
    const r = await cli(['test:write', '--dir', s.dir, '--yes'], { env: s.env, cwd: s.dir, registry: testRegistry });
    const rec = r.record!;
    expect(rec).toMatchObject({ task: 'test:write', cluster: 'home', result: 'success', exitCode: 0, dryRun: false });
    expect(rec.identity).toEqual({ cluster: 'home', context: 'admin@home', apiServer: 'http://127.0.0.1:9', nodes: ['cp1'] });
    expect(Date.parse(rec.finishedAt)).toBeGreaterThanOrEqual(Date.parse(rec.startedAt));
    expect(rec.steps).toEqual([expect.objectContaining({ title: `create ${join(s.dir, 'marker')}`, status: 'done', duration: expect.stringMatching(/^\d+(\.\d)?(ms|s)$/) })]);
    expect(rec.duration).toMatch(/^\d+(\.\d)?(ms|s)$/); // for people; durationMs stays for programs
    expect(rec.commands.map((c) => [c.argv[0], c.mutating])).toEqual([['kubectl', false], ['test', false], ['touch', true]]);
  });
});

describe('engine: rendering', () => {
  it('a terminal that reports no width gets the line-by-line renderer, not one character per line', async () => {
    const s = await offlineCluster();
    // typed: the CLI believes a terminal is attached; the captured stream has no columns (as under some wrappers)
    const r = await cli(['test:write', '--dir', s.dir, '--yes'], { env: s.env, cwd: s.dir, registry: testRegistry, typed: [] });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`[STARTED] create ${join(s.dir, 'marker')}`);
    expect(r.stderr).toMatch(/test:write: success in \S+ \(1 step\(s\) done\)/);
  });

  it('lab:up export lines end with a newline (the last one too)', async () => {
    const { exportLines } = await import('../../tasks/lab/_state.ts');
    const text = exportLines({ pid: 1, url: 'http://127.0.0.1:1', dir: '/tmp/lab', env: { KUBECONFIG: '/tmp/lab/kubeconfig', PATH: '/x' } } as never);
    expect(text).toBe("export KUBECONFIG=/tmp/lab/kubeconfig\nexport PATH=/tmp/lab/bin:\"$PATH\"\n");
  });
});

describe('engine: interactive confirmation', () => {
  it('on a terminal, answering yes runs the destructive step', async () => {
    const s = await offlineCluster();
    const r = await cli(['test:write', '--dir', s.dir], { env: s.env, cwd: s.dir, registry: testRegistry, typed: ['y'] });
    expect(r.stderr).toContain('Run test:write against cluster home (http://127.0.0.1:9)?');
    expect(r.code).toBe(0);
    expect(existsSync(join(s.dir, 'marker'))).toBe(true);
  });

  it('on a terminal, answering no refuses with exit 3 and changes nothing', async () => {
    const s = await offlineCluster();
    const r = await cli(['test:write', '--dir', s.dir], { env: s.env, cwd: s.dir, registry: testRegistry, typed: ['n'] });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('refused: not confirmed');
    expect(existsSync(join(s.dir, 'marker'))).toBe(false);
  });
});

describe('engine: the most destructive tasks want the cluster name', () => {
  it.each([
    [['--yes'], undefined, 3, '--yes on test:reset also needs --confirm-cluster home'],
    [['--yes', '--confirm-cluster', 'prod'], undefined, 3, 'also needs --confirm-cluster home'],
    [['--yes', '--confirm-cluster', 'home'], undefined, 0, ''],
    [[], ['prod'], 3, 'typed "prod", not "home"'],
    [[], ['home'], 0, 'Type the cluster name (home) to continue'],
  ])('%j typing %j exits %i', async (flags, typed, code, text) => {
    const s = await offlineCluster();
    const r = await cli(['test:reset', '--dir', s.dir, ...flags], { env: s.env, cwd: s.dir, registry: testRegistry, typed });
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(text);
    expect(existsSync(join(s.dir, 'marker'))).toBe(code === 0);
  });
});
