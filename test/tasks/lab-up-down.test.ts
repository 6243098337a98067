import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

// lab:up / lab:status / lab:down as an operator runs them: real processes, `eval "$(npx tsx tasks lab:up)"`.
describe('lab:up, lab:status, lab:down', () => {
  let state = '';
  const tasks = (args: string[], env: Record<string, string | undefined> = {}) =>
    execa('node', ['--import', 'tsx', 'tasks/index.ts', ...args], { env: { ...process.env, CI: 'true', RACKHAND_STATE_DIR: state, ...env }, reject: false });
  afterAll(async () => {
    await tasks(['lab:down']);
    await rm(state, { recursive: true, force: true });
  });

  it('lab:up prints only export lines; evaluated by a shell they point the real kubectl and rackhand at the lab', async () => {
    state = await mkdtemp(join(tmpdir(), 'rackhand-labup-'));
    const up = await tasks(['lab:up']);
    expect(up.exitCode).toBe(0);
    const lines = up.stdout.trim().split('\n');
    expect(lines.every((l) => l.startsWith('export '))).toBe(true);
    expect(lines.map((l) => l.split('=')[0])).toEqual(['export KUBECONFIG', 'export KUBECACHEDIR', 'export RACKHAND_CONFIG', 'export OP_CONNECT_HOST', 'export OP_CONNECT_TOKEN', 'export PATH']);
    // what `eval "$(npx tsx tasks lab:up)"` does, then kubectl and rackhand with nothing else set
    const script = `eval "$1"; kubectl get nodes -o name && node --import tsx tasks/index.ts cluster:status --json`;
    const r = await execa('bash', ['-c', script, 'bash', up.stdout], { env: { ...process.env, CI: 'true', RACKHAND_STATE_DIR: state }, reject: false });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('node/cp1\nnode/cp2\nnode/cp3\nnode/w1\nnode/w2\n');
    expect(JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))).cluster).toBe('lab');
  });

  it('a lab daemon that cannot start: lab:up exits 1 with the daemon\'s own error, not just "see the log"', async () => {
    const other = await mkdtemp(join(tmpdir(), 'rackhand-labup-bad-'));
    try {
      const r = await tasks(['lab:up', '--topology', 'no-such-topology.yaml'], { RACKHAND_STATE_DIR: other });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain('the lab daemon exited during start-up:');
      expect(r.stderr).toContain('no-such-topology.yaml');
      expect(r.stdout).toBe(''); // nothing for eval to pick up
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('lab:up --empty without --topology is the example infra cluster, which bootstrap:infra can bootstrap', async () => {
    const other = await mkdtemp(join(tmpdir(), 'rackhand-labup-empty-'));
    try {
      const r = await tasks(['lab:up', '--empty', '--dry-run'], { RACKHAND_STATE_DIR: other });
      expect(r.exitCode).toBe(0);
      expect(r.stderr).toMatch(/--topology \S+\/lab\/topologies\/infra\.yaml --empty/);
      expect(r.stderr).toContain('bootstrap it with npx tsx tasks bootstrap:infra');
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('a second lab:up reuses the running lab (nothing to do, same exports)', async () => {
    const first = JSON.parse((await tasks(['lab:status', '--json'])).stdout) as { data: { lab: { pid: number; url: string } } };
    const again = await tasks(['lab:up', '--json']);
    expect(again.exitCode).toBe(0);
    const rec = JSON.parse(again.stdout) as { result: string; data: { lab: { pid: number; url: string } } };
    expect(rec.result).toBe('nothing-to-do');
    expect(rec.data.lab.url).toBe(first.data.lab.url);
  });

  it('lab:down stops the daemon and removes its files; lab:status then exits 1 with the next command', async () => {
    const st = JSON.parse((await tasks(['lab:status', '--json'])).stdout) as { data: { lab: { pid: number } } };
    // the shell that evaluated lab:up evaluates lab:down: nothing of the dead lab is left in its environment
    const up = await tasks(['lab:up']);
    const script = `eval "$1"; out=$(node --import tsx tasks/index.ts lab:down) || exit 9; printf '%s\n' "$out" >&2; eval "$out"; `
      + 'echo "K=${KUBECONFIG:-} R=${RACKHAND_CONFIG:-} O=${OP_CONNECT_HOST:-} T=${OP_CONNECT_TOKEN:-}"; command -v talosctl || echo no-talosctl';
    const down = await execa('bash', ['-c', script, 'bash', up.stdout], { env: { ...process.env, CI: 'true', RACKHAND_STATE_DIR: state, KUBECONFIG: '', RACKHAND_CONFIG: '' }, reject: false });
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.stderr).toContain('unset KUBECONFIG');
    expect(down.stdout).toContain('K= R= O= T=');
    expect(down.stdout).not.toContain(join(state, 'lab', 'bin'));
    expect(existsSync(join(state, 'lab'))).toBe(false);
    expect(() => process.kill(st.data.lab.pid, 0)).toThrow();
    const status = await tasks(['lab:status']);
    expect(status.exitCode).toBe(1);
    expect(status.stderr).toContain('no lab is running');
    expect(status.stderr).toContain('next: npx tsx tasks lab:up');
    const again = await tasks(['lab:down']);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain('no lab is running');
  });
});
