// Waits woken by the API server's own change events instead of a poll every half second: one
// `kubectl get <resource> --all-namespaces --selector <sel> --watch --output-watch-events -o json` per resource for the
// whole run (shared by every wait of every drill running side by side), whose events wake the waits on that object.
// The waits still read the truth with their own probe; the watch only says "look now", and a slow fallback poll
// covers a watch that ends or is refused (kubectl prints each event as a JSON object {"type", "object"}:
// kubernetes/kubectl pkg/cmd/get/get.go watch with --output-watch-events; reference/kubectl-protocol.md "watch").
import type { TaskContext } from '../engine/types.ts';

type Listener = () => void;
/** how often a watched wait still looks by itself */
const FALLBACK_MS = 5_000;

/** Splits a stream of concatenated JSON objects (pretty-printed or not) into whole objects. */
export class JsonObjectStream {
  private buf = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private start = -1;
  private scanned = 0;

  push(chunk: string): unknown[] {
    this.buf += chunk;
    const out: unknown[] = [];
    for (let i = this.scanned; i < this.buf.length; i++) {
      const c = this.buf[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inString = false;
        continue;
      }
      if (c === '"') this.inString = true;
      else if (c === '{') { if (this.depth++ === 0) this.start = i; }
      else if (c === '}' && this.depth > 0 && --this.depth === 0) {
        try { out.push(JSON.parse(this.buf.slice(this.start, i + 1))); } catch { /* not an object after all: skipped */ }
        this.buf = this.buf.slice(i + 1);
        i = -1;
        this.start = -1;
      }
    }
    this.scanned = this.buf.length;
    if (this.depth === 0) { this.buf = ''; this.scanned = 0; }
    return out;
  }
}

class ResourceWatch {
  private readonly listeners = new Map<string, Set<Listener>>();
  /** the last object each event carried (null: deleted), as an informer's cache holds it */
  readonly objects = new Map<string, unknown>();
  ended = false;

  constructor(ctx: TaskContext, resource: string, selector: string) {
    const parser = new JsonObjectStream();
    const bg = ctx.exec.background(ctx.kubectl.argv(['get', resource, '--all-namespaces', `--selector=${selector}`, '--watch', '--output-watch-events', '-o', 'json']), {
      timeoutMs: 24 * 3_600_000,
      onStdout: (text) => {
        for (const ev of parser.push(text) as { type?: string; object?: { metadata?: { name?: string; namespace?: string } } }[]) {
          const m = ev.object?.metadata;
          if (!m?.name) continue;
          const key = `${m.namespace ?? ''}/${m.name}`;
          this.objects.set(key, ev.type === 'DELETED' ? null : ev.object);
          this.fire(key);
        }
      },
    });
    // a watch refused (RBAC) or ended: the waits fall back to their own polling
    void bg.done.then(() => { this.ended = true; for (const set of this.listeners.values()) for (const l of set) l(); });
    ctx.defer(async () => { await bg.stop(); });
  }

  private fire(key: string): void {
    for (const l of this.listeners.get(key) ?? []) l();
  }

  /** resolves at the next event on the object (true), or after `ms` (false) */
  next(key: string, ms: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const set = this.listeners.get(key) ?? new Set<Listener>();
      this.listeners.set(key, set);
      let byEvent = true;
      const done = (): void => {
        clearTimeout(timer);
        set.delete(done);
        signal?.removeEventListener('abort', done);
        resolve(byEvent && !this.ended);
      };
      const timer = setTimeout(() => { byEvent = false; done(); }, this.ended ? Math.min(ms, 1000) : ms);
      set.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

const RUN_WATCHES = new WeakMap<TaskContext, Map<string, ResourceWatch>>();

/** rackhand's own objects carry this label; the watches select on it */
export const MANAGED = 'app.kubernetes.io/managed-by=rackhand';

/** The run's watch of a resource (started on first use, ended with the run); none in a dry run. */
function runWatch(ctx: TaskContext, resource: string, selector = MANAGED): ResourceWatch | undefined {
  if (ctx.dryRun) return undefined;
  let watches = RUN_WATCHES.get(ctx);
  if (!watches) RUN_WATCHES.set(ctx, (watches = new Map()));
  const key = `${resource}?${selector}`;
  let w = watches.get(key);
  if (!w) watches.set(key, (w = new ResourceWatch(ctx, resource, selector)));
  return w;
}

/** The waitUntil options for a wait on one of rackhand's own (labelled) objects: woken by the watch, with a slow
 *  fallback poll; without a watch (a dry run), the given interval. */
export function watched(ctx: TaskContext, resource: string, namespace: string | undefined, name: string, intervalMs: number): { intervalMs: number; wake?: (ms: number, signal?: AbortSignal) => Promise<void> } {
  return watchedObject(ctx, resource, namespace, name, intervalMs).wait;
}

/** As watched(), plus `cached()`: the object as the watch last delivered it after an event woke the wait (null:
 *  deleted), so the probe need not ask the API server again; undefined (read it yourself) before any event, after
 *  the fallback timer woke the wait (the watch may have stalled), or without a watch. */
export function watchedObject<T>(ctx: TaskContext, resource: string, namespace: string | undefined, name: string, intervalMs: number): {
  wait: { intervalMs: number; wake?: (ms: number, signal?: AbortSignal) => Promise<void> }; cached(): T | null | undefined;
} {
  const w = runWatch(ctx, resource);
  const key = `${namespace ?? ''}/${name}`;
  if (!w) return { wait: { intervalMs }, cached: () => undefined };
  let fresh = false;
  return {
    wait: { intervalMs: FALLBACK_MS, wake: async (ms, signal) => { fresh = await w.next(key, ms, signal); } },
    cached: () => (fresh && w.objects.has(key) ? (w.objects.get(key) as T | null) : undefined),
  };
}
