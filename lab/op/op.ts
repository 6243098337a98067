// The fake `op` (1Password CLI 2.x): resolves the command path (cobra-style, global flags anywhere), parses flags with
// pflag's errors and prints every failure as op does: "[ERROR] YYYY/MM/DD HH:MM:SS <message>" on stderr, exit 1
// (reference/cli-facts.md "1Password"). Commands: --version, whoami, read, inject, item get, vault list, document
// get/create/edit.
import { FlagError, parseFlags, type FlagSpec } from '../talos/argv.js';
import { itemEditCmd, itemGetCmd } from './cmd-item.js';
import { vaultListCmd, whoamiCmd } from './cmd-account.js';
import { injectCmd, readCmd } from './cmd-secrets.js';
import { documentCreateCmd, documentEditCmd, documentGetCmd } from './cmd-document.js';
import { errorLine, type OpCommand, type OpCtx } from './command.js';
import { OpError } from './reference.js';
import type { OpAccount } from './vault.js';

export const OP_VERSION = '2.32.0';

export interface OpRequest {
  argv: string[];
  cwd: string;
  stdin?: string;
  env?: Record<string, string>;
}

// op --help "Global Flags"
const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'account', type: 'string' }, { name: 'cache', type: 'bool', default: true }, { name: 'config', type: 'string' },
  { name: 'debug', type: 'bool' }, { name: 'encoding', type: 'string' }, { name: 'format', type: 'string', default: 'human-readable' },
  { name: 'iso-timestamps', type: 'bool' }, { name: 'no-color', type: 'bool' }, { name: 'session', type: 'string' },
  { name: 'version', short: 'v', type: 'bool' }, { name: 'help', short: 'h', type: 'bool' },
];
const VALUED = new Set(['--account', '--config', '--encoding', '--format', '--session']);
const COMMANDS: OpCommand[] = [readCmd, injectCmd, whoamiCmd, itemGetCmd, itemEditCmd, vaultListCmd, documentGetCmd, documentCreateCmd, documentEditCmd];
const GROUPS = ['item', 'vault', 'document'];
const NOT_IN_LAB = ['account', 'connect', 'events-api', 'group', 'plugin', 'run', 'service-account', 'signin', 'signout', 'user', 'completion', 'update'];

const USAGE = `1Password CLI provides commands for managing your 1Password account from the command line.

Usage:  op [command] [flags]
`;

export async function runOp(account: OpAccount, req: OpRequest, record: OpCtx['record']): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const io = { stdout: '', stderr: '' };
  const fail = (message: string) => ({ ...io, stderr: io.stderr + errorLine(message), exitCode: 1 });
  // the command words: the leading non-flag arguments, skipping global flags and their values
  const words: number[] = [];
  for (let i = 0; i < req.argv.length && words.length < 2; i++) {
    const a = req.argv[i]!;
    if (a === '--') break;
    if (a.startsWith('-')) { if (VALUED.has(a)) i++; continue; }
    if (words.length === 1 && !GROUPS.includes(req.argv[words[0]!]!)) break;
    words.push(i);
  }
  const path = words.map((i) => req.argv[i]).join(' ');
  const rest = req.argv.filter((_, i) => !words.includes(i));
  const cmd = COMMANDS.find((c) => c.path === path);
  // the opRateLimited fault; approximate text of a 429 as the CLI passes it on
  // (developer.1password.com/docs/service-accounts/rate-limits)
  if (cmd && account.rateLimited > 0) {
    account.rateLimited--;
    record('op-rate-limited', path);
    return fail('(429) Too Many Requests: the rate limit for this account was exceeded, try again later');
  }
  if (!cmd) {
    if (!path) {
      if (rest.includes('--version') || rest.includes('-v')) return { ...io, stdout: `${OP_VERSION}\n`, exitCode: 0 };
      return { ...io, stdout: USAGE, exitCode: 0 };
    }
    const [w0, w1] = path.split(' ') as [string, string | undefined];
    if (NOT_IN_LAB.includes(w0) || (GROUPS.includes(w0) && w1 !== undefined)) return fail(`the lab's fake op does not implement "op ${path}" yet`);
    if (GROUPS.includes(w0)) return fail(`"op ${w0}" requires a subcommand`); // approximate
    return fail(`unknown command "${w0}" for "op"`); // cobra's text
  }
  let parsed;
  try {
    parsed = parseFlags(rest, [...cmd.flags, ...GLOBAL_FLAGS]);
  } catch (e) {
    if (e instanceof FlagError) return fail(e.message);
    throw e;
  }
  if (parsed.flags.help) return { ...io, stdout: `Usage:  op ${cmd.path} [flags]\n`, exitCode: 0 };
  const ctx: OpCtx = {
    account, flags: parsed.flags, changed: parsed.changed, args: parsed.positional, cwd: req.cwd, env: req.env ?? {}, io, record,
    ...(req.stdin !== undefined ? { stdin: req.stdin } : {}),
  };
  try {
    await cmd.run(ctx);
    return { ...io, exitCode: 0 };
  } catch (e) {
    if (e instanceof OpError) return fail(e.message);
    return fail(e instanceof Error ? e.message : String(e));
  }
}
