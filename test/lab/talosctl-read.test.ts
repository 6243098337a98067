// The fake talosctl's read-only commands against a v1.12 lab: version, get -o json, etcd members/status/snapshot,
// error texts for unknown nodes and flags.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/lab.js';
import { closeLab, openLab, rows } from './kubectl.js';
import { concatenatedJson, talosctl } from './talosctl.js';

let lab: Lab;
beforeAll(async () => { lab = await openLab({ rebootMs: 300 }); });
afterAll(async () => closeLab(lab));

describe('fake talosctl, v1.12 generation (read-only)', () => {
  it('writes an executable wrapper and a talosconfig, and rackhand.yaml points at the talosconfig', async () => {
    expect((await stat(join(lab.dir, 'bin', 'talosctl'))).mode & 0o777).toBe(0o755);
    expect(await readFile(join(lab.dir, 'bin', 'talosctl'), 'utf8')).toMatch(/^#!\/bin\/sh\nexec .*fake-cli\.mjs' --lab http:\/\/127\.0\.0\.1:\d+ --tool talosctl -- "\$@"\n$/);
    expect(await readFile(lab.talosconfigPath, 'utf8')).toContain('context: lab');
    expect(await readFile(lab.configPath, 'utf8')).toContain('talosconfig: ./talosconfig');
  });

  it('prints the client version long and short, as PrintLongVersion / PrintShortVersion do', async () => {
    const long = await talosctl(lab, 'version', '--client');
    expect(long.exitCode).toBe(0);
    expect(long.stdout).toMatch(/^Client:\n\tTag:         v1\.12\.1\n\tSHA:         [0-9a-f]{8}\n\tBuilt:       \n\tGo version:  go[\d.]+\n\tOS/);
    expect((await talosctl(lab, 'version', '--client', '--short')).stdout).toBe('Client:\nTalos v1.12.1\n');
  });

  it('prints a Server section with NODE and Tag per node; the default node comes from the talosconfig', async () => {
    const r = await talosctl(lab, '-n', '10.5.0.11,10.5.0.21', 'version', '--short');
    expect(r.stdout).toContain('Server:\n\tNODE:        10.5.0.11\n\tTag:         v1.12.1\n');
    expect(r.stdout).toContain('\tNODE:        10.5.0.21\n\tTag:         v1.12.1\n');
    expect((await talosctl(lab, 'version')).stdout).toContain('\tNODE:        10.5.0.11\n');
  });

  it('get -o json prints one 4-space-indented object per node, concatenated, keys metadata/node/spec', async () => {
    const r = await talosctl(lab, '-n', '10.5.0.11,10.5.0.22', 'get', 'version', '-o', 'json');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.startsWith('{\n    "metadata": {\n        "created"')).toBe(true);
    const objs = concatenatedJson(r.stdout);
    expect(objs.map((o) => [o.node, o.spec.version, o.metadata.type])).toEqual([['10.5.0.11', 'v1.12.1', 'Versions.runtime.talos.dev'], ['10.5.0.22', 'v1.12.1', 'Versions.runtime.talos.dev']]);
    expect(() => JSON.parse(r.stdout)).toThrow();
    const ms = concatenatedJson((await talosctl(lab, '-n', 'w1', 'get', 'machinestatus', '-o', 'json')).stdout);
    expect(ms[0].spec).toEqual({ stage: 'running', status: { ready: true, unmetConditions: [] } });
  });

  it('lists etcd members and status in upstream tables, with an etcd fault in ERRORS', async () => {
    const members = rows((await talosctl(lab, '-n', '10.5.0.11', 'etcd', 'members')).stdout);
    expect(members[0]).toEqual(['NODE', 'ID', 'HOSTNAME', 'PEER URLS', 'CLIENT URLS', 'LEARNER']);
    expect(members.slice(1).map((r) => r[2])).toEqual(['cp1', 'cp2', 'cp3']);
    expect(members[1]![3]).toBe('https://10.5.0.11:2380');
    lab.faults.etcdUnhealthy('cp2', 'etcdserver: no leader');
    const status = await talosctl(lab, '-n', '10.5.0.11,10.5.0.12,10.5.0.13', 'etcd', 'status');
    lab.faults.clearFaults();
    const table = rows(status.stdout);
    expect(table[0]).toEqual(['NODE', 'MEMBER', 'DB SIZE', 'IN USE', 'LEADER', 'RAFT INDEX', 'RAFT TERM', 'RAFT APPLIED INDEX', 'LEARNER', 'ERRORS']);
    expect(table[2]![0]).toBe('10.5.0.12');
    expect(table[2]![9]).toBe('etcdserver: no leader');
    expect(table[1]).toHaveLength(9); // no errors: the ERRORS cell is empty
    const worker = await talosctl(lab, '-n', '10.5.0.21', 'etcd', 'members');
    expect(worker.exitCode).toBe(1);
    expect(worker.stderr).toContain('error getting members: 1 error occurred:\n\t* 10.5.0.21: rpc error: code = Unknown desc = failed to create etcd client');
  });

  it('writes an etcd snapshot where talosctl would (relative to its cwd) and reports its size', async () => {
    const r = await talosctl(lab, '-n', '10.5.0.11', 'etcd', 'snapshot', 'backup.db');
    expect(r.exitCode).toBe(0);
    const size = (await stat(join(lab.dir, 'backup.db'))).size;
    expect(size % 512).toBe(32); // the sha256 the etcd snapshot check wants
    expect(r.stdout).toMatch(new RegExp(`^etcd snapshot saved to "backup.db" \\(${size} bytes\\)\nsnapshot info: hash [0-9a-f]{8}, revision \\d+, total keys \\d+, total size \\d+\n$`));
    const multi = await talosctl(lab, '-n', '10.5.0.11,10.5.0.12', 'etcd', 'snapshot', 'x.db');
    expect(multi).toMatchObject({ exitCode: 1, stderr: 'command "etcd snapshot" is not supported with multiple nodes\n\nUsage:\n  talosctl etcd snapshot [flags]\n' + multi.stderr.split('[flags]\n')[1] });
  });

  it('answers an unknown node with the gRPC Unavailable text, unknown flags and commands as cobra does', async () => {
    const r = await talosctl(lab, '-n', '10.5.0.99', 'get', 'version', '-o', 'json');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 10.5.0.99:50000: connect: no route to host"');
    const flag = await talosctl(lab, 'upgrade', '--foo');
    expect(flag.exitCode).toBe(1);
    expect(flag.stderr).toMatch(/^unknown flag: --foo\n\nUsage:\n  talosctl upgrade \[flags\]\n/);
    expect((await talosctl(lab, 'upgrade', '--drain')).stderr).toMatch(/^unknown flag: --drain\n/); // a v1.13 flag
    const cmd = await talosctl(lab, 'frobnicate');
    expect(cmd).toMatchObject({ exitCode: 1 });
    expect(cmd.stderr).toMatch(/^unknown command "frobnicate" for "talosctl"\n/);
  });

  it('bootstrap on a bootstrapped cluster answers AlreadyExists', async () => {
    const r = await talosctl(lab, '-n', '10.5.0.11', 'bootstrap');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('error executing bootstrap: rpc error: code = AlreadyExists desc = etcd data directory is not empty\n');
  });
});
