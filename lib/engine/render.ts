// Runs the planned steps through listr2: the default renderer on a terminal, plain verbose lines otherwise (cron
// logs, CI). listr2's own signal handling is off: the engine owns Ctrl-C so undo can run (reference/node-stack.md).
import { Listr, ListrLogger, ProcessOutput } from 'listr2';
import type { Redactor } from '../redact.ts';
import type { IO } from './io.ts';
import type { StepRecord } from '../report.ts';
import type { Step } from './types.ts';

export interface PlannedStep { step: Step; record: StepRecord }

/** How long an interrupted step gets to notice (its commands are killed with their process groups) before cleanup. */
const SETTLE_MS = 5_000;

/** Runs the step; an interrupt stops waiting for it, gives it a moment to unwind, and fails it. */
async function runUntilInterrupted(start: () => Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) throw interruption(signal); // never start a step once the run is being stopped
  const run = start();
  let onAbort!: () => void;
  const aborted = new Promise<'aborted'>((resolve) => { onAbort = () => resolve('aborted'); signal.addEventListener('abort', onAbort, { once: true }); });
  try {
    const ran = run.then(() => 'ran' as const);
    ran.catch(() => undefined); // the step may reject after the interrupt won the race: that is expected, not a crash
    const first = await Promise.race([ran, aborted]);
    if (first === 'ran') return;
    await Promise.race([run.catch(() => undefined), new Promise((r) => setTimeout(r, SETTLE_MS).unref())]);
    throw interruption(signal);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function interruption(signal: AbortSignal): Error {
  const reason = signal.reason as Error | undefined;
  return new Error(reason?.message && reason.name !== 'AbortError' ? reason.message : 'interrupted');
}

/** The default renderer redraws in place and wraps to the terminal's width: below this (or unknown, as under some
 *  wrappers that report 0) it would print a character per line; the line-by-line renderer is used instead. */
const MIN_COLUMNS = 40;

export async function renderSteps(planned: PlannedStep[], io: IO, redactor: Redactor, signal: AbortSignal, dryRun = false): Promise<void> {
  const columns = (io.stderr as { columns?: number }).columns ?? 0;
  // All human output goes to stderr; stdout is kept for primary output and --json.
  const logger = new ListrLogger({ processOutput: new ProcessOutput(io.stderr as NodeJS.WriteStream, io.stderr as NodeJS.WriteStream), useIcons: io.color });
  const list = new Listr(planned.map(({ step, record }) => ({
    // a dry run shows what WOULD run: the title says so, and a line it prints is not a report of work done
    title: dryRun && step.mutating !== false ? `[dry-run] would: ${step.title}` : step.title,
    // every line a step prints stays visible after it ends (an image, a snapshot's path and sha256), not one
    rendererOptions: { persistentOutput: true, outputBar: Infinity },
    skip: () => (record.status === 'skipped' ? `${step.title}: skipped, ${record.reason}` : false),
    task: async (_ctx: unknown, task: { output: string | undefined }) => {
      const started = performance.now();
      try {
        await runUntilInterrupted(() => step.run({ output: (text: string) => { task.output = redactor.redact(text); } }), signal);
        record.status = 'done';
      } catch (err) {
        record.status = 'failed';
        record.error = (err as Error).message;
        throw err;
      } finally {
        record.durationMs = Math.round(performance.now() - started);
      }
    },
  })), {
    concurrent: false,
    exitOnError: true,
    registerSignalListeners: false,
    renderer: 'default',
    fallbackRenderer: 'verbose',
    fallbackRendererCondition: !io.interactive || columns < MIN_COLUMNS,
    rendererOptions: { logger: logger as never, collapseSubtasks: false, showErrorMessage: true },
    fallbackRendererOptions: { logger: logger as never, logTitleChange: false },
  });
  await list.run();
}
