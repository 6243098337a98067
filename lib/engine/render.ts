// Runs the planned steps through listr2: the default renderer on a terminal, plain verbose lines otherwise (cron
// logs, CI). listr2's own signal handling is off: the engine owns Ctrl-C so undo can run (reference/node-stack.md).
import { Listr, ListrLogger, ProcessOutput } from 'listr2';
import type { Redactor } from '../redact.ts';
import type { IO } from './io.ts';
import type { StepRecord } from '../report.ts';
import type { Step } from './types.ts';

export interface PlannedStep { step: Step; record: StepRecord }

export async function renderSteps(planned: PlannedStep[], io: IO, redactor: Redactor): Promise<void> {
  // All human output goes to stderr; stdout is kept for primary output and --json.
  const logger = new ListrLogger({ processOutput: new ProcessOutput(io.stderr as NodeJS.WriteStream, io.stderr as NodeJS.WriteStream), useIcons: io.color });
  const list = new Listr(planned.map(({ step, record }) => ({
    title: step.title,
    skip: () => (record.status === 'skipped' ? `${step.title}: skipped, ${record.reason}` : false),
    task: async (_ctx: unknown, task: { output: string | undefined }) => {
      const started = performance.now();
      try {
        await step.run({ output: (text: string) => { task.output = redactor.redact(text); } });
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
    fallbackRendererCondition: !io.interactive,
    rendererOptions: { logger: logger as never, collapseSubtasks: false, showErrorMessage: true },
    fallbackRendererOptions: { logger: logger as never, logTitleChange: false },
  });
  await list.run();
}
