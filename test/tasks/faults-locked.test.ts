// The fault matrix, a stale restic lock (test/tasks/faults.test.ts says what a row asserts): each task refuses
// before anything changes, names the lock and volsync:unlock, and completes after the unlock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';
import { PUT_BACK, restoreLeftovers, type TestLab } from '../helpers/faults.ts';

describe('fault matrix: a stale restic lock', () => {
  // a lab of its own: movers killed by the rows above can leave short-lived locks of their own in the repository
  let lab: TestLab;
  beforeAll(async () => { lab = await withLab(); });
  afterAll(async () => { await lab?.stop(); });

  it.each([
    ['volsync:restore', ['--yes', '--confirm-cluster', 'lab', '--timeout', '60s']],
    ['dr:drill', ['--yes', '--timeout', '60s']],
    ['dr:verify-backups', []],
  ])('%s refuses before anything changes (exit 3) naming the lock and volsync:unlock; after the unlock it completes', async (task, flags) => {
    await lab.faults.resticLocked('paperless');
    const started = Date.now();
    const r = await lab.run([task, '--app', 'paperless', ...flags]);
    expect(r.code).toBe(3);
    expect(Date.now() - started).toBeLessThan(20_000); // not at the end of a timeout
    expect(r.stderr).toMatch(/restic repository not locked: apps\/paperless: exclusive lock [0-9a-f]{8} by \S+ pid \d+, \S+ old/);
    expect(r.stderr).toContain('next: if no backup or restore is running now: npx tsx tasks volsync:unlock --app paperless --namespace apps');
    expect(r.record!.commands.filter((c) => c.mutating)).toEqual([]);
    expect(restoreLeftovers(lab)).toEqual(PUT_BACK);
    expect(lab.store.find('namespaces', undefined, 'rackhand-drill-paperless')).toBeUndefined();
    expect((await lab.run(['volsync:unlock', '--app', 'paperless', '--yes', '--timeout', '60s'])).code).toBe(0);
    const again = await lab.run([task, '--app', 'paperless', ...flags]);
    expect(again.code).toBe(0);
    expect(restoreLeftovers(lab)).toEqual(PUT_BACK);
  });
});

