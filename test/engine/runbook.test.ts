// Runbooks that run: every runbook in runbooks/ passes runbook:check; a broken step is named with its line (exit 2);
// runbook:run runs each step through the engine under one lock, saves progress, and after a failure resumes at the
// first unfinished step.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';
import { cli } from '../helpers/cli.ts';

const env = { ...process.env, CI: 'true' };

describe('runbook:check', () => {
  it('every runbook in runbooks/ is valid (tasks exist, flags valid)', async () => {
    const r = await cli(['runbook:check'], { env, cwd: process.cwd() });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\d+ runbooks: \d+ steps, all valid$/m);
    const list = await cli(['runbook:list'], { env, cwd: process.cwd() });
    for (const name of ['cluster-bootstrap', 'talos-rolling-upgrade', 'volsync-restore', 'dr-drill', 'cluster-rebuild']) expect(list.stdout).toMatch(new RegExp(`^${name} `, 'm'));
  });

  it('names the file and line of each broken step and exits 2', async () => {
    const lab = await withLab();
    try {
      await mkdir(join(lab.dir, 'runbooks'));
      await writeFile(join(lab.dir, 'runbooks', 'broken.md'), [
        '# Broken', '', '```rackhand', 'cluster:stauts --cluster lab', 'volsync:restore --cluster lab --app paperless --timeout forever',
        'cluster:status --cluster nowhere', 'talos:upgrade-node --cluster {{cluster}} --all --to {{version}} --colour', 'kubectl get pods | grep x', '```', '',
      ].join('\n'));
      const r = await lab.run(['runbook:check', 'broken']);
      expect(r.code).toBe(2);
      const file = join(lab.dir, 'runbooks', 'broken.md');
      expect(r.stdout.split('\n')).toEqual([
        `${file}:4: no task cluster:stauts; did you mean cluster:status?`,
        `${file}:5: volsync:restore: --timeout: expected a duration like 30s, 10m or 1h30m (got "forever")`,
        `${file}:6: cluster:status: --cluster nowhere is not in rackhand.yaml (one of lab)`,
        `${file}:7: talos:upgrade-node: unknown flag --colour (see --help)`,
        `${file}:8: "kubectl get pods | grep x": shell syntax is not a task call (write the task name and its flags; values without quotes)`,
        '',
      ]);
    } finally {
      await lab.stop();
    }
  });
});

describe('runbook:run against the lab', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => {
    lab = await withLab({ moverRetryMs: 300 });
    await mkdir(join(lab.dir, 'runbooks'));
    await writeFile(join(lab.dir, 'runbooks', 'nightly.md'), [
      '# Nightly', '', 'Check, back up, unlock, check.', '', '```rackhand', 'cluster:status --cluster {{cluster}}',
      'volsync:snapshot --cluster {{cluster}} --app {{app}} --timeout {{wait}}', '```', '', '- [ ] look at the dashboard', '',
      '```rackhand', 'volsync:unlock --cluster {{cluster}} --app {{app}} --timeout 60s', 'volsync:status --cluster {{cluster}}', '```', '',
    ].join('\n'));
  });
  afterAll(async () => { await lab?.stop(); });

  it('stops at a failing step with the resume command; the re-run skips what was done and finishes, under one lock', async () => {
    lab.faults.moverFails('paperless', { times: 1000 });
    // a short wait makes step 2 fail; the resumed run is given a long one (a loaded CI machine's restic is slow)
    const failed = await lab.run(['runbook:run', 'nightly', '--cluster', 'lab', '--set', 'app=paperless', '--set', 'wait=3s', '--yes']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('step 2 (volsync:snapshot --cluster {{cluster}} --app {{app}} --timeout {{wait}}) ended with exit 1');
    expect(failed.stderr).toContain('npx tsx tasks runbook:run nightly --cluster lab --set app=paperless --set wait=3s (resumes at step 2)');
    // the runbook's lock step is undone: the lock released
    expect(failed.record!.steps.map((s) => `${s.title.split(' ')[0]} ${s.status}`)).toEqual(['take undone', '1. done', '2. failed', '3. pending', '4. pending', '5. pending', 'release pending']);
    expect(lab.store.find('leases.coordination.k8s.io', 'kube-system', 'rackhand-lock')).toBeUndefined();

    lab.faults.clearFaults();
    let holderDuringUnlock: string | undefined;
    const stop = lab.store.listen((ev) => {
      if (ev.resource === 'replicationsources.volsync.backube' && ev.object.spec?.restic?.unlock) holderDuringUnlock ??= lab.store.find('leases.coordination.k8s.io', 'kube-system', 'rackhand-lock')?.spec?.holderIdentity;
    });
    const again = await lab.run(['runbook:run', 'nightly', '--cluster', 'lab', '--set', 'app=paperless', '--set', 'wait=2m', '--yes']);
    stop();
    expect(again.code, again.stderr).toBe(0);
    expect(again.record!.steps.map((s) => `${s.title.split(' ')[0]} ${s.status}`)).toEqual(['take done', '1. skipped', '2. done', '3. done', '4. done', '5. done', 'release done']);
    expect(again.stderr).toContain('resuming nightly: 1 of 5 steps were done in an earlier run');
    // the destructive volsync:unlock ran under the runbook's lock, not one of its own (no exit 4)
    expect(holderDuringUnlock).toMatch(/\(runbook:run nightly\)$/);
    expect((again.record!.data.records as string[]).length).toBe(3); // steps 2, 4 and 5 (3 is manual)
    expect(lab.store.find('leases.coordination.k8s.io', 'kube-system', 'rackhand-lock')).toBeUndefined();
  });

  it('--dry-run shows every step and runs each task with --dry-run; no progress is saved', async () => {
    await writeFile(join(lab.dir, 'runbooks', 'preview.md'), ['# Preview', '', '```rackhand', 'volsync:snapshot --cluster {{cluster}} --app {{app}}', '```', '', '- [ ] look at the dashboard', '', '```rackhand', 'volsync:unlock --cluster {{cluster}} --app {{app}}', '```', ''].join('\n'));
    const r = await lab.run(['runbook:run', 'preview', '--cluster', 'lab', '--set', 'app=paperless', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('[dry-run] would ask: step 2 (manual): look at the dashboard -- done?');
    expect(r.stderr).toMatch(/\[dry-run\] kubectl .* patch replicationsources\.volsync\.backube paperless/);
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(lab.dir, '.rackhand', 'runbooks', 'preview.json'))).toBe(false);
  });

  it('a placeholder without a value is refused before anything runs (exit 2)', async () => {
    const r = await lab.run(['runbook:run', 'nightly', '--cluster', 'lab', '--set', 'wait=1m', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nightly.md:7: {{app}} has no value: give it with --set app=VALUE');
  });
});
