// op item get ITEM [--vault V] [--fields label=X,type=concealed,Y] [--format json] [--reveal]
// (developer.1password.com/docs/cli/reference/management-commands/item#item-get; JSON shape from 1Password/op-js
// src/commands/item.ts: id, title, version, vault{id,name}, category, fields[]{id,type,purpose,label,value,reference,section}).
// Since op 2.30 concealed values are hidden unless --reveal: "[use 'op item get <id> --reveal' to reveal]" (verbatim,
// several community captures); the lab shows the same placeholder in JSON (approximate).
import { ago, exactArgs, goJson, keyValues, out, signedIn, type OpCommand, type OpCtx } from './command.js';
import { fieldReference, OpError } from './reference.js';
import { deriveId, type OpField, type OpItem, type OpVault } from './vault.js';

const shown = (c: OpCtx, item: OpItem, f: OpField) =>
  f.type === 'CONCEALED' && !c.flags.reveal ? `[use 'op item get ${item.id} --reveal' to reveal]` : f.value;

function fieldJson(c: OpCtx, vault: OpVault, item: OpItem, f: OpField) {
  return {
    id: f.id, type: f.type, ...(f.purpose ? { purpose: f.purpose } : {}), label: f.label, value: shown(c, item, f),
    reference: fieldReference(vault, item, f), ...(f.section ? { section: f.section } : {}),
  };
}

/** --fields: "label=X", "type=T" or a bare label, comma-separated (op-js src/cli.ts builds label=...,type=...) */
function select(c: OpCtx, item: OpItem, specs: string[]): OpField[] {
  return specs.flatMap((spec) => {
    const m = /^(label|type)=(.*)$/.exec(spec);
    const [key, q] = m ? [m[1]!, m[2]!] : ['label', spec];
    const hits = item.fields.filter((f) => (key === 'type' ? f.type.toLowerCase() === q.toLowerCase() : f.label.toLowerCase() === q.toLowerCase() || f.id === q));
    if (!hits.length && key === 'label') throw new OpError(`"${q}" isn't a field in the "${item.title}" item`); // approximate
    return hits;
  });
}

/** CSV cells, as op joins several --fields values */
const csv = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export const itemGetCmd: OpCommand = {
  path: 'item get',
  flags: [
    { name: 'vault', type: 'string', usage: 'Look for the item in this vault.' },
    { name: 'fields', type: 'strings', usage: 'Only return data from these fields.' },
    { name: 'reveal', type: 'bool', usage: "Don't conceal sensitive fields." },
    { name: 'include-archive', type: 'bool', usage: 'Include items in the Archive.' },
    { name: 'otp', type: 'bool', usage: 'Output the primary one-time password for this item.' },
  ],
  async run(c) {
    exactArgs(c, 1);
    const who = signedIn(c);
    const q = c.args[0]!;
    const vaultQ: string = c.flags.vault;
    // "you must specify a vault with the --vault flag if the service account has access to more than one vault"
    // (developer.1password.com/docs/service-accounts/use-with-1password-cli); text approximate
    if (who.kind === 'service-account' && !vaultQ && c.account.vaults.length > 1) throw new OpError('a vault query must be provided when using a service account with access to more than one vault');
    const vault = vaultQ ? c.account.findVault(vaultQ) : undefined;
    // verbatim (community capture): "X" isn't a vault in this account. Specify the vault with its ID or name.
    if (vaultQ && !vault) throw new OpError(`"${vaultQ}" isn't a vault in this account. Specify the vault with its ID or name.`);
    const hits = c.account.findItems(q, vault);
    // verbatim (community capture of op 2.x): "axle" isn't an item in the "Employee" vault. Specify the item with its UUID, name, or domain.
    if (!hits.length) throw new OpError(vaultQ ? `"${q}" isn't an item in the "${vaultQ}" vault. Specify the item with its UUID, name, or domain.` : `"${q}" isn't an item. Specify the item with its UUID, name, or domain.`);
    if (hits.length > 1) throw new OpError(`More than one item matches "${q}". Try again and specify the item by its ID:\n${hits.map((h) => `\t* for the item "${h.item.title}" in vault ${h.vault.name}: ${h.item.id}`).join('\n')}`); // approximate
    const { vault: v, item } = hits[0]!;
    c.record('op-item-get', `${v.name}/${item.title}`, c.flags.reveal ? 'reveal' : undefined);
    const json = String(c.flags.format).toLowerCase() === 'json';
    if (c.changed.has('fields')) {
      const fields = select(c, item, c.flags.fields as string[]);
      if (json) out(c, goJson(fields.length === 1 ? fieldJson(c, v, item, fields[0]!) : fields.map((f) => fieldJson(c, v, item, f))));
      else out(c, `${fields.map((f) => csv(shown(c, item, f))).join(',')}\n`);
      return;
    }
    if (json) {
      const sections = [...new Map(item.fields.filter((f) => f.section).map((f) => [f.section!.id, f.section!])).values()];
      out(c, goJson({
        id: item.id, title: item.title, version: item.version, vault: { id: v.id, name: v.name }, category: item.category,
        last_edited_by: deriveId('lab-user'), created_at: item.createdAt, updated_at: item.updatedAt,
        ...(sections.length ? { sections } : {}), fields: item.fields.map((f) => fieldJson(c, v, item, f)),
      }));
      return;
    }
    // human-readable (community captures): ID/Title/Vault/Created/Updated/Favorite/Version/Category, then Fields:
    out(c, keyValues([['ID', item.id], ['Title', item.title], ['Vault', `${v.name} (${v.id})`], ['Created', ago(item.createdAt)],
      ['Updated', ago(item.updatedAt)], ['Favorite', 'false'], ['Version', String(item.version)], ['Category', item.category]]));
    const plain = item.fields.filter((f) => !f.section);
    if (plain.length) out(c, `Fields:\n${keyValues(plain.map((f) => [f.label, shown(c, item, f)]), '  ')}`);
    for (const s of new Set(item.fields.filter((f) => f.section).map((f) => f.section!.label))) {
      out(c, `${s}:\n${keyValues(item.fields.filter((f) => f.section?.label === s).map((f) => [f.label, shown(c, item, f)]), '  ')}`); // approximate
    }
  },
};

