// Repository conventions for compose stacks, each breach with file:line: images pinned (a digest or an exact
// version; `latest`, no tag, a floating word or a bare major version is not), no obsolete top-level `version:` key
// (compose-spec/spec.md "Version top-level element (obsolete)"), env files referenced but not committed, secrets
// not inline (a secret key's value written in the file, or in a committed .env), and stale stacks (a project folder
// no host runs). Lines come from the YAML document (yaml's LineCounter), after .env interpolation for image tags.
import { posix } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { isMap, isScalar, LineCounter, parseDocument, type Node } from 'yaml';
import { interpolate } from './interpolate.ts';

export interface Breach { file: string; line: number; rule: 'unpinned-image' | 'version-key' | 'env-file-committed' | 'inline-secret' | 'stale-stack' | 'invalid'; message: string }

const FLOATING = new Set(['latest', 'stable', 'edge', 'nightly', 'develop', 'dev', 'main', 'master', 'release', 'lts', 'beta', 'rolling', 'current']);

/** why an image reference is not pinned, or undefined when it is */
export function unpinned(ref: string): string | undefined {
  if (/@sha256:[0-9a-f]{64}$/.test(ref)) return undefined;
  const name = ref.split('@')[0]!;
  const colon = name.lastIndexOf(':');
  const tag = colon > name.lastIndexOf('/') ? name.slice(colon + 1) : undefined;
  if (!tag) return 'no tag: it means latest';
  if (FLOATING.has(tag.toLowerCase())) return `tag "${tag}" moves`;
  if (!/\d/.test(tag)) return `tag "${tag}" is not a version`;
  if (/^v?\d+$/.test(tag)) return `tag "${tag}" is a major version only: it moves with every release`;
  return undefined;
}

export function lintComposeFile(file: string, text: string, o: { env: Record<string, string>; exists: (path: string) => boolean; isSecret: (key: string) => boolean }): Breach[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, merge: true });
  const out: Breach[] = [];
  const line = (n: Node | null | undefined) => (n?.range ? lc.linePos(n.range[0]).line : 1);
  if (doc.errors.length) return [{ file, line: doc.errors[0]!.linePos?.[0]?.line ?? 1, rule: 'invalid', message: doc.errors[0]!.message.split('\n')[0]! }];
  const root = doc.contents;
  if (!isMap(root)) return [{ file, line: 1, rule: 'invalid', message: 'expected a mapping with services:' }];
  const version = root.items.find((p) => isScalar(p.key) && p.key.value === 'version');
  if (version) out.push({ file, line: line(version.key as Node), rule: 'version-key', message: 'the top-level version: key is obsolete (Compose ignores it): remove it' });
  const services = doc.get('services', true);
  if (!isMap(services)) return out;
  const dir = posix.dirname(file);
  for (const pair of services.items) {
    const name = String((pair.key as { value?: unknown })?.value ?? pair.key);
    const svc = pair.value;
    if (!isMap(svc)) continue;
    const image = svc.get('image', true);
    if (isScalar(image)) {
      let ref = String(image.value);
      try { ref = interpolate(ref, o.env); } catch { /* an unset required variable: checked as written */ }
      const why = unpinned(ref);
      if (why) out.push({ file, line: line(image), rule: 'unpinned-image', message: `service ${name}: image ${ref}: ${why}; pin an exact version or a digest` });
    }
    const envFiles = svc.get('env_file', true);
    const list: Node[] = envFiles && 'items' in envFiles ? ((envFiles as { items: Node[] }).items) : envFiles ? [envFiles as Node] : [];
    for (const e of list) {
      const path = isScalar(e) ? String(e.value) : isMap(e) ? String(e.get('path')) : '';
      if (path && o.exists(posix.normalize(posix.join(dir, path)))) out.push({ file, line: line(e), rule: 'env-file-committed', message: `service ${name}: env file ${path} is committed: keep it out of Git (.gitignore) and give it to the host another way` });
    }
    const env = svc.get('environment', true);
    const entries: { key: string; value: string; node: Node }[] = [];
    if (isMap(env)) for (const p of env.items) entries.push({ key: String((p.key as { value?: unknown })?.value), value: isScalar(p.value) ? String(p.value.value ?? '') : '', node: (p.value ?? p.key) as Node });
    else if (env && 'items' in env) for (const n of (env as { items: Node[] }).items) if (isScalar(n)) { const s = String(n.value); const i = s.indexOf('='); if (i > 0) entries.push({ key: s.slice(0, i), value: s.slice(i + 1), node: n }); }
    for (const e of entries) {
      if (o.isSecret(e.key) && e.value && !/^\$\{?[A-Za-z_]/.test(e.value)) out.push({ file, line: line(e.node), rule: 'inline-secret', message: `service ${name}: ${e.key} is written in the file: put it in an env file kept out of Git, or a \${VARIABLE}` });
    }
  }
  return out;
}

/** secret keys given a value in a committed .env */
export function lintDotenv(file: string, text: string, isSecret: (key: string) => boolean): Breach[] {
  const keys = Object.keys(parseDotenv(text)).filter(isSecret);
  const lines = text.split('\n');
  return keys.map((k) => ({ file, line: lines.findIndex((l) => new RegExp(`^\\s*(export\\s+)?${k}\\s*=`).test(l)) + 1 || 1, rule: 'inline-secret' as const, message: `${k} has its value in a committed .env: keep the .env out of Git (or encrypt it with sops)` }));
}
