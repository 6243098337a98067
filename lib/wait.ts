// Every wait has a deadline and, when it gives up, says what it waited for, for how long, and what it last saw.
import { formatDuration } from './patterns.ts';

export class WaitTimeout extends Error {
  constructor(readonly what: string, readonly waitedMs: number, readonly lastSeen?: string) {
    super(`gave up waiting for ${what} after ${formatDuration(waitedMs)}${lastSeen ? ` (last seen: ${lastSeen})` : ''}`);
    this.name = 'WaitTimeout';
  }
}

export interface WaitOptions<T> {
  /** "node w1 to be Ready": completes the sentence "waiting for ...". */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
  /** Returns the value when the wait is over, or a description of what it sees now (a string) to keep waiting. */
  probe: () => Promise<{ done: true; value: T } | { done: false; seen?: string }>;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) { reject(new Error('interrupted')); return; }
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = (): void => { clearTimeout(t); reject(new Error('interrupted')); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Polls `probe` until it says done or the deadline passes. Prefer `kubectl wait` where kubectl can express it. */
export async function waitUntil<T>(o: WaitOptions<T>): Promise<T> {
  const started = Date.now();
  let seen: string | undefined;
  for (;;) {
    const r = await o.probe();
    if (r.done) return r.value;
    seen = r.seen ?? seen;
    const elapsed = Date.now() - started;
    if (elapsed >= o.timeoutMs) throw new WaitTimeout(o.what, elapsed, seen);
    await sleep(Math.min(o.intervalMs ?? 500, o.timeoutMs - elapsed), o.signal);
  }
}

/** Runs independent waits together; the first failure cancels the others (no wait keeps polling after the step
 *  has failed) and is the one reported. */
export async function allOrNothing(signal: AbortSignal | undefined, waits: ((signal: AbortSignal) => Promise<unknown>)[]): Promise<void> {
  const ac = new AbortController();
  const onAbort = (): void => ac.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.all(waits.map((w) => w(ac.signal).catch((err: unknown) => { ac.abort(); throw err; })));
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
