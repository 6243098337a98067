import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

describe('talos:etcd-snapshot against the lab', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => { lab = await withLab(); });
  afterAll(async () => { await lab?.stop(); });

  it('saves a timestamped, private snapshot under .rackhand/snapshots/<cluster>/ and reports its size and sha256', async () => {
    const r = await lab.run(['talos:etcd-snapshot', '--node', 'cp2']);
    expect(r.code).toBe(0);
    const snap = r.record!.data.snapshot as { path: string; bytes: number; sha256: string; node: string };
    expect(snap.path).toMatch(new RegExp(`^${lab.dir}/.rackhand/snapshots/lab/etcd-\\d{4}-\\d\\d-\\d\\dT[\\d-]+Z\\.db$`));
    expect(snap.node).toBe('cp2');
    const st = await stat(snap.path);
    expect(st.mode & 0o777).toBe(0o600);
    expect(snap.bytes).toBe(st.size);
    expect(snap.sha256).toBe(createHash('sha256').update(await readFile(snap.path)).digest('hex'));
    expect(r.stdout).toContain(`size:   ${st.size} bytes`);
    expect(r.stdout).toContain(`sha256: ${snap.sha256}`);
    expect(r.record!.commands.map((c) => c.argv.slice(3).join(' '))).toContain(`--nodes 10.5.0.12 etcd snapshot ${snap.path}`);
  });
});
