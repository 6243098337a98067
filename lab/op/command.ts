// What every fake op command gets (the account, parsed flags, the caller's env and cwd, stdout/stderr buffers) and
// the helpers they share: op's error line, output files, Go's JSON encoding, relative times.
import { constants } from 'node:fs';
import { access, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { FlagSpec } from '../talos/argv.js';
import { authenticate, type Identity } from './auth.js';
import { OpError } from './reference.js';
import type { OpAccount } from './vault.js';

export interface OpCtx {
  account: OpAccount;
  flags: Record<string, any>;
  changed: Set<string>;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  stdin?: string;
  io: { stdout: string; stderr: string };
  record(type: string, object: string, detail?: string): void;
}

export interface OpCommand {
  path: string;
  flags: FlagSpec[];
  run(c: OpCtx): Promise<void>;
}

export const out = (c: OpCtx, s: string) => void (c.io.stdout += s);

/** Go's log.LstdFlags date and time (local), as op prefixes errors: "[ERROR] 2026/07/08 19:40:01 <message>" */
export function errorLine(message: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `[ERROR] ${now.getFullYear()}/${p(now.getMonth() + 1)}/${p(now.getDate())} ${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())} ${message}\n`;
}

/** The signed-in identity, or an OpError with `prefix` + "error initializing client: " + the reason. */
export function signedIn(c: OpCtx, prefix = ''): Identity {
  const who = authenticate(c.account, c.env);
  if ('error' in who) throw new OpError(`${prefix}error initializing client: ${who.error}`);
  return who;
}

/** cobra.ExactArgs(n) */
export function exactArgs(c: OpCtx, n: number): void {
  if (c.args.length !== n) throw new OpError(`accepts ${n} arg(s), received ${c.args.length}`);
}

/**
 * --out-file with --file-mode (default 0600, applied only when the file is created: "Set filemode for the output file
 * if it does not yet exist", fig.io/manual/op/read) and --force. Without --force the real op asks before overwriting;
 * the lab cannot prompt and refuses (approximate text). Prints the file's path (approximate).
 */
export async function writeOutFile(c: OpCtx, content: string): Promise<void> {
  const path = resolve(c.cwd, String(c.flags['out-file']));
  const modeText = String(c.flags['file-mode']);
  if (!/^0?[0-7]{3}$/.test(modeText)) throw new OpError(`invalid argument "${modeText}" for "--file-mode" flag: file mode must be an octal number like 0600`); // approximate
  if (!c.flags.force && (await access(path, constants.F_OK).then(() => true, () => false))) {
    throw new OpError(`file "${path}" already exists, use --force to overwrite it`); // approximate
  }
  await writeFile(path, content, { mode: parseInt(modeText, 8) });
  out(c, `${path}\n`);
}

/** Go's json.MarshalIndent(v, "", "  ") with HTML escaping, as op prints --format json */
export function goJson(v: unknown): string {
  return `${JSON.stringify(v, null, 2).replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

/** op's human-readable times: "now", "2 minutes ago", "6 months ago" */
export function ago(iso: string, now = Date.now()): string {
  const s = Math.max(0, (now - Date.parse(iso)) / 1000);
  const units: [number, string][] = [[365 * 86400, 'year'], [30 * 86400, 'month'], [86400, 'day'], [3600, 'hour'], [60, 'minute']];
  for (const [size, name] of units) {
    const n = Math.floor(s / size);
    if (n >= 1) return `${n} ${name}${n === 1 ? '' : 's'} ago`;
  }
  return 'now';
}

/** rows of "Key:" and value, aligned like text/tabwriter with padding 4 (op item get, op whoami) */
export function keyValues(rows: [string, string][], indent = ''): string {
  const w = Math.max(...rows.map(([k]) => k.length + 1)) + 4;
  return rows.map(([k, v]) => `${indent}${`${k}:`.padEnd(w)}${v}\n`).join('');
}
