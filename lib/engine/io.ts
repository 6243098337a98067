// Injectable IO (gh's IOStreams): the CLI passes the process's streams, tests pass buffers and choose TTY-ness.
import type { Readable, Writable } from 'node:stream';

export interface IO {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  /** Prompts and the interactive renderer need a terminal on both stdin and stderr. */
  interactive: boolean;
  /** Colour and the listr2 default renderer (stderr is a TTY and CI is not set). */
  color: boolean;
}

export function processIO(env: Record<string, string | undefined>): IO {
  const ci = Boolean(env.CI && env.CI !== 'false');
  const tty = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, interactive: tty && !ci, color: Boolean(process.stderr.isTTY) && !ci && !env.NO_COLOR };
}
