// Runs the CLI in-process with captured streams and returns what an operator would see: exit code, stdout,
// stderr and the run record written under the state dir.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../lib/engine/cli.ts';
import type { TaskEntry } from '../../lib/engine/types.ts';
import type { RunRecord } from '../../lib/report.ts';

export interface CliRun { code: number; stdout: string; stderr: string; record: RunRecord | undefined; recordPath?: string }

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** The newest run record (of `task` when given: a runbook's own record, not those of the tasks it ran). */
export async function latestRecord(stateDir: string, task?: string): Promise<RunRecord | undefined> {
  return (await latestRecordFile(stateDir, task))?.record;
}

async function latestRecordFile(stateDir: string, task?: string): Promise<{ record: RunRecord; path: string } | undefined> {
  const dir = join(stateDir, 'runs');
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
  for (const f of files.reverse()) {
    const r = JSON.parse(await readFile(join(dir, f), 'utf8')) as RunRecord;
    if (!task || r.task === task) return { record: r, path: join(dir, f) };
  }
  return undefined;
}

export async function cli(argv: string[], o: {
  env: Record<string, string | undefined>; cwd: string; registry?: Record<string, TaskEntry>; interrupt?: AbortController;
  /** Pretend a terminal is attached and type these lines when prompted. */
  typed?: string[];
}): Promise<CliRun> {
  const out = capture();
  const err = capture();
  const stdin = new PassThrough();
  if (o.typed) {
    // answer each prompt once the question has been printed
    let answered = 0;
    err.stream.on('data', (c: Buffer) => {
      if (answered < o.typed!.length && /\?|:\s*$/.test(c.toString())) setTimeout(() => stdin.write(`${o.typed![answered++]}\n`), 20);
    });
  }
  const stateDir = o.env.RACKHAND_STATE_DIR ?? join(o.cwd, '.rackhand');
  const before = (await readdir(join(stateDir, 'runs')).catch(() => [] as string[])).length;
  const code = await runCli(argv, {
    io: { stdout: out.stream, stderr: err.stream, stdin, interactive: Boolean(o.typed), color: false },
    env: o.env, cwd: o.cwd, ...(o.registry ? { registry: o.registry } : {}), interrupt: o.interrupt,
  });
  const after = (await readdir(join(stateDir, 'runs')).catch(() => [] as string[])).length;
  const latest = after > before ? await latestRecordFile(stateDir, argv[0]) : undefined;
  return { code, stdout: out.text(), stderr: err.text(), record: latest?.record, ...(latest ? { recordPath: latest.path } : {}) };
}
