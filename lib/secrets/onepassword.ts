// One way to resolve op:// references, two engines behind it: the 1Password SDK when OP_SERVICE_ACCOUNT_TOKEN is set
// (no binary needed; loaded lazily because it is WASM), else the `op` CLI (a desktop-app or Connect session, and the
// lab). Every resolved value is registered with the executor's redactor before it is returned, so no output, log or
// run record can show it. Failures name the reference and why, never a value.
import type { Executor } from '../exec.ts';
import { OpCli } from '../tools/op.ts';
import { ToolError } from '../tools/tool-error.ts';

/** op://vault/item[/section]/field (developer.1password.com/docs/cli/secret-reference-syntax) */
export const OP_REFERENCE = /^op:\/\/[^/\s][^/]*\/[^/]+(\/[^/]+)?\/[^/]+$/;

export class SecretReferenceError extends Error {
  constructor(readonly failures: { reference: string; reason: string }[]) {
    super(`1Password: ${failures.map((f) => `${f.reference}: ${f.reason}`).join('; ')}`);
    this.name = 'SecretReferenceError';
  }
}

export interface SecretSource {
  readonly engine: 'op-cli' | '1password-sdk';
  /** Resolves every reference or throws SecretReferenceError naming all that failed. */
  resolve(references: readonly string[]): Promise<Map<string, string>>;
}

/** Shape of the SDK client rackhand uses (@1password/sdk Client.secrets.resolveAll). */
export interface SdkClient {
  secrets: { resolveAll(refs: string[]): Promise<{ individualResponses: Record<string, { content?: { secret: string }; error?: { type: string; message?: string } }> }> };
}
export type SdkFactory = (token: string) => Promise<SdkClient>;

const VERSION = '0.1.0';

const defaultSdk: SdkFactory = async (token) => {
  const sdk = await import('@1password/sdk');
  return sdk.createClient({ auth: token, integrationName: 'rackhand', integrationVersion: VERSION });
};

/** The engine for this environment, behind a per-run cache: each reference is resolved once per run (one executor
 *  is one run), whichever task, step or check asks; references not cached yet are resolved in one batch. */
export function secretSource(exec: Executor, env: Record<string, string | undefined>, sdk: SdkFactory = defaultSdk): SecretSource {
  const engine = engineFor(exec, env, sdk);
  let cache = RUN_CACHE.get(exec);
  if (!cache) RUN_CACHE.set(exec, (cache = new Map()));
  const known = cache;
  return {
    engine: engine.engine,
    async resolve(references) {
      const missing = [...new Set(references)].filter((r) => !known.has(r));
      if (missing.length) for (const [ref, value] of await engine.resolve(missing)) known.set(ref, value);
      return new Map(references.map((r) => [r, known.get(r)!]));
    },
  };
}

const RUN_CACHE = new WeakMap<Executor, Map<string, string>>();

// 1Password answers too many requests with HTTP 429 (developer.1password.com/docs/service-accounts/rate-limits); the
// op CLI and the SDK pass it on in their error text (approximate match)
const RATE_LIMITED = /too many requests|rate limit|\(429\)/i;
const BACKOFF_TRIES = 4;

/** Retries `f` while 1Password says it is rate limited: waits 1 s, 2 s, 4 s (base from RACKHAND_OP_BACKOFF_MS). */
async function withBackoff<T>(env: Record<string, string | undefined>, f: () => Promise<T>, limited: (err: unknown) => boolean): Promise<T> {
  const base = Number(env.RACKHAND_OP_BACKOFF_MS ?? 1000);
  for (let attempt = 1; ; attempt++) {
    try {
      return await f();
    } catch (err) {
      if (attempt >= BACKOFF_TRIES || !limited(err)) throw err;
      await new Promise((ok) => setTimeout(ok, base * 2 ** (attempt - 1)));
    }
  }
}

function engineFor(exec: Executor, env: Record<string, string | undefined>, sdk: SdkFactory): SecretSource {
  const token = env.OP_SERVICE_ACCOUNT_TOKEN;
  // OP_CONNECT_HOST/TOKEN take precedence over a service account in the op CLI (reference/cli-facts.md): leave those to it.
  if (token && !env.OP_CONNECT_HOST) {
    exec.registerSecret(token);
    return {
      engine: '1password-sdk',
      async resolve(references) {
        const client = await sdk(token).catch((err: Error) => { throw new SecretReferenceError([{ reference: '(service account)', reason: exec.redactor.redact(err.message) }]); });
        // one batch for every reference (@1password/sdk secrets.resolveAll)
        const out = await withBackoff(env, () => client.secrets.resolveAll([...references]), (err) => RATE_LIMITED.test(String((err as Error)?.message ?? err)));
        return collect(exec, references, (ref) => {
          const r = out.individualResponses[ref];
          if (r?.content) return r.content.secret;
          throw new Error(r?.error ? `${r.error.type}${r.error.message ? `: ${r.error.message}` : ''}` : 'no answer');
        });
      },
    };
  }
  const op = new OpCli(exec);
  return {
    engine: 'op-cli',
    async resolve(references) {
      const values = await Promise.allSettled(references.map((ref) => withBackoff(env, () => op.secret(ref), (err) => err instanceof ToolError && RATE_LIMITED.test(err.message))));
      return collect(exec, references, (ref, i) => {
        const v = values[i]!;
        if (v.status === 'fulfilled') return v.value;
        const err = v.reason as Error;
        throw new Error(err instanceof ToolError ? (err.kind === 'Missing' ? 'the op CLI is not installed (https://developer.1password.com/docs/cli/get-started/)' : err.message.replace(/^op: (\[ERROR\] \S+ \S+ )?/, '')) : err.message);
      });
    },
  };
}

function collect(exec: Executor, references: readonly string[], get: (ref: string, i: number) => string): Map<string, string> {
  const values = new Map<string, string>();
  const failures: { reference: string; reason: string }[] = [];
  references.forEach((ref, i) => {
    try {
      const v = get(ref, i);
      exec.registerSecret(v);
      values.set(ref, v);
    } catch (err) {
      failures.push({ reference: ref, reason: exec.redactor.redact((err as Error).message) });
    }
  });
  if (failures.length) throw new SecretReferenceError(failures);
  return values;
}
