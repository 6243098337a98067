// The one place a remote command line is built. ssh hands the server ONE string, which the remote user's shell
// parses (openssh-portable ssh.c joins the arguments after the destination with spaces; session.c runs it with
// `$SHELL -c`). So every word is quoted with the same POSIX quoting as lib/shell-quote.ts, environment goes through
// env(1) as plain arguments, and sudo is `sudo -n` (fail instead of prompting: sudo(8) "-n, --non-interactive").
import { quoteArg } from '../shell-quote.ts';

export interface RemoteCommand {
  argv: readonly string[];
  /** variables for the command, passed as `env K=V ...` arguments (never through the remote shell) */
  env?: Readonly<Record<string, string>>;
  /** run as root through `sudo -n` (a login that is not root) */
  sudo?: boolean;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The argv the remote side must run, sudo and env included, before quoting. */
export function remoteArgv(c: RemoteCommand): string[] {
  if (c.argv.length === 0 || !c.argv[0]) throw new Error('remote command: empty argv');
  const env = Object.entries(c.env ?? {}).map(([k, v]) => {
    if (!ENV_NAME.test(k)) throw new Error(`remote command: "${k}" is not an environment variable name`);
    return `${k}=${v}`;
  });
  return [...(c.sudo ? ['sudo', '-n'] : []), ...(env.length ? ['env', ...env] : []), ...c.argv];
}

/** The single string ssh sends: each word quoted so the remote `sh -c` gives back exactly remoteArgv(c). */
export function remoteCommand(c: RemoteCommand): string {
  return remoteArgv(c).map(quoteArg).join(' ');
}
