import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Executor } from '../../../lib/exec.ts';
import { Restic, selectSnapshot, type Snapshot } from '../../../lib/tools/restic.ts';
import { ToolError } from '../../../lib/tools/tool-error.ts';

const snap = (id: string, time: string, hostname = 'volsync'): Snapshot => ({ id, short_id: id, time, hostname, paths: ['/data'] });

describe('snapshot selection as the VolSync mover does it', () => {
  const all = [snap('a', '2026-11-20T01:00:00Z'), snap('c', '2026-11-22T01:00:00Z'), snap('b', '2026-11-21T01:00:00Z'), snap('x', '2026-11-23T01:00:00Z', 'laptop')];
  it.each([
    [{}, 'c'],
    [{ previous: 1 }, 'b'],
    [{ previous: 2 }, 'a'],
    [{ previous: 3 }, undefined],
    [{ asOf: '2026-11-21T12:00:00Z' }, 'b'],
    [{ asOf: '2026-11-21T12:00:00Z', previous: 1 }, 'a'],
    [{ asOf: '2026-11-19T00:00:00Z' }, undefined],
  ])('%j selects %s (host volsync only, newest first)', (o, id) => expect(selectSnapshot(all, o)?.id).toBe(id));
  it('an empty repository selects nothing', () => expect(selectSnapshot([], {})).toBeUndefined());
});

describe('restic wrapper against a real repository', () => {
  async function repo() {
    const dir = await mkdtemp(join(tmpdir(), 'rackhand-restic-'));
    const data = join(dir, 'data');
    await mkdir(data);
    await writeFile(join(data, 'a.txt'), 'hello restic\n');
    const env = { RESTIC_REPOSITORY: join(dir, 'repo'), RESTIC_PASSWORD: 'correct-horse-battery', RESTIC_CACHE_DIR: join(dir, 'cache') };
    const exec = new Executor({ env: process.env });
    await exec.ok(['restic', 'init'], { mutating: true, env });
    await exec.ok(['restic', 'backup', '.', '--host', 'volsync'], { mutating: true, env, cwd: data });
    return { dir, env, exec };
  }

  it('lists snapshots, sizes them and restores them with --verify; the password never reaches the journal', async () => {
    const { dir, env, exec } = await repo();
    const r = new Restic(exec, env);
    const snaps = await r.snapshots();
    expect(snaps.map((s) => s.hostname)).toEqual(['volsync']);
    expect((await r.stats(snaps[0]!.id)).total_file_count).toBeGreaterThanOrEqual(1);
    await r.restoreTo(snaps[0]!.id, join(dir, 'out'));
    expect(await readFile(join(dir, 'out', 'a.txt'), 'utf8')).toBe('hello restic\n');
    expect((await r.check('1/1')).exitCode).toBe(0);
    expect(JSON.stringify(exec.journal)).not.toContain('correct-horse-battery');
  });

  it('classifies a wrong password and a missing repository', async () => {
    const { dir, env, exec } = await repo();
    const wrong = await new Restic(exec, { ...env, RESTIC_PASSWORD: 'nope-nope-nope' }).snapshots().catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ToolError);
    expect((wrong as ToolError).kind).toBe('Auth');
    const missing = await new Restic(exec, { ...env, RESTIC_REPOSITORY: join(dir, 'elsewhere') }).snapshots().catch((e: unknown) => e);
    expect((missing as ToolError).kind).toBe('NotFound');
  });
});
