import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

type TestLab = Awaited<ReturnType<typeof withLab>>;
const SENTINEL = 'rackhand-sentinel apps/paperless v1\n';
const SHA = createHash('sha256').update(SENTINEL).digest('hex');
const SCRATCH = 'rackhand-drill-paperless';

interface Target {
  app: string; ok: boolean; scratchNamespace: string; kept: boolean; restoreSeconds: number; rtoSeconds: number; dataAgeSeconds: number;
  restoredSnapshot: { id: string; time: string }; latestSnapshot: { id: string; time: string };
  restored: { files: number; bytes: number }; expected: { files: number; bytes: number }; checks: { name: string; ok: boolean; message: string }[];
  targets?: { rtoSeconds: number; rpoSeconds: number }; breaches?: string[];
}
interface Drill { ok: boolean; cluster: string; targets: Target[]; report: { json: string; markdown: string } }

/** `name{labels} value` lines of a Prometheus text exposition, keyed by `name{labels}`. */
function samples(text: string): Map<string, number> {
  return new Map(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => { const i = l.lastIndexOf(' '); return [l.slice(0, i), Number(l.slice(i + 1))]; }));
}
const L = '{cluster="lab",namespace="apps",app="paperless"}';

describe('dr:drill against the lab (real restic, verification Job)', () => {
  let lab: TestLab;
  let created: { resource: string; namespace?: string }[] = [];
  let metrics: string;
  let firstSuccess: number;
  beforeAll(async () => {
    lab = await withLab();
    lab.store.listen((ev) => { if (ev.type === 'ADDED') created.push({ resource: ev.resource, namespace: ev.object.metadata.namespace }); });
    metrics = join(lab.dir, 'textfile', 'dr.prom');
  }, 60_000);
  afterAll(async () => { await lab?.stop(); });

  const setSentinel = async (sha: string, targets = '') => {
    const base = (await readFile(lab.configPath, 'utf8')).replace(/\n    backups:[\s\S]*$/, '\n');
    await writeFile(lab.configPath, `${base}    backups:\n      apps:\n        paperless: { sentinel: { path: .rackhand-sentinel, sha256: ${sha} }${targets} }\n`);
  };

  it('restores into a scratch namespace, verifies in-cluster, measures, reports, writes metrics, tears down', async () => {
    await setSentinel(SHA);
    created = [];
    const eventsBefore = lab.events.length;
    const replicasBefore = lab.store.find('deployments.apps', 'apps', 'paperless')!.spec.replicas;
    const r = await lab.run(['dr:drill', '--app', 'paperless', '--yes', '--json', '--metrics-file', metrics]);
    expect(r.code, r.stderr).toBe(0);
    const d = r.record!.data.drill as Drill;
    const t = d.targets[0]!;
    expect(t).toMatchObject({ app: 'apps/paperless', ok: true, scratchNamespace: SCRATCH, kept: false });
    expect(t.checks.map((c) => [c.name, c.ok])).toEqual([['the repository has a snapshot', true], ['restored files match the snapshot', true], ['sentinel .rackhand-sentinel', true], ['recovery point within target', true], ['restore within target', true]]);
    expect(t.targets).toEqual({ rtoSeconds: 1800, rpoSeconds: 93_600 });
    expect(t.restored).toEqual(t.expected);
    expect(t.restored.files).toBeGreaterThanOrEqual(5);
    expect(t.restoredSnapshot.id).toBe(t.latestSnapshot.id);
    expect(t.restoreSeconds).toBeGreaterThan(0);
    expect(t.rtoSeconds).toBeGreaterThanOrEqual(t.restoreSeconds);
    expect(t.dataAgeSeconds).toBeGreaterThan(0);
    // --json prints the run record, drill included
    expect((JSON.parse(r.stdout) as { data: { drill: Drill } }).data.drill.targets[0]!.ok).toBe(true);

    // the restore happened in the scratch namespace with a ReplicationDestination and a Job; never a ReplicationSource there
    const inScratch = new Set(created.filter((c) => c.namespace === SCRATCH).map((c) => c.resource));
    expect(inScratch).toContain('replicationdestinations.volsync.backube');
    expect(inScratch).toContain('jobs.batch');
    expect(inScratch).not.toContain('replicationsources.volsync.backube');
    // torn down; the app untouched
    expect(lab.store.find('namespaces', undefined, SCRATCH)).toBeUndefined();
    expect(lab.store.find('deployments.apps', 'apps', 'paperless')!.spec.replicas).toBe(replicasBefore);
    expect(lab.events.slice(eventsBefore).filter((e) => e.type.startsWith('flux-') || e.type === 'app-scaled')).toEqual([]);

    // report: JSON + Markdown
    const json = JSON.parse(await readFile(d.report.json, 'utf8')) as Drill;
    expect(json.targets[0]!.rtoSeconds).toBe(t.rtoSeconds);
    const md = await readFile(d.report.markdown, 'utf8');
    expect(md).toContain('# DR drill of cluster lab: PASSED');
    expect(md).toMatch(/\| apps\/paperless \| volsync \| passed \| [0-9a-f]{8} /);

    // metrics file
    const m = samples(await readFile(metrics, 'utf8'));
    expect(m.get(`dr_drill_success${L}`)).toBe(1);
    firstSuccess = m.get(`dr_drill_last_success_timestamp_seconds${L}`)!;
    expect(Math.abs(firstSuccess - Date.now() / 1000)).toBeLessThan(120);
    expect(m.get(`dr_drill_rto_seconds${L}`)).toBe(t.rtoSeconds);
    expect(m.get(`dr_drill_restore_duration_seconds${L}`)).toBe(t.restoreSeconds);
    expect(m.get(`dr_drill_data_age_seconds${L}`)).toBe(t.dataAgeSeconds);
    expect(m.get(`backup_latest_snapshot_timestamp_seconds${L}`)).toBe(Math.floor(Date.parse(t.latestSnapshot.time) / 1000));
    expect(m.get(`dr_drill_rto_target_seconds${L}`)).toBe(1800);
    expect(m.get(`dr_drill_rpo_target_seconds${L}`)).toBe(93_600);

    // the restic password appears nowhere
    const password = lab.volsync.repository('paperless').RESTIC_PASSWORD!;
    for (const text of [r.stdout, r.stderr, JSON.stringify(r.record), await readFile(d.report.json, 'utf8'), md, await readFile(metrics, 'utf8')]) expect(text).not.toContain(password);
  }, 120_000);

  it('a failed verification exits 1, keeps the last success timestamp, and --keep-on-failure leaves the namespace', async () => {
    await setSentinel('ab'.repeat(32));
    await new Promise((res) => setTimeout(res, 1_100));
    const r = await lab.run(['dr:drill', '--app', 'paperless', '--yes', '--keep-on-failure', '--metrics-file', metrics]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/apps\/paperless +FAILED .*sha256 [0-9a-f]{64}, expected abab/);
    expect(r.stderr).toContain(`kubectl delete namespace ${SCRATCH}`);
    expect(lab.store.find('namespaces', undefined, SCRATCH)).toBeDefined();
    const m = samples(await readFile(metrics, 'utf8'));
    expect(m.get(`dr_drill_success${L}`)).toBe(0);
    expect(m.get(`dr_drill_last_success_timestamp_seconds${L}`)).toBe(firstSuccess);
    const md = await readFile(join(lab.dir, '.rackhand', 'drills', 'latest.md'), 'utf8');
    expect(md).toContain('FAILED');
    expect(md).toContain('(kept for inspection)');
  }, 120_000);

  it('the next drill removes the kept namespace first and passes again', async () => {
    await setSentinel(SHA);
    const r = await lab.run(['dr:drill', '--all', '--yes', '--metrics-file', metrics]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`removing ${SCRATCH}, left by an earlier drill`);
    expect(lab.store.find('namespaces', undefined, SCRATCH)).toBeUndefined();
    expect(samples(await readFile(metrics, 'utf8')).get(`dr_drill_last_success_timestamp_seconds${L}`)).toBeGreaterThan(firstSuccess);
  }, 120_000);

  it('a restore that misses its targets fails the drill, each breach named in the table, the report and the metrics; the trend shows the earlier drills', async () => {
    await setSentinel(SHA, ', rpo: 1s, rto: 1ms');
    const r = await lab.run(['dr:drill', '--app', 'paperless', '--yes', '--metrics-file', metrics]);
    expect(r.code).toBe(1);
    const t = (r.record!.data.drill as Drill).targets[0]!;
    expect(t.breaches).toEqual([expect.stringMatching(/^RPO breach: data \S+ old, target 1s$/), expect.stringMatching(/^RTO breach: \S+, target 1ms$/)]);
    expect(t.restored).toEqual(t.expected); // the data itself was fine
    expect(r.stdout).toMatch(/apps\/paperless\s+FAILED .* BREACH .* BREACH/);
    expect(r.stderr).toMatch(/1 of 1 drill target\(s\) failed: apps\/paperless \(RPO breach: .*; RTO breach: /);
    const md = await readFile(join(lab.dir, '.rackhand', 'drills', 'latest.md'), 'utf8');
    expect(md).toMatch(/\| apps\/paperless \| volsync \| FAILED \(target missed\) \|/);
    expect(md).toMatch(/## Targets missed\n\n- apps\/paperless: RPO breach/);
    // the trend: this drill and the three before it (passed, failed verification, passed)
    const trend = md.slice(md.indexOf('## Trend over the last 4 drills'));
    expect(trend.match(/^\| \d{4}-\S+ \| (passed|FAILED|target missed) \|/gm)?.map((l) => l.split(' | ')[1]!.replace(' |', ''))).toEqual(['passed', 'FAILED', 'passed', 'target missed']);
    const m = samples(await readFile(metrics, 'utf8'));
    expect(m.get(`dr_drill_success${L}`)).toBe(0);
    expect(m.get(`dr_drill_rpo_target_seconds${L}`)).toBe(1);
    expect(m.get(`dr_drill_rto_target_seconds${L}`)).toBe(0.001);
    expect(lab.store.find('namespaces', undefined, SCRATCH)).toBeUndefined();
    await setSentinel(SHA);
  }, 120_000);

  it('--all keeps going when one target fails: an app with an empty repository fails, the other passes; exit 1', async () => {
    await lab.volsync.addApp({ name: 'empty', snapshots: 0, paused: true, replicas: 0 });
    const r = await lab.run(['dr:drill', '--all', '--yes', '--json', '--metrics-file', metrics]);
    expect(r.code).toBe(1);
    const d = (JSON.parse(r.stdout) as { data: { drill: Drill } }).data.drill;
    expect(d.ok).toBe(false);
    // empty comes first: its failure did not stop the paperless drill after it
    expect(d.targets.map((t) => [t.app, t.ok])).toEqual([['apps/empty', false], ['apps/paperless', true]]);
    expect(d.targets[0]!.checks).toEqual([{ name: 'the repository has a snapshot', ok: false, message: 'none: a restore would restore NOTHING' }]);
    expect(lab.store.find('namespaces', undefined, 'rackhand-drill-empty')).toBeUndefined();
    const m = samples(await readFile(metrics, 'utf8'));
    expect(m.get(`dr_drill_success${L}`)).toBe(1);
    expect(m.get('dr_drill_success{cluster="lab",namespace="apps",app="empty"}')).toBe(0);
    expect(m.has('dr_drill_last_success_timestamp_seconds{cluster="lab",namespace="apps",app="empty"}')).toBe(false);
    expect(r.stderr).toContain('1 of 2 drill target(s) failed: apps/empty');
    await lab.store.delete('replicationsources.volsync.backube', 'apps', 'empty');
  }, 120_000);

  it('Ctrl-C during the restore: exit 130 and the scratch namespace is still torn down', async () => {
    const interrupt = new AbortController();
    const stop = lab.store.listen((ev) => { if (ev.type === 'ADDED' && ev.resource === 'replicationdestinations.volsync.backube' && ev.object.metadata.namespace === SCRATCH) setTimeout(() => interrupt.abort(), 100); });
    const r = await lab.run(['dr:drill', '--app', 'paperless', '--yes'], { interrupt });
    stop();
    expect(r.code).toBe(130);
    expect(lab.store.find('namespaces', undefined, SCRATCH)).toBeUndefined();
  }, 120_000);

  it('--dry-run shows the restore and the Job and creates nothing', async () => {
    created = [];
    const r = await lab.run(['dr:drill', '--app', 'paperless', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\[dry-run\] kubectl .*apply --server-side/);
    expect(r.stderr).toMatch(/\[dry-run\] kubectl .*delete namespace rackhand-drill-paperless/);
    expect(created).toEqual([]);
  }, 60_000);

  it('bad input: --app and --all together, no target at all, or --snapshot without --cluster-state is refused with exit 2', async () => {
    const both = await lab.run(['dr:drill', '--app', 'paperless', '--all']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('expected one of --app NAME or --all, not both');
    const none = await lab.run(['dr:drill']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('expected --app NAME, --all, --cnpg CLUSTER, --dump NAME or --cluster-state');
    const snap = await lab.run(['dr:drill', '--all', '--snapshot', 'x']);
    expect(snap.code).toBe(2);
    expect(snap.stderr).toContain('--snapshot: only with --cluster-state');
    for (const r of [both, none, snap]) expect(r.record?.commands ?? []).toEqual([]);
  });
});
