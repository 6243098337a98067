// talhelper's variable substitution: a talconfig.yaml may say `talosVersion: ${talosVersion}` with the value in
// talenv.yaml beside it (or talenv.sops.yaml, or the environment): talhelper runs envsubst over the file before
// reading it (budimanjojo/talhelper docs "talenv.yaml"; a8m/envsubst syntax: $VAR, ${VAR}, ${VAR:-default}, ${VAR:=default}, $$).
// Here the process environment wins over talenv.yaml, which wins over talenv.sops.yaml. talenv.sops.yaml is decrypted
// (sops, lib/config/sops.ts) only when a variable is still unset, in memory; without a decryptor a variable only it
// defines is reported as unset, naming the file.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { ConfigError } from './yaml-errors.ts';

export interface Substituted { text: string; unset: string[]; sopsFile?: string; sopsRead?: boolean }

/** envsubst over `text`; unset variables become empty (envsubst's default) and are listed. Comment lines are left
 *  alone: `# yaml-language-server: $schema=...` heads most talconfigs and means nothing to anyone. */
export function envsubst(text: string, lookup: (name: string) => string | undefined): { text: string; unset: string[] } {
  const unset = new Set<string>();
  const lines = text.split('\n').map((line) => (/^\s*#/.test(line) ? line : substituteLine(line, lookup, unset)));
  return { text: lines.join('\n'), unset: [...unset] };
}

function substituteLine(text: string, lookup: (name: string) => string | undefined, unset: Set<string>): string {
  // ${VAR:-default} and ${VAR:=default} (a8m/envsubst; Flux's postBuild, drone/envsubst, takes the same forms)
  const out = text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-=]([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, braced?: string, def?: string, bare?: string) => {
    if (m === '$$') return '$';
    const name = (braced ?? bare)!;
    const v = lookup(name);
    if (v !== undefined && v !== '') return v;
    if (def !== undefined) return def;
    unset.add(name);
    return '';
  });
  return out;
}

/** The talconfig's text with the environment, talenv.yaml and (when still needed) talenv.sops.yaml substituted. */
export async function substituteTalconfig(path: string, env: Record<string, string | undefined>, decrypt?: (file: string) => Promise<Record<string, unknown>>): Promise<Substituted> {
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
  const lookup = (v: Record<string, unknown>) => (name: string) => env[name] ?? (v[name] === undefined || v[name] === null ? undefined : String(v[name]));
  let r = envsubst(raw, lookup(values));
  if (r.unset.length && existsSync(sops) && decrypt) {
    r = envsubst(raw, lookup({ ...(await decrypt(sops)), ...values }));
    return { ...r, sopsFile: sops, sopsRead: true };
  }
  return { ...r, ...(existsSync(sops) ? { sopsFile: sops } : {}) };
}
