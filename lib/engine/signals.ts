// SIGINT (Ctrl-C), SIGTERM (a CronJob's activeDeadlineSeconds, a CI cancel, `kill`) and SIGHUP (the terminal went
// away) all stop a run the same way: the first one interrupts it so cleanup and undo can run; a second one, while
// undo is still running, is the operator insisting: the caller prints what is left and exits at once.
import { constants } from 'node:os';

export const TRAPPED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type TrappedSignal = (typeof TRAPPED)[number];

/** 128 + the signal number, as a shell reports a process a signal ended (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP). */
export function signalExitCode(sig: string): number {
  return 128 + (constants.signals[sig as TrappedSignal] ?? constants.signals.SIGINT);
}

/** One Ctrl-C can arrive several times: the terminal signals the whole foreground process group (npx, tsx and this
 *  process), and npx and tsx relay what they got to their child. Signals this close to the first are that same one. */
const SAME_SIGNAL_MS = 1_500;

/** Installs handlers for the run's lifetime; returns the function that removes them. */
export function trapSignals(h: { first(sig: TrappedSignal): void; again(sig: TrappedSignal): void }): () => void {
  let firstAt = 0;
  const handlers = TRAPPED.map((sig) => {
    const fn = (): void => {
      if (!firstAt) { firstAt = Date.now(); h.first(sig); return; }
      if (Date.now() - firstAt >= SAME_SIGNAL_MS) h.again(sig);
    };
    process.on(sig, fn);
    return [sig, fn] as const;
  });
  return () => { for (const [sig, fn] of handlers) process.off(sig, fn); };
}

/** The abort reason of a run stopped by a signal (tests abort with no reason: that counts as Ctrl-C). */
export class Interrupted extends Error {
  constructor(readonly signal: string) {
    super(`interrupted (${signal})`);
    this.name = 'Interrupted';
  }
}

export function interruptSignal(signal: AbortSignal): string | undefined {
  if (!signal.aborted) return undefined;
  if (signal.reason instanceof Interrupted) return signal.reason.signal;
  return (signal.reason as Error | undefined)?.name === 'AbortError' ? 'SIGINT' : undefined; // abort() without a reason
}
