// lab/daemon.ts as a process: state.json appears once the lab serves, kubectl works with its env, SIGTERM stops it.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { KUBECTL, until } from './kubectl.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('lab daemon', () => {
  it('writes state.json when ready, serves kubectl, and exits 0 on SIGTERM leaving its dir in place', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rackhand-labd-'));
    dirs.push(dir);
    const proc = execa('npx', ['tsx', 'lab/daemon.ts', '--dir', dir, '--kubernetes-version', 'v1.30.8'], { reject: false });
    let state: any;
    await until('state.json', async () => {
      try {
        state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'));
        return true;
      } catch {
        return false;
      }
    }, 20_000);
    expect(state).toMatchObject({ dir, kubeconfigPath: join(dir, 'kubeconfig'), configPath: join(dir, 'rackhand.yaml') });
    expect(state.url).toBe(`http://127.0.0.1:${state.port}`);
    const r = await execa(KUBECTL, ['get', 'nodes', '-o', 'name'], { env: state.env, reject: false });
    expect(r.stdout.split('\n')).toEqual(['node/cp1', 'node/cp2', 'node/cp3', 'node/w1', 'node/w2']);
    const config = await readFile(join(dir, 'rackhand.yaml'), 'utf8');
    expect(config).toContain(`apiServer: ${state.url}`);
    expect(config).toContain('versions: { talos: v1.12.1, kubernetes: v1.30.8 }');
    process.kill(state.pid, 'SIGTERM');
    const done = await proc;
    expect(done.exitCode).toBe(0);
    await expect(fetch(`${state.url}/version`)).rejects.toThrow();
    await expect(readFile(join(dir, 'kubeconfig'), 'utf8')).resolves.toContain('current-context: admin@lab');
  }, 40_000);
});