// op item edit ITEM [--vault V] [assignment ...]: assignments `[section.]label[[type]]=value`
// (developer.1password.com/docs/cli/item-edit: "op item edit <item> 'label=value'", a type in brackets such as
// 'api-token[text]=...'); an existing field keeps its type unless one is given; a new field is text. Prints the item
// as `op item get` does (JSON with --format json). The item's version moves on.
const ASSIGNMENT = /^(?:([^.=[\]]+)\.)?([^.=[\]]+)(?:\[([a-z]+)\])?=(.*)$/s;
const TYPES: Record<string, OpField['type']> = { text: 'STRING', password: 'CONCEALED', concealed: 'CONCEALED' };

export const itemEditCmd: OpCommand = {
  path: 'item edit',
  flags: [{ name: 'vault', type: 'string', usage: 'Edit the item in this vault.' }],
  async run(c) {
    if (!c.args.length) throw new OpError('accepts at least 1 arg(s), received 0');
    signedIn(c);
    const [q, ...assignments] = c.args as [string, ...string[]];
    const vault = c.flags.vault ? c.account.findVault(c.flags.vault) : undefined;
    if (c.flags.vault && !vault) throw new OpError(`"${c.flags.vault}" isn't a vault in this account. Specify the vault with its ID or name.`);
    const hits = c.account.findItems(q, vault);
    if (hits.length !== 1) throw new OpError(hits.length ? `More than one item matches "${q}". Try again and specify the item by its ID` : `"${q}" isn't an item. Specify the item with its UUID, name, or domain.`);
    const { vault: v, item } = hits[0]!;
    for (const a of assignments) {
      const m = ASSIGNMENT.exec(a);
      if (!m) throw new OpError(`could not parse assignment "${a.replace(/=.*$/s, '=...')}"`); // approximate
      const [, section, label, type, value] = m as unknown as [string, string | undefined, string, string | undefined, string];
      if (type && !TYPES[type]) throw new OpError(`"${type}" is not a supported field type`); // approximate
      const f = c.account.findFields(item, label, section)[0];
      if (f) { f.value = value; if (type) f.type = TYPES[type]!; } else item.fields.push({ id: deriveId(`${item.id}/${label}`), label, value, type: type ? TYPES[type]! : 'STRING' });
    }
    item.version += 1;
    item.updatedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    c.record('op-item-edit', `${v.name}/${item.title}`, assignments.map((a) => a.replace(/=.*$/s, '')).join(','));
    if (String(c.flags.format).toLowerCase() === 'json') out(c, goJson({ id: item.id, title: item.title, version: item.version, vault: { id: v.id, name: v.name }, category: item.category, fields: item.fields.map((f) => fieldJson(c, v, item, f)) }));
    else out(c, `ID: ${item.id}\nTitle: ${item.title}\nVersion: ${item.version}\n`);
  },
};
