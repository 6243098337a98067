// talhelper's variable substitution: a talconfig.yaml may say `talosVersion: ${talosVersion}` with the value in
// talenv.yaml beside it (or talenv.sops.yaml, or the environment): talhelper runs envsubst over the file before
// reading it (budimanjojo/talhelper docs "talenv.yaml"; a8m/envsubst syntax: $VAR, ${VAR}, ${VAR:-default}, $$).
// Here the process environment wins over talenv.yaml (dotenv convention). talenv.sops.yaml is encrypted: it is not
// read (a variable only it defines is reported as unset, naming it).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { ConfigError } from './yaml-errors.ts';

export interface Substituted { text: string; unset: string[]; sopsFile?: string }

/** envsubst over `text`; unset variables become empty (envsubst's default) and are listed. */
export function envsubst(text: string, lookup: (name: string) => string | undefined): { text: string; unset: string[] } {
  const unset = new Set<string>();
  const out = text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, braced?: string, def?: string, bare?: string) => {
    if (m === '$$') return '$';
    const name = (braced ?? bare)!;
    const v = lookup(name);
    if (v !== undefined && v !== '') return v;
    if (def !== undefined) return def;
    unset.add(name);
    return '';
  });
  return { text: out, unset: [...unset] };
}

/** The talconfig's text with talenv.yaml and the environment substituted. */
export async function substituteTalconfig(path: string, env: Record<string, string | undefined>): Promise<Substituted> {
  const raw = await readFile(path, 'utf8');
  const dir = dirname(path);
  let values: Record<string, unknown> = {};
  const plain = join(dir, 'talenv.yaml');
  if (existsSync(plain)) {
    try {
      values = (parse(await readFile(plain, 'utf8')) ?? {}) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError([`${plain}: ${(err as Error).message.split('\n')[0]}`]);
    }
  }
  const sops = join(dir, 'talenv.sops.yaml');
  const r = envsubst(raw, (name) => env[name] ?? (values[name] === undefined || values[name] === null ? undefined : String(values[name])));
  return { ...r, ...(existsSync(sops) ? { sopsFile: sops } : {}) };
}
