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

export function secretSource(exec: Executor, env: Record<string, string | undefined>, sdk: SdkFactory = defaultSdk): SecretSource {
  const token = env.OP_SERVICE_ACCOUNT_TOKEN;
  // OP_CONNECT_HOST/TOKEN take precedence over a service account in the op CLI (reference/cli-facts.md): leave those to it.
  if (token && !env.OP_CONNECT_HOST) {
    exec.registerSecret(token);
    return {
      engine: '1password-sdk',
      async resolve(references) {
        const client = await sdk(token).catch((err: Error) => { throw new SecretReferenceError([{ reference: '(service account)', reason: exec.redactor.redact(err.message) }]); });
        const out = await client.secrets.resolveAll([...references]);
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
      const values = await Promise.allSettled(references.map((ref) => op.secret(ref)));
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
