// Bad input never reaches a command: exit 2, the field named with the expected form, nothing run.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { offlineCluster } from '../helpers/offline-cluster.ts';
import { Redactor } from '../../lib/redact.ts';
import { isRfc3339 } from '../../lib/patterns.ts';

describe('inputs are refused before anything runs', () => {
  it.each([
    [['volsync:restore', '--app', 'paperless', '--as-of', '12/01/2026'], '--as-of: expected an RFC 3339 time like 2026-11-20T03:00:00Z'],
    [['volsync:restore', '--app', 'paperless', '--as-of', '2026-02-30T00:00:00Z'], '--as-of: expected an RFC 3339 time'],
    [['volsync:restore', '--app', 'paperless', '--as-of', '2026-11-20 03:00'], '--as-of: expected an RFC 3339 time'],
    [['volsync:restore', '--app', 'paperless', '--timeout', '600h'], '--timeout: at most 24 days (576h), got "600h"'],
    [['volsync:restore', '--app', 'paperless', '--timeout', '0s'], '--timeout: must be longer than 0'],
    [['cluster:status', '-o', 'json'], 'unknown flag -o: for the run record as JSON on stdout use --json'],
  ])('%j', async (argv, message) => {
    const s = await offlineCluster();
    const r = await cli(argv, { env: s.env, cwd: s.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.record?.commands ?? []).toEqual([]);
  });

  it('a YAML alias bomb in rackhand.yaml is a config error (exit 2), not a crash', async () => {
    const s = await offlineCluster();
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    await writeFile(join(s.dir, 'rackhand.yaml'), `${lines.join('\n')}\nclusters: {}\n`);
    const r = await cli(['cluster:status'], { env: s.env, cwd: s.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rackhand\.yaml: .*alias.*\(at most 100 alias expansions\)/i);
  });

  it('a broken talconfig of another cluster does not stop a task for this one; for its own cluster it is exit 2 naming the file', async () => {
    const s = await offlineCluster();
    const { readFile } = await import('node:fs/promises');
    const cfg = await readFile(join(s.dir, 'rackhand.yaml'), 'utf8');
    await writeFile(join(s.dir, 'rackhand.yaml'), `${cfg}  other:\n    distribution: talos\n    kubeconfig: ./kubeconfig\n    context: admin@home\n    apiServer: http://127.0.0.1:9\n    talconfig: ./other/talconfig.yaml\n    versions: { talos: v1.12.1 }\n`);
    await (await import('node:fs/promises')).mkdir(join(s.dir, 'other'));
    await writeFile(join(s.dir, 'other', 'talconfig.yaml'), 'clusterName: other\nnodes: [ {hostname: "UPPER CASE", ipAddress: 1} ]\n');
    const home = await cli(['talos:image', '--cluster', 'home', '--version', 'v1.12.2'], { env: s.env, cwd: s.dir });
    expect(home.code, home.stderr).toBe(0);
    const other = await cli(['talos:image', '--cluster', 'other'], { env: s.env, cwd: s.dir });
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/other\/talconfig\.yaml:\d+:\d+ nodes\.0\.hostname: expected a node name/);
  });

  it('no rackhand.yaml: the path and three ways on', async () => {
    const s = await offlineCluster();
    const r = await cli(['cluster:status', '--config', join(s.dir, 'missing.yaml')], { env: s.env, cwd: s.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(s.dir, 'missing.yaml')}: no such file`);
    expect(r.stderr).toContain('cp rackhand.example.yaml rackhand.yaml');
    expect(r.stderr).toContain('eval "$(npx tsx tasks lab:up)"');
  });

  it('RFC 3339 is checked as a calendar time with a zone', () => {
    expect(['2026-11-20T03:00:00Z', '2026-11-20T03:00:00.123+01:00', '2024-02-29T00:00:00Z'].every(isRfc3339)).toBe(true);
    expect(['2026-11-20', '2026-11-20T03:00:00', '2025-02-29T00:00:00Z', '2026-13-01T00:00:00Z', 'now'].some(isRfc3339)).toBe(false);
  });
});

describe('redaction', () => {
  it('short secrets are hidden where they stand alone, not inside ordinary words', () => {
    const r = new Redactor();
    r.add('abc');
    expect(r.redact('RESTIC_PASSWORD=abc, "abc", --token abc')).toBe('RESTIC_PASSWORD=***, "***", --token ***');
    expect(r.redact('the fabric of abcd')).toBe('the fabric of abcd');
  });
});
