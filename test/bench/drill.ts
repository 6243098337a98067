// dr:drill --all over 20 lab apps (each its own restic repository), serial (--parallel 1) and side by side
// (--parallel 20): the real CLI process against the default lab. The slowest single app is the longest RTO of the
// serial run (each app drilled alone). Goal: the parallel wall time <= 1.3 x that slowest single app.
import { join } from 'node:path';
import { startLab } from '../../lab/lab.ts';
import { Executor } from '../../lib/exec.ts';

const APPS = Number(process.env.BENCH_DRILL_APPS ?? 20);
const lab = await startLab({});
try {
  for (let i = 0; i < APPS; i++) {
    await lab.volsync.addApp({ name: `app${String(i).padStart(2, '0')}`, replicas: 0, snapshots: 1, paused: true, files: { 'data/a.bin': { bytes: 200_000, seed: i + 1 }, 'data/b.txt': `app ${i}\n` } });
  }
  // the default lab's own app too: 21 targets in all
  const env = { ...process.env, ...lab.env, RACKHAND_STATE_DIR: join(lab.dir, '.rackhand'), CI: 'true' };
  const exec = new Executor({ env });
  const drill = async (parallel: number) => {
    const r = await exec.run([process.execPath, '--import', 'tsx', 'tasks/index.ts', 'dr:drill', '--all', '--yes', '--json', '--parallel', String(parallel)], { mutating: false, timeoutMs: 60 * 60_000 });
    const record = JSON.parse(r.stdout) as { exitCode: number; data: { drill: { targets: { app: string; ok: boolean; rtoSeconds?: number }[] } } };
    if (record.exitCode !== 0) throw new Error(`dr:drill --parallel ${parallel} exited ${record.exitCode}: ${r.stderr.slice(-1500)}`);
    return { wallMs: r.durationMs, targets: record.data.drill.targets };
  };
  const serial = await drill(1);
  const slowest = Math.max(...serial.targets.map((t) => t.rtoSeconds ?? 0)) * 1000;
  const parallel = await drill(APPS);
  console.log(`drill: ${serial.targets.length} targets; serial ${(serial.wallMs / 1000).toFixed(1)} s, parallel ${APPS} ${(parallel.wallMs / 1000).toFixed(1)} s, slowest single app ${(slowest / 1000).toFixed(1)} s`);
  console.log(`drill: parallel / slowest single app ${(parallel.wallMs / slowest).toFixed(2)} (goal <= 1.30); serial / parallel ${(serial.wallMs / parallel.wallMs).toFixed(1)}x`);
} finally {
  await lab.stop();
}
