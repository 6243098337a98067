// lab:up — starts the simulated homelab (fake API server + controllers + fake CLIs) as a background process and
// prints the export lines that point kubectl and rackhand at it. Idempotent: a running lab is reused.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { spawnDetached } from '../../lib/exec.ts';
import { StepFailure, type TaskContext, type TaskImpl } from '../../lib/engine/types.ts';
import { formatDuration } from '../../lib/patterns.ts';
import { waitUntil } from '../../lib/wait.ts';
import { alive, exportLines, labDir, readLabState, type LabState } from './_state.ts';
import { defineTask } from '../../lib/engine/define.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const START_TIMEOUT_MS = 30_000;

function labUp(): TaskImpl {
  let running: LabState | undefined;
  return {
    async plan(ctx: TaskContext) {
      const dir = labDir(ctx.stateDir);
      return [{
        title: 'start the lab',
        async isDone() {
          running = await readLabState(ctx.stateDir);
          if (running && alive(running.pid)) {
            ctx.out(exportLines(running));
            ctx.data.lab = running;
            return `a lab is already running at ${running.url} (pid ${running.pid})`;
          }
          return false;
        },
        async run(rt) {
          // an empty lab is a cluster to bootstrap: without a topology it is the example `infra` cluster, whose
          // bootstrap inputs (bootstrap/infra, talos/infra) ship with rackhand
          const topology = ctx.flags.topology ? resolve(ctx.cwd, String(ctx.flags.topology)) : ctx.flags.empty ? join(REPO, 'lab/topologies/infra.yaml') : undefined;
          if (ctx.flags.empty && !ctx.flags.topology) rt.output('empty lab of the example infra cluster (lab/topologies/infra.yaml): bootstrap it with npx tsx tasks bootstrap:infra');
          await rm(dir, { recursive: true, force: true });
          await mkdir(dir, { recursive: true, mode: 0o700 });
          // in a checkout the daemon is TypeScript (run through tsx); in the installed package it is compiled
          const compiled = join(REPO, 'lab/daemon.js');
          const daemon = existsSync(compiled) ? [compiled] : ['--import', 'tsx', join(REPO, 'lab/daemon.ts')];
          const argv = [process.execPath, ...daemon, '--dir', dir,
            '--reboot-ms', String(ctx.flags['reboot-time']),
            ...(topology ? ['--topology', topology] : []),
            ...(ctx.flags.empty ? ['--empty'] : [])];
          if (ctx.dryRun) { rt.output(`[dry-run] would start ${argv.join(' ')}`); return; }
          const pid = spawnDetached(argv, { env: ctx.env, logFile: join(dir, 'daemon.log'), cwd: REPO });
          rt.output(`lab daemon pid ${pid}; waiting up to ${formatDuration(START_TIMEOUT_MS)} for it to listen`);
          running = await waitUntil({
            what: `the lab daemon (pid ${pid}) to write ${join(dir, 'state.json')}`,
            timeoutMs: START_TIMEOUT_MS, signal: ctx.signal,
            probe: async () => {
              const s = await readLabState(ctx.stateDir);
              if (s) return { done: true, value: s };
              return alive(pid) ? { done: false, seen: 'starting' } : { done: true, value: undefined };
            },
          });
          if (!running) {
            const log = await readFile(join(dir, 'daemon.log'), 'utf8').catch(() => '');
            const tail = log.trim().split('\n').slice(-15).join('\n');
            throw new StepFailure(`the lab daemon exited during start-up${tail ? `:\n${tail}` : ''}`, `cat ${join(dir, 'daemon.log')}`);
          }
          ctx.data.lab = running;
          ctx.out(exportLines(running));
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'start the simulated homelab in the background; prints export lines for eval',
  description: 'Prints only shell export lines on stdout (KUBECONFIG, PATH, RACKHAND_CONFIG, KUBECACHEDIR), so\n`eval "$(npx tsx tasks lab:up)"` points kubectl and rackhand at the lab. Progress goes to stderr.',
  example: 'eval "$(npx tsx tasks lab:up)"',
  flags: {
    topology: { type: 'string', description: 'topology YAML (default: lab/topologies/default.yaml)' },
    'reboot-time': { type: 'duration', description: 'how long a simulated node reboot takes', default: 2_000 },
    empty: { type: 'boolean', description: 'a cluster still to bootstrap: every machine in maintenance mode, no Kubernetes API until talosctl bootstrap' },
  },
  destructive: false,
  cluster: false,
  impl: labUp,
});
