// The 1Password CLI: `op read --no-newline <reference>` for one secret (developer.1password.com/docs/cli/reference/
// commands/read), `op whoami` for the sign-in check. Values come back on stdout, which lib/exec.ts never logs; the
// caller registers each one with the redactor before anything else can print it.
import type { Executor } from '../exec.ts';
import { CliTool } from './cli-tool.ts';
import type { FailureRule } from './tool-error.ts';

// op writes errors as `[ERROR] YYYY/MM/DD HH:MM:SS <message>` on stderr (reference/cli-facts.md, 1Password).
const RULES: FailureRule[] = [
  [/isn't an item|isn't a document|isn't a vault|could not find|no item found|isn't a field|not found/i, 'NotFound'],
  [/not currently signed in|no accounts configured|authentication|unauthorized|invalid service account token/i, 'Auth'],
  [/invalid secret reference|invalid character/i, 'Other'],
];

export class OpCli extends CliTool {
  constructor(exec: Executor, timeoutMs = 30_000) {
    super(exec, 'op', RULES, timeoutMs);
  }

  protected prefix(): string[] { return []; }

  /** The value behind one op:// reference, without the trailing newline op adds by default. */
  secret(reference: string): Promise<string> {
    return this.read(['read', '--no-newline', reference]);
  }
}
