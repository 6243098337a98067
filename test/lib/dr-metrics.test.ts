import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { push, writeTextfile, type DrillSample } from '../../lib/dr/metrics.ts';

const ok = (app: string, at: number): DrillSample => ({ cluster: 'lab', namespace: 'apps', app, success: true, at, rtoSeconds: 42.5, restoreSeconds: 30, dataAgeSeconds: 3600, latestSnapshotSeconds: at - 3600 });
const failed = (app: string, at: number): DrillSample => ({ cluster: 'lab', namespace: 'apps', app, success: false, at, latestSnapshotSeconds: at - 7200 });

describe('drill metrics', () => {
  const dirs: string[] = [];
  afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

  it('textfile: a failure keeps the last success timestamp; other apps stay; no temp file is left', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rh-metrics-'));
    dirs.push(dir);
    const file = join(dir, 'out', 'dr.prom');
    const state = join(dir, 'state.json');
    await writeTextfile(file, state, [ok('paperless', 1000), ok('immich', 1000)]);
    await writeTextfile(file, state, [failed('paperless', 2000)]);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('# TYPE dr_drill_success gauge');
    expect(text).toContain('dr_drill_success{cluster="lab",namespace="apps",app="paperless"} 0');
    expect(text).toContain('dr_drill_last_success_timestamp_seconds{cluster="lab",namespace="apps",app="paperless"} 1000');
    expect(text).toContain('backup_latest_snapshot_timestamp_seconds{cluster="lab",namespace="apps",app="paperless"} -5200');
    expect(text).not.toContain('dr_drill_rto_seconds{cluster="lab",namespace="apps",app="paperless"}');
    expect(text).toContain('dr_drill_success{cluster="lab",namespace="apps",app="immich"} 1');
    expect(text).toContain('dr_drill_rto_seconds{cluster="lab",namespace="apps",app="immich"} 42.5');
    expect(await readdir(join(dir, 'out'))).toEqual(['dr.prom']);
  });

  it('Pushgateway: POST per app group; a failure pushes no last-success sample', async () => {
    const got: { method: string; url: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => { got.push({ method: req.method!, url: req.url!, body }); res.writeHead(200).end(); });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await push(url, [ok('paperless', 1000), failed('immich', 1000)]);
    } finally {
      server.close();
    }
    expect(got.map((g) => [g.method, g.url])).toEqual([
      ['POST', '/metrics/job/rackhand_dr_drill/cluster/lab/namespace/apps/app/paperless'],
      ['POST', '/metrics/job/rackhand_dr_drill/cluster/lab/namespace/apps/app/immich'],
    ]);
    expect(got[0]!.body).toMatch(/^dr_drill_last_success_timestamp_seconds\{.*app="paperless"\} 1000$/m);
    expect(got[1]!.body).toMatch(/^dr_drill_success\{.*app="immich"\} 0$/m);
    expect(got[1]!.body).not.toMatch(/^dr_drill_last_success_timestamp_seconds\{/m);
  });

  it('Pushgateway errors are reported, not swallowed', async () => {
    await expect(push('http://127.0.0.1:9', [ok('paperless', 1)], 2000)).rejects.toThrow();
  });
});
