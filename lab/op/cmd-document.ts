// op document get / create / edit: a file kept whole in 1Password (a Document item), the way home-ops repositories
// keep kubeconfig and talosconfig (developer.1password.com/docs/cli/reference/management-commands/document):
//   op document get <item> [--vault V] [-o|--out-file F] [--file-mode 0600] [-f|--force]
//   op document create [<file> | -] --vault V --title T [--file-name N]
//   op document edit <item> [<file> | -] [--vault V] [--file-name N]
// The content is stored and returned byte for byte (quotes, trailing newlines). Output of create/edit approximate.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { goJson, out, signedIn, writeOutFile, type OpCommand, type OpCtx } from './command.js';
import { OpError } from './reference.js';
import { deriveId, type OpItem, type OpVault } from './vault.js';

const OUT_FLAGS = [
  { name: 'out-file', short: 'o', type: 'string' as const, usage: 'Save the document to the file path instead of stdout.' },
  { name: 'file-mode', type: 'string' as const, default: '0600', usage: 'Set filemode for the output file.' },
  { name: 'force', short: 'f', type: 'bool' as const, usage: 'Do not prompt for confirmation.' },
];

function vaultOf(c: OpCtx, required: boolean): OpVault | undefined {
  const who = signedIn(c);
  const q: string | undefined = c.flags.vault || undefined;
  if (!q) {
    if (required || (who.kind === 'service-account' && c.account.vaults.length > 1)) throw new OpError('a vault query must be provided when using a service account with access to more than one vault'); // approximate
    return undefined;
  }
  const v = c.account.findVault(q);
  if (!v) throw new OpError(`"${q}" isn't a vault in this account. Specify the vault with its ID or name.`);
  return v;
}

function documentItem(c: OpCtx, q: string, vault: OpVault | undefined): { vault: OpVault; item: OpItem } {
  const hits = c.account.findItems(q, vault).filter((h) => h.item.category === 'DOCUMENT');
  if (!hits.length) throw new OpError(vault ? `"${q}" isn't a document in the "${vault.name}" vault. Specify the document with its UUID or name.` : `"${q}" isn't a document. Specify the document with its UUID or name.`); // approximate
  if (hits.length > 1) throw new OpError(`More than one document matches "${q}". Try again and specify the document by its ID.`); // approximate
  return hits[0]!;
}

async function content(c: OpCtx, arg: string | undefined): Promise<string> {
  if (arg === undefined || arg === '-') {
    if (c.stdin === undefined) throw new OpError('expected the document on stdin or a file path'); // approximate
    return c.stdin;
  }
  return readFile(resolve(c.cwd, arg), 'utf8').catch(() => { throw new OpError(`open ${arg}: no such file or directory`); });
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export const documentGetCmd: OpCommand = {
  path: 'document get',
  flags: [{ name: 'vault', type: 'string', usage: 'Look for the document in this vault.' }, ...OUT_FLAGS],
  async run(c) {
    if (c.args.length !== 1) throw new OpError(`accepts 1 arg(s), received ${c.args.length}`);
    const { vault, item } = documentItem(c, c.args[0]!, vaultOf(c, false));
    c.record('op-document-get', `${vault.name}/${item.title}`);
    const text = item.document?.content ?? '';
    if (c.changed.has('out-file')) await writeOutFile(c, text);
    else out(c, text);
  },
};

export const documentCreateCmd: OpCommand = {
  path: 'document create',
  flags: [
    { name: 'vault', type: 'string', usage: 'Save the document in this vault.' },
    { name: 'title', type: 'string', usage: 'Set the name of the document item.' },
    { name: 'file-name', type: 'string', usage: 'Set the file\'s name.' },
  ],
  async run(c) {
    const vault = vaultOf(c, true)!;
    const text = await content(c, c.args[0]);
    const title: string = c.flags.title || c.flags['file-name'] || c.args[0] || 'Document';
    const at = now();
    const item: OpItem = { id: deriveId(vault.name, title, at, String(vault.items.length)), title, category: 'DOCUMENT', version: 1, createdAt: at, updatedAt: at, fields: [], document: { name: c.flags['file-name'] || title, content: text } };
    vault.items.push(item);
    c.record('op-document-create', `${vault.name}/${title}`, `${Buffer.byteLength(text)} bytes`);
    out(c, goJson({ uuid: item.id, createdAt: at, updatedAt: at, vaultUuid: vault.id }));
  },
};

export const documentEditCmd: OpCommand = {
  path: 'document edit',
  flags: [
    { name: 'vault', type: 'string', usage: 'Look up the document in this vault.' },
    { name: 'file-name', type: 'string', usage: 'Set the file\'s name.' },
    { name: 'title', type: 'string', usage: 'Set the document item\'s title.' },
  ],
  async run(c) {
    if (c.args.length < 1 || c.args.length > 2) throw new OpError(`accepts between 1 and 2 arg(s), received ${c.args.length}`);
    const { vault, item } = documentItem(c, c.args[0]!, vaultOf(c, false));
    const text = await content(c, c.args[1]);
    item.document = { name: c.flags['file-name'] || item.document?.name || item.title, content: text };
    if (c.flags.title) item.title = c.flags.title;
    item.version += 1;
    item.updatedAt = now();
    c.record('op-document-edit', `${vault.name}/${item.title}`, `${Buffer.byteLength(text)} bytes`);
  },
};
