// run() from code: a task runs exactly as from the CLI and its run record comes back; a standalone script composes
// tasks (back up, then check) and stops at the first one that fails.
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flagArgv, run } from '../../lib/engine/api.ts';
import { withLab } from '../helpers/lab.ts';

describe('flags for run()', () => {
  it('are typed for rackhand\'s own tasks (checked by npm run typecheck), loosely for the operator\'s', () => {
    // compile-time only: never called
    const typed = () => {
      void run('volsync:restore', { app: 'paperless', previous: 1, yes: true });
      // @ts-expect-error previous is a number
      void run('volsync:restore', { app: 'paperless', previous: 'one' });
      // @ts-expect-error no such flag on volsync:restore
      void run('volsync:restore', { colour: 'red' });
      void run('ops:anything', { whatever: 'goes' });
    };
    expect(typeof typed).toBe('function');
  });

  it('become the argv the CLI parses: true as a bare flag, false left out, lists repeated, numbers as ms for durations', () => {
    expect(flagArgv({ app: 'paperless', yes: true, 'dry-run': false, node: ['cp1', 'cp2'], timeout: 90_000, previous: 2 }, new Set(['timeout'])))
      .toEqual(['--app', 'paperless', '--yes', '--node', 'cp1', '--node', 'cp2', '--timeout', '90000ms', '--previous', '2']);
  });
});

describe('run() against the lab', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => {
    lab = await withLab();
    await mkdir(join(lab.dir, 'node_modules'));
    await symlink(process.cwd(), join(lab.dir, 'node_modules', 'rackhand'));
    // an operator repository running .ts/.mjs scripts has tsx installed beside rackhand
    await symlink(join(process.cwd(), 'node_modules', 'tsx'), join(lab.dir, 'node_modules', 'tsx'));
  });
  afterAll(async () => { await lab?.stop(); });
  const env = () => ({ ...process.env, ...lab.env, RACKHAND_STATE_DIR: join(lab.dir, '.rackhand'), CI: 'true' });

  it('runs a task as the CLI does and returns its record (flags checked: bad input is exit 2 in the record)', async () => {
    const out = new PassThrough();
    const err = new PassThrough();
    let printed = '';
    out.on('data', (c) => { printed += String(c); });
    err.resume();
    const ok = await run('cluster:status', {}, { cwd: lab.dir, env: env(), stdout: out, stderr: err });
    expect(ok).toMatchObject({ task: 'cluster:status', result: 'success', exitCode: 0, cluster: 'lab' });
    expect(ok.recordPath).toMatch(/\.rackhand\/runs\/.*cluster_status/);
    expect(printed).toContain('cp1');
    const bad = await run('talos:upgrade-node', { node: 'cp1;reboot' }, { cwd: lab.dir, env: env(), stdout: out, stderr: err });
    expect(bad).toMatchObject({ result: 'refused', exitCode: 2, commands: [] });
    await expect(run('cluster:stauts', {}, { cwd: lab.dir, env: env() })).rejects.toThrow('unknown task "cluster:stauts"; did you mean cluster:status?');
  });

  it('a standalone script composes tasks: a backup, then a status check, each with its own record', async () => {
    await writeFile(join(lab.dir, 'nightly.mjs'), `#!/usr/bin/env -S node --import tsx
// back up paperless now, then check the cluster; stop at the first failure
import { run } from 'rackhand';

const records = [];
for (const [task, flags] of [['volsync:snapshot', { app: 'paperless', timeout: 60_000 }], ['cluster:status', {}]]) {
  const r = await run(task, flags);
  records.push({ task: r.task, result: r.result, commands: r.commands.length });
  if (r.exitCode !== 0) { console.error(JSON.stringify(records)); process.exit(r.exitCode); }
}
console.error(JSON.stringify(records));
`);
    const r = await execa('node', ['--import', 'tsx', join(lab.dir, 'nightly.mjs')], { cwd: lab.dir, env: env(), reject: false, timeout: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const records = JSON.parse(r.stderr.trim().split('\n').pop()!) as { task: string; result: string; commands: number }[];
    expect(records.map((x) => `${x.task} ${x.result}`)).toEqual(['volsync:snapshot success', 'cluster:status success']);
    expect(records.every((x) => x.commands > 0)).toBe(true);
    expect(lab.events.some((e) => e.type === 'volsync-backup-done')).toBe(true);
  });

  it('runAll: a backup then an unlock as ONE run: one lock held across both, one record listing theirs', async () => {
    const { runAll } = await import('../../lib/engine/api.ts');
    const out = new PassThrough();
    out.resume();
    let holderDuringUnlock: string | undefined;
    const stop = lab.store.listen((ev) => {
      if (ev.resource === 'replicationsources.volsync.backube' && ev.object.spec?.restic?.unlock) holderDuringUnlock ??= lab.store.find('leases.coordination.k8s.io', 'kube-system', 'rackhand-lock')?.spec?.holderIdentity;
    });
    const r = await runAll('nightly', [['volsync:snapshot', { app: 'paperless', timeout: 60_000 }], ['volsync:unlock', { app: 'paperless', timeout: 60_000 }]],
      { cwd: lab.dir, env: env(), stdout: out, stderr: out, flags: { yes: true } });
    stop();
    expect(r).toMatchObject({ task: 'script:nightly', result: 'success', exitCode: 0 });
    expect((r.data.records as string[]).map((p) => p.replace(/^.*-(volsync_[a-z]+)-\d+\.json$/, '$1'))).toEqual(['volsync_snapshot', 'volsync_unlock']);
    expect(holderDuringUnlock).toMatch(/\(script:nightly\)$/);
    expect(lab.store.find('leases.coordination.k8s.io', 'kube-system', 'rackhand-lock')).toBeUndefined();
  });
});
