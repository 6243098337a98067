// Lab time. Durations pass through `scale` (0.1 = ten times faster) so a reboot or a pod start can be compressed;
// every timer is tracked so stop() leaves nothing behind.
export class Clock {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(readonly scale = 1) {}

  now(): number {
    return Date.now();
  }

  /** Runs fn after `ms` lab milliseconds. Returns a cancel function. */
  after(ms: number, fn: () => void): () => void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, Math.max(0, ms * this.scale));
    this.timers.add(t);
    return () => {
      clearTimeout(t);
      this.timers.delete(t);
    };
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
