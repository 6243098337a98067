// lab.vault: what tests use to look at and change the lab's 1Password account directly (no op, no events).
//   get('op://homelab/cloudflare/api-token')        => the value, or undefined
//   set('op://homelab/new-item/section/field', v)    => creates the vault, item, section and field as needed
//   delete('op://homelab/cloudflare')                => removes a field (3-4 segments), an item (2) or a vault (1)
//   document('homelab', 'lab-kubeconfig'[, text])   => a Document's content; with text, creates or replaces it
import { deriveId, newField, type FieldType, type OpAccount } from './vault.js';

export interface LabVault {
  get(ref: string): string | undefined;
  set(ref: string, value: string, opts?: { type?: FieldType }): void;
  delete(ref: string): boolean;
  /** a Document item's content (op document get), or undefined; with `content`, creates or replaces it */
  document(vault: string, title: string, content?: string): string | undefined;
}

function segments(ref: string, min: number, max: number): string[] {
  const parts = ref.startsWith('op://') ? ref.slice(5).split('/') : [];
  if (parts.length < min || parts.length > max || parts.some((p) => !p)) throw new Error(`lab vault: expected op://vault${max > 1 ? '[/item[/section]/field]' : ''} with ${min}-${max} parts, got ${JSON.stringify(ref)}`);
  return parts;
}

export function labVault(account: OpAccount): LabVault {
  const locate = (ref: string, min: number) => {
    const [v, i, a, b] = segments(ref, min, 4) as [string, string?, string?, string?];
    const [section, field] = b !== undefined ? [a, b] : [undefined, a];
    const vault = account.findVault(v);
    const item = vault && i !== undefined ? account.findItems(i, vault)[0]?.item : undefined;
    const f = item && field !== undefined ? account.findFields(item, field, section)[0] : undefined;
    return { v, i, section, field, vault, item, f };
  };
  return {
    document: (vaultName, title, content) => {
      const vault = account.findVault(vaultName);
      if (!vault) throw new Error(`lab vault: no vault ${vaultName}`);
      let item = account.findItems(title, vault).find((h) => h.item.category === 'DOCUMENT')?.item;
      if (content === undefined) return item?.document?.content;
      if (!item) {
        const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        item = { id: deriveId(vault.name, title, 'document'), title, category: 'DOCUMENT', version: 0, createdAt: at, updatedAt: at, fields: [] };
        vault.items.push(item);
      }
      item.document = { name: title, content };
      item.version += 1;
      return content;
    },
    get: (ref) => locate(ref, 3).f?.value,
    set: (ref, value, opts = {}) => {
      const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const l = locate(ref, 3);
      const vault = l.vault ?? { id: deriveId(l.v), name: l.v, createdAt: at, updatedAt: at, items: [] };
      if (!l.vault) account.vaults.push(vault);
      let item = l.item;
      if (!item) {
        item = { id: deriveId(vault.name, l.i!), title: l.i!, category: 'API_CREDENTIAL', version: 1, createdAt: at, updatedAt: at, fields: [] };
        vault.items.push(item);
      }
      if (l.f) {
        l.f.value = value;
        if (opts.type) l.f.type = opts.type;
      } else {
        item.fields.push(newField(vault.name, item.title, l.field!, value, opts.type ?? 'CONCEALED', l.section));
      }
      if (l.item) item.version++;
      item.updatedAt = vault.updatedAt = at;
    },
    delete: (ref) => {
      const l = locate(ref, 1);
      if (!l.vault) return false;
      if (l.i === undefined) return account.vaults.splice(account.vaults.indexOf(l.vault), 1).length > 0;
      if (!l.item) return false;
      if (l.field === undefined) return l.vault.items.splice(l.vault.items.indexOf(l.item), 1).length > 0;
      return !!l.f && l.item.fields.splice(l.item.fields.indexOf(l.f), 1).length > 0;
    },
  };
}
