// dr:verify-backups overhead: wall time of `dr:verify-backups --app big --subsets 1` (the real CLI process against
// a lab app whose restic repository holds >= 200 MB), divided by the same restic commands run bare with the same
// environment (snapshots, check --read-data-subset 1/1, restore --verify, ls --json). Goal: <= 1.10.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab } from '../../lab/lab.ts';
import { Executor } from '../../lib/exec.ts';

const MB = Number(process.env.BENCH_VERIFY_MB ?? 200);
const lab = await startLab({});
try {
  const files = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`media/blob-${i}.bin`, { bytes: Math.ceil((MB * 1024 * 1024) / 8), seed: i + 1 }]));
  await lab.volsync.addApp({ name: 'big', replicas: 0, snapshots: 1, paused: true, files });
  const env = { ...process.env, ...lab.env, RACKHAND_STATE_DIR: join(lab.dir, '.rackhand'), CI: 'true' };
  const exec = new Executor({ env });
  const task = async (): Promise<number> => {
    const cli = await exec.run([process.execPath, '--import', 'tsx', 'tasks/index.ts', 'dr:verify-backups', '--app', 'big', '--subsets', '1'], { mutating: false, timeoutMs: 30 * 60_000 });
    if (cli.exitCode !== 0) throw new Error(`dr:verify-backups exited ${cli.exitCode}: ${cli.stderr.slice(-1500)}`);
    return cli.durationMs;
  };
  const repo = { ...env, ...lab.volsync.repository('big') } as Record<string, string>;
  const bare = new Executor({ env: repo });
  const restic = async (): Promise<number> => {
    const target = await mkdtemp(join(tmpdir(), 'rackhand-bench-restore-'));
    const started = performance.now();
    const snaps = JSON.parse((await bare.ok(['restic', 'snapshots', '--json', '--no-lock', '--host', 'volsync'], { mutating: false, timeoutMs: 600_000 })).stdout) as { id: string }[];
    await bare.ok(['restic', 'check', '--read-data-subset', '1/1'], { mutating: false, timeoutMs: 1_800_000 });
    await bare.ok(['restic', 'restore', snaps[0]!.id, '--target', target, '--verify'], { mutating: false, timeoutMs: 1_800_000 });
    await bare.ok(['restic', 'ls', '--json', '--no-lock', snaps[0]!.id], { mutating: false, timeoutMs: 600_000 });
    const ms = Math.round(performance.now() - started);
    await rm(target, { recursive: true, force: true });
    return ms;
  };
  // One warm-up of each (restic's local cache and the page cache fill on the first run, whichever runs first), then
  // ROUNDS interleaved runs; medians compared.
  await restic();
  await task();
  const ROUNDS = Number(process.env.BENCH_VERIFY_ROUNDS ?? 3);
  const taskMs: number[] = [];
  const bareMsAll: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    bareMsAll.push(await restic());
    taskMs.push(await task());
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const cli = { durationMs: median(taskMs) };
  const bareMs = median(bareMsAll);
  console.log(`verify: repository of ${MB} MB (8 files), restic ${(await bare.ok(['restic', 'version'], { mutating: false })).stdout.trim().split(' ')[1]}`);
  console.log(`verify: dr:verify-backups median wall ${cli.durationMs} ms [${taskMs.join(', ')}]; the same restic commands bare ${bareMs} ms [${bareMsAll.join(', ')}]`);
  console.log(`verify: overhead ratio ${(cli.durationMs / bareMs).toFixed(2)} (goal <= 1.10)`);
} finally {
  await lab.stop();
  await rm(lab.dir, { recursive: true, force: true });
}
