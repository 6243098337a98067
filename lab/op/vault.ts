// The lab's 1Password account: vaults -> items -> fields, loaded from lab/vault.yaml (or startLab({ vault: path })).
// Names match case-insensitively and ids exactly, as op resolves them (developer.1password.com/docs/cli/secret-reference-syntax:
// "Secret references are case-insensitive"). Ids are 26 lowercase base32 characters like 1Password's; missing ones are
// derived from the names so a vault file stays short.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';

export const DEFAULT_VAULT = fileURLToPath(new URL('../vault.yaml', import.meta.url));

const OpId = z.string().regex(/^[a-z0-9]{26}$/, '26 lowercase letters and digits');
const FieldType = z.enum(['CONCEALED', 'STRING']);
const FieldSchema = z.object({
  label: z.string().min(1), value: z.string(), type: FieldType.default('CONCEALED'),
  section: z.string().min(1).optional(), id: z.string().min(1).optional(), purpose: z.enum(['USERNAME', 'PASSWORD', 'NOTES']).optional(),
});
const ItemSchema = z.object({ title: z.string().min(1), id: OpId.optional(), category: z.string().default('API_CREDENTIAL'), fields: z.array(FieldSchema).default([]) });
const VaultFileSchema = z.object({ vaults: z.array(z.object({ name: z.string().min(1), id: OpId.optional(), items: z.array(ItemSchema).default([]) })).default([]) });

export type FieldType = z.infer<typeof FieldType>;

export interface OpSection { id: string; label: string }
export interface OpField { id: string; label: string; value: string; type: FieldType; purpose?: string; section?: OpSection }
export interface OpItem { id: string; title: string; category: string; version: number; createdAt: string; updatedAt: string; fields: OpField[]; document?: { name: string; content: string } }
export interface OpVault { id: string; name: string; createdAt: string; updatedAt: string; items: OpItem[] }

/** A stable 1Password-looking id (26 chars of a-z2-7) for the given names. */
export function deriveId(...parts: string[]): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const h = createHash('sha256').update(parts.join('\0')).digest();
  return [...h.subarray(0, 26)].map((b) => alphabet[b % 32]).join('');
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const byNameOrId = <T extends { id: string }>(list: T[], q: string, name: (t: T) => string): T[] => {
  const exact = list.filter((t) => t.id === q);
  return exact.length ? exact : list.filter((t) => same(name(t), q));
};

export function newField(vault: string, item: string, label: string, value: string, type: FieldType, section?: string): OpField {
  return {
    id: deriveId(vault, item, section ?? '', label), label, value, type,
    ...(section ? { section: { id: deriveId(vault, item, 'section', section), label: section } } : {}),
  };
}

export class OpAccount {
  /** the op-signed-out fault: every command fails as with no credentials */
  signedOut = false;
  /** the opRateLimited fault: this many more commands are refused as rate limited */
  rateLimited = 0;

  constructor(readonly vaults: OpVault[]) {}

  static async load(path: string = DEFAULT_VAULT, now = new Date()): Promise<OpAccount> {
    const r = VaultFileSchema.safeParse(parse(await readFile(path, 'utf8')) ?? {});
    if (!r.success) throw new Error(`invalid lab vault file ${path}:\n${r.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n')}`);
    const at = now.toISOString().replace(/\.\d+Z$/, 'Z');
    return new OpAccount(r.data.vaults.map((v) => ({
      id: v.id ?? deriveId(v.name), name: v.name, createdAt: at, updatedAt: at,
      items: v.items.map((i) => ({
        id: i.id ?? deriveId(v.name, i.title), title: i.title, category: i.category, version: 1, createdAt: at, updatedAt: at,
        fields: i.fields.map((f) => ({ ...newField(v.name, i.title, f.label, f.value, f.type, f.section), ...(f.id ? { id: f.id } : {}), ...(f.purpose ? { purpose: f.purpose } : {}) })),
      })),
    })));
  }

  findVault(q: string): OpVault | undefined {
    return byNameOrId(this.vaults, q, (v) => v.name)[0];
  }

  /** items matching a title or id, in one vault or across all of them */
  findItems(q: string, vault?: OpVault): { vault: OpVault; item: OpItem }[] {
    return (vault ? [vault] : this.vaults).flatMap((v) => byNameOrId(v.items, q, (i) => i.title).map((item) => ({ vault: v, item })));
  }

  /** fields matching a label or id, optionally inside a section (label or id) */
  findFields(item: OpItem, q: string, section?: string): OpField[] {
    const scope = section === undefined ? item.fields : item.fields.filter((f) => f.section && (f.section.id === section || same(f.section.label, section)));
    return byNameOrId(scope, q, (f) => f.label);
  }

  hasSection(item: OpItem, section: string): boolean {
    return item.fields.some((f) => f.section && (f.section.id === section || same(f.section.label, section)));
  }
}
