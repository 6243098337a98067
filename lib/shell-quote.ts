// POSIX shell quoting: for lines an operator may paste (dry-run commands, remedies, "finish by hand" lists), and for
// the one string ssh sends to a remote shell (lib/ssh/remote-command.ts). rackhand never runs a local shell.
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function quoteArg(a: string): string {
  if (a === '') return "''";
  return SAFE.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

export function quoteArgv(argv: readonly string[]): string { return argv.map(quoteArg).join(' '); }
