// Compensation after a failure or an interrupt: the running step's cleanup first (it was declared before the step
// changed anything), then the done steps' undo, newest first. Each runs under its own deadline, with the executor
// bound to that deadline so a hung kubectl is killed with its process group. Undo stops at the first compensation
// that fails: the later ones assume the earlier ones held (the app must not be scaled back up while a mover may still
// write to its volume). What was not put back is returned with the commands to finish by hand.
import type { Executor } from '../exec.ts';
import type { Leftover } from '../report.ts';
import type { Logger } from './log.ts';
import type { PlannedStep } from './render.ts';

const DEFAULT_UNDO_MS = 120_000;

interface Pending { p: PlannedStep; kind: 'cleanup' | 'undo'; fn: () => Promise<void> }

/** The compensations a run owes now, in the order they must run. */
export function owed(planned: PlannedStep[]): Pending[] {
  const out: Pending[] = [];
  for (const p of [...planned].reverse()) {
    const { step, record } = p;
    if (record.status === 'failed' && step.cleanup && record.cleanup !== 'done') out.push({ p, kind: 'cleanup', fn: () => step.cleanup!() });
    else if (record.status === 'done' && step.undo) out.push({ p, kind: 'undo', fn: () => step.undo!() });
  }
  return out;
}

export function leftoverOf(pending: Pending[], why: string): Leftover[] {
  return pending.map(({ p, kind }) => ({ step: p.step.title, why: `${kind} ${why}`, byHand: p.step.byHand ?? [] }));
}

export interface Compensation {
  /** Runs what is owed; returns what is left (empty when everything was put back). */
  run(): Promise<Leftover[]>;
  /** What is still owed right now (for a second signal during undo): the one in flight and those after it. */
  remaining(why: string): Leftover[];
  /** Kills the compensation in flight (its process group) before a forced exit. */
  abort(): void;
}

export function compensation(planned: PlannedStep[], exec: Executor, log: Logger): Compensation {
  let queue: Pending[] = [];
  let started = false;
  let current: AbortController | undefined;
  const failed: Leftover[] = [];
  return {
    // before run() began (the interrupted step still unwinding) everything owed is still to do
    remaining: (why) => [...failed, ...leftoverOf(started ? queue : owed(planned), why)],
    abort: () => current?.abort(new Error('interrupted again')),
    async run() {
      started = true;
      queue = owed(planned);
      while (queue.length) {
        const item = queue[0]!;
        const { p, kind, fn } = item;
        const ms = p.step.undoTimeoutMs ?? DEFAULT_UNDO_MS;
        log.action(`${kind === 'cleanup' ? 'clean up after' : 'undo'}: ${p.step.title}`);
        current = new AbortController();
        const ac = current;
        const timer = setTimeout(() => ac.abort(new Error(`undo deadline of ${Math.round(ms / 1000)} s passed`)), ms);
        exec.useSignal(ac.signal);
        try {
          await Promise.race([fn(), new Promise<never>((_, reject) => {
            ac.signal.addEventListener('abort', () => reject(ac.signal.reason as Error), { once: true });
          })]);
          if (kind === 'cleanup') p.record.cleanup = 'done'; else p.record.status = 'undone';
          queue.shift();
        } catch (err) {
          queue.shift();
          if (kind === 'cleanup') p.record.cleanup = 'failed';
          const msg = (err as Error).message;
          log.failure(`${kind} of "${p.step.title}" failed: ${msg}`);
          failed.push({ step: p.step.title, why: `${kind} failed: ${msg.split('\n')[0]}`, byHand: p.step.byHand ?? [] });
          for (const rest of queue) if (rest.kind === 'cleanup') rest.p.record.cleanup = 'not run';
          failed.push(...leftoverOf(queue, `not run: it would assume "${p.step.title}" was put back`));
          queue = [];
        } finally {
          clearTimeout(timer);
          exec.useSignal(undefined);
          current = undefined;
        }
      }
      return failed;
    },
  };
}

/** The lines that tell an operator what is left and how to finish by hand. */
export function describeLeftover(left: Leftover[]): string[] {
  const lines: string[] = [];
  for (const l of left) {
    lines.push(`  - ${l.step} (${l.why})`);
    for (const c of l.byHand) lines.push(`      ${c}`);
  }
  return lines;
}
