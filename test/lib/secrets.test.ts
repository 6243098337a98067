import { describe, expect, it } from 'vitest';
import { Executor } from '../../lib/exec.ts';
import { SecretReferenceError, secretSource, type SdkClient } from '../../lib/secrets/onepassword.ts';

const TOKEN = 'ops_eyJzaWduSW5BZGRyZXNzIjoibXkuMXBhc3N3b3JkLmNvbSJ9_fake';
const vault: Record<string, string> = { 'op://homelab/volsync/restic-password': 'correct-horse-battery-staple' };
const fakeSdk = async (token: string): Promise<SdkClient> => {
  if (token !== TOKEN) throw new Error(`invalid service account token ${token}`);
  return {
    secrets: {
      resolveAll: async (refs) => ({
        individualResponses: Object.fromEntries(refs.map((r) => [r, vault[r] !== undefined ? { content: { secret: vault[r]! } } : { error: { type: 'itemNotFound' } }])),
      }),
    },
  };
};

describe('1Password secret source', () => {
  it('uses the SDK when OP_SERVICE_ACCOUNT_TOKEN is set, and registers every value and the token with the redactor', async () => {
    const exec = new Executor({ env: {} });
    const src = secretSource(exec, { OP_SERVICE_ACCOUNT_TOKEN: TOKEN }, fakeSdk);
    expect(src.engine).toBe('1password-sdk');
    const v = await src.resolve(['op://homelab/volsync/restic-password']);
    expect(v.get('op://homelab/volsync/restic-password')).toBe('correct-horse-battery-staple');
    expect(exec.redactor.redact(`pw=correct-horse-battery-staple token=${TOKEN}`)).toBe('pw=*** token=***');
  });

  it('names every reference that failed and why, never a value', async () => {
    const exec = new Executor({ env: {} });
    const err = await secretSource(exec, { OP_SERVICE_ACCOUNT_TOKEN: TOKEN }, fakeSdk)
      .resolve(['op://homelab/volsync/restic-password', 'op://homelab/nope/password']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretReferenceError);
    expect((err as SecretReferenceError).failures).toEqual([{ reference: 'op://homelab/nope/password', reason: 'itemNotFound' }]);
    expect((err as Error).message).not.toContain('correct-horse');
  });

  it('a bad service account token is reported without the token', async () => {
    const exec = new Executor({ env: {} });
    const err = (await secretSource(exec, { OP_SERVICE_ACCOUNT_TOKEN: `${TOKEN}x` }, fakeSdk).resolve(['op://a/b/c']).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('invalid service account token');
    expect(err.message).not.toContain(TOKEN);
  });

  it('without a token it uses the op CLI, and says so when op is not installed', async () => {
    const exec = new Executor({ env: { PATH: '/nonexistent' } });
    const src = secretSource(exec, {});
    expect(src.engine).toBe('op-cli');
    const err = (await src.resolve(['op://homelab/volsync/restic-password']).catch((e: unknown) => e)) as SecretReferenceError;
    expect(err.failures[0]!.reason).toContain('the op CLI is not installed');
  });
});

describe('1Password: one resolution per reference per run, and patience with rate limits', () => {
  it('the SDK is asked once per run for each reference, in one batch, however often it is needed', async () => {
    const asked: string[][] = [];
    const counting = async (token: string): Promise<SdkClient> => {
      const c = await fakeSdk(token);
      return { secrets: { resolveAll: async (refs) => { asked.push(refs); return c.secrets.resolveAll(refs); } } };
    };
    const exec = new Executor({ env: {} });
    const env = { OP_SERVICE_ACCOUNT_TOKEN: TOKEN };
    const ref = 'op://homelab/volsync/restic-password';
    await secretSource(exec, env, counting).resolve([ref, ref]);
    await secretSource(exec, env, counting).resolve([ref]);
    expect(asked).toEqual([[ref]]);
    await secretSource(new Executor({ env: {} }), env, counting).resolve([ref]); // another run asks again
    expect(asked).toHaveLength(2);
  });

  it('a rate-limited SDK call is retried with backoff; one that stays limited fails naming the limit', async () => {
    let limited = 2;
    const flaky = async (token: string): Promise<SdkClient> => {
      const c = await fakeSdk(token);
      return { secrets: { resolveAll: async (refs) => { if (limited-- > 0) throw new Error('(429) Too Many Requests'); return c.secrets.resolveAll(refs); } } };
    };
    const env = { OP_SERVICE_ACCOUNT_TOKEN: TOKEN, RACKHAND_OP_BACKOFF_MS: '5' };
    const v = await secretSource(new Executor({ env: {} }), env, flaky).resolve(['op://homelab/volsync/restic-password']);
    expect(v.get('op://homelab/volsync/restic-password')).toBe('correct-horse-battery-staple');
    limited = 10;
    await expect(secretSource(new Executor({ env: {} }), env, flaky).resolve(['op://homelab/volsync/restic-password'])).rejects.toThrow('Too Many Requests');
    expect(limited).toBe(6); // four tries, then it gave up
  });
});
