// `kubectl proxy` for the length of one run: the real kubectl holds the cluster credentials and rackhand speaks plain
// HTTP to it on 127.0.0.1, so requests to a Service (the API server's service proxy:
// /api/v1/namespaces/<ns>/services/<name>:<port>/proxy/<path>) carry their own headers (an app's API key) without the
// key ever being in a command line. Stopped when the run ends, fails or is interrupted.
import type { TaskContext } from '../engine/types.ts';
import { StepFailure } from '../engine/types.ts';

/** kubectl prints "Starting to serve on 127.0.0.1:PORT" once it listens (kubernetes/kubectl pkg/cmd/proxy/proxy.go) */
const SERVING = /Starting to serve on 127\.0\.0\.1:(\d+)/;
const START_TIMEOUT_MS = 15_000;

export interface ApiProxy { base: string; stop(): Promise<void> }

export async function startApiProxy(ctx: TaskContext, timeoutMs: number): Promise<ApiProxy> {
  const k = ctx.kubectl;
  let printed = '';
  let announce: (port: string) => void = () => undefined;
  const port = new Promise<string>((ok) => { announce = ok; });
  // --port=0: a free port; --address: loopback only; the default --accept-hosts admits only localhost callers
  const bg = ctx.exec.background(k.argv(['proxy', '--port=0', '--address=127.0.0.1']), {
    timeoutMs,
    onStdout: (t) => { printed += t; const m = SERVING.exec(printed); if (m) announce(m[1]!); },
  });
  const ended = bg.done.then((r) => { throw new StepFailure(`kubectl proxy exited ${r.exitCode} before serving: ${r.stderr.trim().split('\n').pop() ?? ''}`, 'kubectl proxy --port=0'); });
  const timer = new Promise<never>((_, no) => setTimeout(() => no(new StepFailure(`kubectl proxy did not start within ${START_TIMEOUT_MS / 1000} s`, 'kubectl proxy --port=0')), START_TIMEOUT_MS).unref());
  try {
    const p = await Promise.race([port, ended, timer]);
    ended.catch(() => undefined);
    return { base: `http://127.0.0.1:${p}`, stop: async () => { await bg.stop(); } };
  } catch (err) {
    await bg.stop();
    throw err;
  }
}

const RUN_PROXY = new WeakMap<TaskContext, Promise<ApiProxy>>();

/** The run's proxy: started on first use (planning or a step), shared by every later call of the run, stopped when
 *  the run ends however it ends (ctx.defer: after cleanup and undo, which may need it too). */
export function runApiProxy(ctx: TaskContext, timeoutMs: number): Promise<ApiProxy> {
  let p = RUN_PROXY.get(ctx);
  if (!p) {
    p = startApiProxy(ctx, timeoutMs);
    RUN_PROXY.set(ctx, p);
    ctx.defer(async () => { await (await p!.catch(() => undefined))?.stop(); });
  }
  return p;
}
