// compose:drift over 10 lab Docker hosts (real sshd each, the fake docker behind it, the Git checkouts), hosts read
// side by side (--parallel 10) and one at a time (--parallel 1): the real CLI process. Goal: a 10-host audit well
// under 5 minutes.
import { join } from 'node:path';
import { startComposeLab } from '../../lab/compose/index.ts';
import { Executor } from '../../lib/exec.ts';

const HOSTS = Number(process.env.BENCH_COMPOSE_HOSTS ?? 10);
const lab = await startComposeLab({ hosts: HOSTS });
try {
  const env = { ...process.env, RACKHAND_CONFIG: lab.configPath, RACKHAND_STATE_DIR: join(lab.dir, '.rackhand'), CI: 'true' };
  const exec = new Executor({ env });
  const audit = async (parallel: number) => {
    const r = await exec.run([process.execPath, '--import', 'tsx', 'tasks/index.ts', 'compose:drift', '--json', '--parallel', String(parallel)], { mutating: false, timeoutMs: 10 * 60_000 });
    const rec = JSON.parse(r.stdout) as { exitCode: number; data: { drift: { hosts: unknown[] } } };
    if (rec.exitCode !== 0) throw new Error(`compose:drift exited ${rec.exitCode}: ${r.stderr.slice(-800)}`);
    return { ms: r.durationMs, hosts: rec.data.drift.hosts.length };
  };
  const serial = await audit(1);
  const parallel = await audit(HOSTS);
  console.log(`compose: ${parallel.hosts} hosts; serial ${(serial.ms / 1000).toFixed(1)} s, parallel ${HOSTS} ${(parallel.ms / 1000).toFixed(1)} s (goal: < 300 s)`);
} finally {
  await lab.stop();
}
