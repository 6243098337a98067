// Unencrypted secrets in a GitOps repository: files that a .sops.yaml creation rule covers but that are not SOPS files,
// and Kubernetes Secret manifests with values in the clear. A SOPS file carries its metadata: a top-level `sops` map
// (YAML, JSON) or `sops_*` keys (dotenv, INI) (getsops/sops stores/*). Creation rules match path_regex against the
// file's path relative to the folder of .sops.yaml (getsops/sops config/config.go, parseCreationRuleForFile), first
// rule wins; a rule without path_regex matches every file.
import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export interface CreationRule { path_regex?: string; encrypted_regex?: string }
export interface Finding { file: string; line?: number; problem: string }

export function creationRules(sopsYaml: string): CreationRule[] {
  const doc = parse(readFileSync(sopsYaml, 'utf8')) as { creation_rules?: CreationRule[] } | null;
  return doc?.creation_rules ?? [];
}

/** the index of the first rule covering `rel`, or -1 */
export function ruleFor(rules: CreationRule[], rel: string): number {
  return rules.findIndex((r) => !r.path_regex || new RegExp(r.path_regex).test(rel));
}

export function isSopsFile(text: string, file: string): boolean {
  if (/\.(env|ini)$/.test(file)) return /^sops_(version|mac|lastmodified)\s*=/m.test(text);
  try {
    const docs = parseAllDocuments(text);
    return docs.length > 0 && docs.every((d) => {
      const v = d.toJS() as Record<string, unknown> | null;
      return !!v && typeof v === 'object' && typeof v.sops === 'object' && v.sops !== null && ('mac' in (v.sops as object) || 'lastmodified' in (v.sops as object));
    });
  } catch {
    return false;
  }
}

const TEMPLATED = /^(op:\/\/|\$\{|\{\{|<path:|ENC\[)/;

/** Secret manifests in a YAML file whose data/stringData has a value in the clear (not a template or reference). */
function plainSecrets(text: string): { line: number; name: string }[] {
  if (!/^kind:\s*Secret\s*$/m.test(text)) return [];
  const out: { line: number; name: string }[] = [];
  let docs;
  try { docs = parseAllDocuments(text); } catch { return []; }
  let offset = 0;
  for (const d of docs) {
    const v = d.toJS() as Record<string, any> | null;
    const start = d.range?.[0] ?? offset;
    offset = d.range?.[2] ?? offset;
    if (!v || v.kind !== 'Secret' || v.sops) continue;
    const values = [...Object.values(v.data ?? {}), ...Object.values(v.stringData ?? {})].map(String);
    // the line of the document's `kind: Secret`
    const kind = /^kind:\s*Secret\s*$/m.exec(text.slice(start));
    const at = kind ? start + kind.index : start;
    if (values.some((x) => x !== '' && !TEMPLATED.test(x))) out.push({ line: text.slice(0, at).split('\n').length, name: v.metadata?.name ?? '?' });
  }
  return out;
}

export function checkFiles(root: string, files: string[], rules: CreationRule[]): Finding[] {
  const findings: Finding[] = [];
  for (const file of files) {
    const rel = relative(root, file).split(sep).join('/');
    if (rel === '.sops.yaml') continue;
    let text: string;
    try { text = readFileSync(file, 'utf8'); } catch { continue; }
    const rule = ruleFor(rules, rel);
    const encrypted = isSopsFile(text, rel);
    // a rule for every file (no path_regex, or .*) is a default, not a claim that every file is secret: then only
    // files named like SOPS files count
    const broad = rule >= 0 && (!rules[rule]!.path_regex || /^\^?\.\*\$?$/.test(rules[rule]!.path_regex!));
    if (rule >= 0 && !encrypted && (!broad || /\.sops\./.test(rel))) {
      findings.push({ file: rel, problem: `matches creation rule ${rule + 1}${rules[rule]!.path_regex ? ` (path_regex ${rules[rule]!.path_regex})` : ''} but is not encrypted` });
      continue;
    }
    if (!encrypted && /\.ya?ml$/.test(rel)) {
      for (const s of plainSecrets(text)) findings.push({ file: rel, line: s.line, problem: `Secret ${s.name} has values in the clear${rule < 0 ? ' and no creation rule covers the file' : ''}` });
    }
  }
  return findings;
}
