// Finding op:// references in the files an operator keeps: rackhand.yaml values and the bootstrap templates, written
// bare (op://vault/item/field) or as `op inject` placeholders ({{ op://vault/item/field }}: developer.1password.com/docs/
// cli/secrets-template-syntax). Each one found is named with its file and line.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface FoundReference { reference: string; file: string; line: number }

const REF = /op:\/\/[^\s"'{}<>|,]+/g;

export function referencesIn(file: string): FoundReference[] {
  const out: FoundReference[] = [];
  readFileSync(file, 'utf8').split('\n').forEach((text, i) => {
    if (/^\s*#/.test(text)) return; // a YAML comment shows an example, not a reference
    for (const m of text.matchAll(REF)) out.push({ reference: m[0].replace(/[.)\]]+$/, ''), file, line: i + 1 });
  });
  return out;
}

/** Template files under a bootstrap folder (secrets and resources templates, any depth below it). */
export function templateFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) { if (name !== 'node_modules' && !name.startsWith('.')) walk(p); continue; }
      if (/\.(tpl|j2|tmpl|yaml|yml)$/.test(name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** `{{ op://... }}` placeholders of a template replaced by their values (every one must be in `values`). */
export function inject(template: string, values: Map<string, string>): string {
  return template.replace(/\{\{\s*(op:\/\/[^\s}]+)\s*\}\}/g, (_m, ref: string) => values.get(ref)!);
}

export function placeholders(template: string): string[] {
  return [...new Set([...template.matchAll(/\{\{\s*(op:\/\/[^\s}]+)\s*\}\}/g)].map((m) => m[1]!))];
}
