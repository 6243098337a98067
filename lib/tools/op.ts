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

  /** An item's fields (`op item get ITEM --vault V --format json`: fields[]{id,type,label,value}; concealed values
   *  are not revealed: rackhand only reads text fields this way). */
  async itemFields(item: string, vault: string): Promise<{ id: string; type: string; label: string; value?: string }[]> {
    return (JSON.parse(await this.read(['item', 'get', item, '--vault', vault, '--format', 'json'])) as { fields?: { id: string; type: string; label: string; value?: string }[] }).fields ?? [];
  }

  /** Sets one text field (`op item edit ITEM --vault V 'label[text]=value'`): for values that are not secrets, since
   *  the value is in the command line. */
  async setTextField(item: string, vault: string, label: string, value: string): Promise<void> {
    await this.mutate(['item', 'edit', item, '--vault', vault, `${label}[text]=${value}`]);
  }

  /** The value behind one op:// reference, without the trailing newline op adds by default. */
  secret(reference: string): Promise<string> {
    return this.read(['read', '--no-newline', reference]);
  }
}
