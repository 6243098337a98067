// The watch history: every write in resourceVersion order, bounded, so a watch can resume from an old RV
// (the watch cache of staging/src/k8s.io/apiserver/pkg/storage/cacher/watch_cache.go, without the cache).
import type { StoreEvent } from './types.js';

export class History {
  private events: StoreEvent[] = [];
  /** the oldest RV a watch may resume from; older ones are "too old" (410 Expired) */
  private floor: number;

  constructor(startRv: number, private readonly max = 20_000) {
    this.floor = startRv;
  }

  push(ev: StoreEvent): void {
    this.events.push(ev);
    if (this.events.length > this.max) {
      const dropped = this.events.splice(0, this.events.length - this.max);
      this.floor = dropped[dropped.length - 1]!.rv;
    }
  }

  /** Events strictly after `rv`, or 'expired' when they were compacted away. */
  since(rv: number): StoreEvent[] | 'expired' {
    if (rv < this.floor) return 'expired';
    // events are sorted by rv: binary search the first one after rv
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.events[mid]!.rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.events.slice(lo);
  }
}
