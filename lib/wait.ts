// Every wait has a deadline and, when it gives up, says what it waited for, for how long, and what it last saw.
import { formatDuration } from './patterns.ts';
import { ToolError } from './tools/tool-error.ts';

/** An error worth waiting out: the API server (or talosctl's apid) down, restarting or overloaded, a call that timed
 *  out. Anything else (NotFound, Forbidden, a bad kubeconfig) ends the wait at once. */
export function isTransient(err: unknown): boolean {
  return err instanceof ToolError && (err.kind === 'Unreachable' || err.kind === 'Timeout');
}

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
  /** the longest pause between probes while the API is down (default 10 s); a wait whose end is measured (the
   *  control plane's time back) keeps it short */
  maxBackoffMs?: number;
  signal?: AbortSignal;
  /** instead of sleeping the interval: resolves when the object may have changed (a watch event, lib/k8s/watch.ts)
   *  or after the interval at the latest */
  wake?: (ms: number, signal?: AbortSignal) => Promise<void>;
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

/** Polls `probe` until it says done or the deadline passes. Transient errors (the API server restarting while a
 *  single control plane reboots, a 503) are waited out with backoff, up to the same deadline, and named if it
 *  passes. Prefer `kubectl wait` where kubectl can express it. */
export async function waitUntil<T>(o: WaitOptions<T>): Promise<T> {
  const started = Date.now();
  const interval = o.intervalMs ?? 500;
  let seen: string | undefined;
  let failures = 0;
  for (;;) {
    let pause = interval;
    try {
      const r = await o.probe();
      if (r.done) return r.value;
      seen = r.seen ?? seen;
      failures = 0;
    } catch (err) {
      if (!isTransient(err) || o.signal?.aborted) throw err;
      failures += 1;
      seen = `API not answering: ${(err as Error).message.split('\n')[0]}`;
      pause = Math.min(interval * 2 ** Math.min(failures, 5), o.maxBackoffMs ?? 10_000);
    }
    const elapsed = Date.now() - started;
    if (elapsed >= o.timeoutMs) throw new WaitTimeout(o.what, elapsed, seen);
    const ms = Math.min(pause, o.timeoutMs - elapsed);
    if (o.wake) {
      await o.wake(ms, o.signal);
      if (o.signal?.aborted) throw new Error('interrupted');
    } else await sleep(ms, o.signal);
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
