// k3s rolling-upgrade overhead: wall time of `k3s:upgrade --all` (the real CLI process, real ssh to the lab's real
// sshd, real kubectl) on the 1-server + 2-agent k3s lab with a fixed simulated k3s restart time, divided by the sum of
// the simulated restarts. Goal: <= 1.10 (probes over SSH, the off-node etcd snapshot, cordon/drain/uncordon and the
// waits add at most 10% to the time the nodes spend restarting).
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startLab } from '../../lab/lab.ts';
import { Executor } from '../../lib/exec.ts';

const RESTART_MS = Number(process.env.BENCH_K3S_RESTART_MS ?? 30_000);
const lab = await startLab({ topology: 'lab/topologies/k3s.yaml', rebootMs: RESTART_MS });
try {
  await lab.k3s!.trustHostKeys();
  const exec = new Executor({ env: { ...process.env, ...lab.env, RACKHAND_STATE_DIR: join(lab.dir, '.rackhand'), CI: 'true' } });
  const argv = [process.execPath, '--import', 'tsx', 'tasks/index.ts', 'k3s:upgrade', '--cluster', 'lab', '--all', '--to', 'v1.31.4+k3s1', '--yes', '--json'];
  const r = await exec.run(argv, { mutating: false, timeoutMs: 20 * 60_000 });
  if (r.exitCode !== 0) throw new Error(`k3s:upgrade exited ${r.exitCode}: ${r.stderr.slice(-2000)}`);
  const record = JSON.parse(r.stdout) as { commands: { argv: string[] }[]; data: { controlPlaneBackMs?: Record<string, number> } };
  const restarts = lab.events.filter((e) => e.type === 'k3s-restart').length;
  const sum = restarts * RESTART_MS;
  const ssh = record.commands.filter((c) => c.argv[0] === 'ssh').length;
  console.log(`k3s rollout: ${restarts} nodes, simulated k3s restart ${RESTART_MS} ms each (sum ${sum} ms)`);
  console.log(`k3s rollout: k3s:upgrade --all wall ${r.durationMs} ms, ${record.commands.length} commands (${ssh} over ssh)`);
  console.log(`k3s rollout: control plane back after ${Object.values(record.data.controlPlaneBackMs ?? {}).join(', ')} ms (target 300000)`);
  console.log(`k3s rollout: overhead ratio ${(r.durationMs / sum).toFixed(2)} (goal <= 1.10)`);
} finally {
  await lab.stop();
  await rm(lab.dir, { recursive: true, force: true });
}
