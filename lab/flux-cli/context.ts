// What every fake flux command gets: the lab's store (flux talks to the same API kubectl does, so the fake reads and
// writes the store in-process), parsed flags, stdout/stderr buffers and flux's status-line vocabulary, which goes to
// STDERR (fluxcd/flux2 cmd/flux/log.go stderrLogger: ► action, ✔ success, ✗ failure, ◎ waiting, ⚠️ warning).
import type { Registry } from '../kinds/registry.js';
import type { Store } from '../store/store.js';

export interface FluxWorld {
  store: Store;
  registry: Registry;
  /** the CLI's version, e.g. "2.7.0" (flux --version) */
  version: string;
  /** the API server's gitVersion, as /version reports it */
  kubernetesVersion(): string;
  /** lab time compression for --timeout (a 5m timeout lasts 5m * timeScale) */
  timeScale: number;
  record(type: string, object: string, detail?: string): void;
}

export interface FluxCtx {
  world: FluxWorld;
  flags: Record<string, any>;
  changed: Set<string>;
  args: string[];
  io: { stdout: string; stderr: string };
  /** -n/--namespace (default flux-system) */
  namespace: string;
}

/** An error main() prints as "✗ <message>" with exit code 1 (cmd/flux/main.go). */
export class FluxError extends Error {}

export const log = {
  action: (c: FluxCtx, s: string) => void (c.io.stderr += `► ${s}\n`),
  success: (c: FluxCtx, s: string) => void (c.io.stderr += `✔ ${s}\n`),
  failure: (c: FluxCtx, s: string) => void (c.io.stderr += `✗ ${s}\n`),
  waiting: (c: FluxCtx, s: string) => void (c.io.stderr += `◎ ${s}\n`),
};

/** --timeout in lab milliseconds */
export const labTimeout = (c: FluxCtx): number => Math.max(1, Math.round((c.flags.timeout as number) * c.world.timeScale));

/** Polls `done` every few ms until it returns true; false when the deadline passes first (wait.PollUntilContextTimeout). */
export async function pollUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (done()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, Math.min(20, Math.max(1, deadline - Date.now()))));
  }
}

/** time.Now().Format(time.RFC3339Nano) in the local zone: trailing zeros of the fraction dropped */
export function rfc3339Nano(now = new Date(), nanos = Number(process.hrtime.bigint() % 1_000_000n)): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const frac = `${p(now.getMilliseconds(), 3)}${p(nanos, 6)}`.replace(/0+$/, '');
  const off = -now.getTimezoneOffset();
  const zone = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${p(Math.floor(Math.abs(off) / 60))}:${p(Math.abs(off) % 60)}`;
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}T${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())}${frac ? `.${frac}` : ''}${zone}`;
}
