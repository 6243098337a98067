// Who the fake op is signed in as. The real CLI authenticates with OP_CONNECT_HOST + OP_CONNECT_TOKEN (which take
// precedence), else OP_SERVICE_ACCOUNT_TOKEN, else a desktop-app or `op signin` session
// (developer.1password.com/docs/service-accounts/use-with-1password-cli). The lab rule: Connect is accepted when both
// variables are set, a service account when its token starts with "ops_" (lab.env sets one); nothing else signs in,
// and the op-signed-out fault signs everyone out.
import type { OpAccount } from './vault.js';

export type Identity = { kind: 'connect'; host: string } | { kind: 'service-account'; token: string };

// verbatim op 2.39.0 (after "error initializing client: "): You are not currently signed in. Please run `op signin --help` for instructions
export const NOT_SIGNED_IN = 'You are not currently signed in. Please run `op signin --help` for instructions';

/** The identity, or the reason there is none (op's text, without the "error initializing client: " prefix). */
export function authenticate(account: OpAccount, env: Record<string, string>): Identity | { error: string } {
  if (account.signedOut) return { error: NOT_SIGNED_IN };
  if (env.OP_CONNECT_HOST && env.OP_CONNECT_TOKEN) return { kind: 'connect', host: env.OP_CONNECT_HOST };
  const token = env.OP_SERVICE_ACCOUNT_TOKEN;
  // approximate: a token that is not "ops_..." fails with "unrecognized auth type" (third-party capture, context unverified)
  if (token !== undefined && token !== '') return token.startsWith('ops_') ? { kind: 'service-account', token } : { error: 'unrecognized auth type' };
  return { error: NOT_SIGNED_IN };
}

/** A fresh lab service account token: "ops_" and base64url JSON, the shape of a real one (never a real credential). */
export function labServiceAccountToken(random: Buffer): string {
  const claims = { signInAddress: 'lab.1password.invalid', email: 'rackhand-lab@1passwordserviceaccounts.invalid', secretKey: random.toString('base64url') };
  return `ops_${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
}
