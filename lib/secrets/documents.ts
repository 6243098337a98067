// Files kept whole in 1Password as Document items (the kubeconfig, the talosconfig), through the op CLI's document
// commands (developer.1password.com/docs/cli/reference/management-commands/document): the content goes in from the
// file itself (stdin from the file: a dry run shows the file's name, never its bytes) and comes back on stdout, byte for
// byte. `op item edit item field="$(cat kubeconfig)"`, the usual recipe, re-quotes the YAML; a Document does not.
import { createHash } from 'node:crypto';
import type { Executor } from '../exec.ts';
import { ToolError } from '../tools/tool-error.ts';
import { OpCli } from '../tools/op.ts';

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export class OpDocuments extends OpCli {
  constructor(exec: Executor) { super(exec, 60_000); }

  /** The document's content, or undefined when no Document of that title is in the vault. */
  async get(vault: string, title: string): Promise<string | undefined> {
    try {
      return await this.read(['document', 'get', title, '--vault', vault]);
    } catch (err) {
      if (err instanceof ToolError && err.kind === 'NotFound') return undefined;
      throw err;
    }
  }

  /** Creates the Document from a file (stdin is the file's bytes). */
  async create(vault: string, title: string, fileName: string, path: string): Promise<void> {
    const r = await this.exec.run(this.argv(['document', 'create', '-', '--vault', vault, '--title', title, '--file-name', fileName]), { mutating: true, timeoutMs: this.timeoutMs, inputFile: path });
    if (r.exitCode !== 0) throw this.fail(r);
  }

  /** Replaces the Document's content with a file's (1Password keeps the earlier version in the item's history). */
  async edit(vault: string, title: string, fileName: string, path: string): Promise<void> {
    const r = await this.exec.run(this.argv(['document', 'edit', title, '-', '--vault', vault, '--file-name', fileName]), { mutating: true, timeoutMs: this.timeoutMs, inputFile: path });
    if (r.exitCode !== 0) throw this.fail(r);
  }
}
