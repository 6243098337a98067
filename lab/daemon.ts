// Runs a lab as a process: `tsx lab/daemon.ts --dir DIR [--topology FILE] [--port N] [--kubernetes-version V]
// [--reboot-ms N] [--empty]`. Writes DIR/state.json ({pid, url, port, dir, kubeconfigPath, configPath, env}) atomically
// once the lab is serving and settled (an --empty lab, every machine in maintenance, at once); stops cleanly on
// SIGTERM/SIGINT. It removes nothing: the caller owns DIR.
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startLab } from './lab.js';
import type { LabState } from './state.js';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    topology: { type: 'string' },
    port: { type: 'string' },
    'kubernetes-version': { type: 'string' },
    'reboot-ms': { type: 'string' },
    empty: { type: 'boolean' },
  },
  strict: true,
});

if (!values.dir) {
  process.stderr.write('usage: tsx lab/daemon.ts --dir DIR [--topology FILE] [--port N] [--kubernetes-version V] [--reboot-ms N] [--empty]\n');
  process.exit(2);
}

const lab = await startLab({
  dir: values.dir,
  ...(values.topology ? { topology: values.topology } : {}),
  ...(values.port ? { port: Number(values.port) } : {}),
  ...(values['kubernetes-version'] ? { kubernetesVersion: values['kubernetes-version'] } : {}),
  ...(values['reboot-ms'] ? { rebootMs: Number(values['reboot-ms']) } : {}),
  ...(values.empty ? { empty: true } : {}),
});

const state: LabState = { pid: process.pid, url: lab.url, port: lab.port, dir: lab.dir, kubeconfigPath: lab.kubeconfigPath, configPath: lab.configPath, env: lab.env };
const path = join(lab.dir, 'state.json');
await writeFile(`${path}.tmp`, JSON.stringify(state, null, 2) + '\n');
await rename(`${path}.tmp`, path); // readers never see a half-written file

let stopping = false;
const stop = async (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  await lab.stop();
  process.exitCode = signal === 'SIGINT' ? 130 : 0;
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
