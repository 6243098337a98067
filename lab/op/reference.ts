// Secret references: op://<vault>/<item>[/<section>]/<field>[?attribute=...]
// (developer.1password.com/docs/cli/secret-reference-syntax: alphanumerics, -, _, . and the space; names or ids),
// parsed and resolved with op's own error texts.
import type { OpAccount, OpField, OpItem, OpVault } from './vault.js';

export class OpError extends Error {}

export interface SecretRef {
  raw: string;
  vault: string;
  item: string;
  section?: string;
  field: string;
  attribute?: string;
}

const ALLOWED = /[A-Za-z0-9\-_. ]/;

export function parseRef(raw: string): SecretRef {
  // approximate: op's text for a string that is not op:// at all is unverified
  if (!raw.startsWith('op://')) throw new OpError(`invalid secret reference '${raw}': secret references should start with op://`);
  const [path = '', query] = raw.slice(5).split('?', 2) as [string, string | undefined];
  for (const c of path) {
    // verbatim (community capture of op 2.x): "invalid secret reference: invalid character in secret reference: '('"
    if (c !== '/' && !ALLOWED.test(c)) throw new OpError(`invalid secret reference: invalid character in secret reference: '${c}'`);
  }
  const parts = path.split('/');
  // verbatim (op 2.x, op inject on a bare "op://"): "invalid secret reference 'op://': too few '/': secret references should have at least vault, item and field specified"
  if (parts.length < 3) throw new OpError(`invalid secret reference '${raw}': too few '/': secret references should have at least vault, item and field specified`);
  // approximate: the "too many" text is from a third-party note, prefix assumed like "too few"
  if (parts.length > 4) throw new OpError(`invalid secret reference '${raw}': too many '/': secret references should match op://<vault>/<item>[/<section>]/<field>`);
  if (parts.some((p) => p.trim() === '')) throw new OpError(`invalid secret reference '${raw}': vault, item, section and field names cannot be empty`); // approximate
  let attribute: string | undefined;
  if (query !== undefined) {
    const m = /^attribute=(value|type|id|label|purpose)$/i.exec(query);
    if (!m) throw new OpError(`invalid secret reference '${raw}': unsupported query parameter '${query}'`); // approximate (the lab knows attribute=value|type|id|label|purpose)
    attribute = m[1]!.toLowerCase();
  }
  const [vault, item, a, b] = parts as [string, string, string, string | undefined];
  return { raw, vault, item, ...(b !== undefined ? { section: a, field: b } : { field: a }), ...(attribute ? { attribute } : {}) };
}

export interface Resolved {
  vault: OpVault;
  item: OpItem;
  field: OpField;
  value: string;
}

/** Resolves a parsed reference; errors carry op's text without the "could not read secret '...': " prefix. */
export function resolveRef(account: OpAccount, ref: SecretRef): Resolved {
  const vault = account.findVault(ref.vault);
  // approximate: by analogy with the item text below and `op vault get` ("\"X\" isn't a vault in this account. Specify the vault with its ID or name.")
  if (!vault) throw new OpError(`could not get item ${ref.vault}/${ref.item}: "${ref.vault}" isn't a vault in this account. Specify the vault with its ID or name.`);
  const item = account.findItems(ref.item, vault)[0]?.item;
  // verbatim op 2.39.0: could not get item V/nope: "nope" isn't an item in the "V" vault. Specify the item with its UUID, name, or domain.
  if (!item) throw new OpError(`could not get item ${ref.vault}/${ref.item}: "${ref.item}" isn't an item in the "${ref.vault}" vault. Specify the item with its UUID, name, or domain.`);
  if (ref.section !== undefined && !account.hasSection(item, ref.section)) {
    throw new OpError(`item '${ref.vault}/${ref.item}' does not have a section '${ref.section}'`); // approximate
  }
  const field = account.findFields(item, ref.field, ref.section)[0];
  // verbatim op 2.39.0: item 'V/engagement' does not have a field 'nope'
  if (!field) throw new OpError(`item '${ref.vault}/${ref.item}' does not have a field '${ref.field}'`);
  const value = ref.attribute === undefined || ref.attribute === 'value' ? field.value
    : ref.attribute === 'type' ? field.type.toLowerCase() : ref.attribute === 'id' ? field.id : ref.attribute === 'label' ? field.label : field.purpose ?? '';
  return { vault, item, field, value };
}

/** The reference op itself prints for a field (op item get --format json "reference"). */
export function fieldReference(vault: OpVault, item: OpItem, field: OpField): string {
  return `op://${vault.name}/${item.title}/${field.section ? `${field.section.label}/` : ''}${field.label}`;
}
