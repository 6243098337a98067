// Rolling-upgrade overhead: wall time of `talos:upgrade-node --all` (the real CLI process, real kubectl, the lab's
// talosctl) on a 5-node lab with a fixed simulated reboot time, divided by the sum of the simulated reboot times.
// Goal: <= 1.15 (rackhand's gates, probes and snapshot add at most 15% to the time the nodes spend rebooting).
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startLab } from '../../lab/lab.ts';
import { Executor } from '../../lib/exec.ts';

const REBOOT_MS = Number(process.env.BENCH_REBOOT_MS ?? 10_000);
const lab = await startLab({ topology: 'test/testdata/topologies/rolling.yaml', rebootMs: REBOOT_MS });
try {
  const exec = new Executor({ env: { ...process.env, ...lab.env, RACKHAND_STATE_DIR: join(lab.dir, '.rackhand'), CI: 'true' } });
  const argv = [process.execPath, '--import', 'tsx', 'tasks/index.ts', 'talos:upgrade-node', '--cluster', 'lab', '--all', '--to', 'v1.12.2', '--yes', '--json'];
  const r = await exec.run(argv, { mutating: false, timeoutMs: 20 * 60_000 });
  if (r.exitCode !== 0) throw new Error(`talos:upgrade-node exited ${r.exitCode}: ${r.stderr.slice(-2000)}`);
  const record = JSON.parse(r.stdout) as { commands: unknown[] };
  const reboots = lab.events.filter((e) => e.type === 'node-reboot-start').length;
  const sum = reboots * REBOOT_MS;
  console.log(`rollout: ${reboots} nodes, simulated reboot ${REBOOT_MS} ms each (sum ${sum} ms)`);
  console.log(`rollout: talos:upgrade-node --all wall ${r.durationMs} ms, ${record.commands.length} commands`);
  console.log(`rollout: overhead ratio ${(r.durationMs / sum).toFixed(2)} (goal <= 1.15)`);
} finally {
  await lab.stop();
  await rm(lab.dir, { recursive: true, force: true });
}
