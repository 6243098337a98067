// Starts a private lab for one test file (random port, own temp dir) and runs the CLI against it in-process.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startLab, type Lab, type LabOptions } from '../../lab/lab.ts';
import { cli, type CliRun } from './cli.ts';

export async function withLab(opts: LabOptions = {}): Promise<Lab & { run(argv: string[], extra?: { typed?: string[]; interrupt?: AbortController }): Promise<CliRun> }> {
  const lab = await startLab({ rebootMs: 1_000, ...opts });
  if (!opts.empty) await lab.settled(20_000);
  const env = { ...process.env, ...lab.env, RACKHAND_STATE_DIR: join(lab.dir, '.rackhand'), CI: 'true' };
  const stop = lab.stop.bind(lab);
  return Object.assign(lab, {
    stop: async () => { await stop(); await rm(lab.dir, { recursive: true, force: true }); },
    run: (argv: string[], extra: { typed?: string[]; interrupt?: AbortController } = {}) => cli(argv, { env, cwd: lab.dir, ...extra }),
  });
}
