// The drift report an operator reads and files away: JSON for machines and Markdown for people, written 0600 under
// .rackhand/compose/ (or --report-dir) as drift-<time>.{json,md} and latest.{json,md}. Secrets appear only as hashes
// (lib/compose/diff.ts); nothing else secret is in a finding.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Finding, Severity } from './diff.ts';
import type { HostDrift } from './drift.ts';

export interface DriftReport { kind: 'rackhand.dev/compose-drift-report'; startedAt: string; finishedAt: string; hosts: HostDrift[]; counts: Record<Severity, number> }

export const SEVERITIES: Severity[] = ['critical', 'warning', 'info'];
const cell = (t: string | undefined) => (t ?? '-').replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdown(r: DriftReport): string {
  const all = r.hosts.flatMap((h) => h.findings);
  const lines = [
    `# Compose drift: ${all.length ? `${r.counts.critical} critical, ${r.counts.warning} warning, ${r.counts.info} info` : 'none'}`, '',
    `Read ${r.startedAt} to ${r.finishedAt} from ${r.hosts.length} host(s).`, '',
  ];
  for (const h of r.hosts) {
    lines.push(`## ${h.host}`, '', `Projects: ${h.projects.map((p) => `${p.name}${p.source ? ` (${p.source})` : ''}`).join(', ') || 'none'}.`, '');
    if (!h.findings.length) { lines.push('No drift.', ''); continue; }
    lines.push('| Severity | Project | Service | Field | Running | Git | |', '|---|---|---|---|---|---|---|');
    for (const f of sortFindings(h.findings)) lines.push(`| ${f.severity} | ${cell(f.project)} | ${cell(f.service)} | ${cell(f.field)} | ${cell(f.running)} | ${cell(f.git)} | ${cell(f.message)} |`);
    lines.push('');
  }
  lines.push('Secret values (keys like *PASSWORD, *TOKEN, *API_KEY, compose.secretKeys, and labels carrying credentials such as basicauth.users) are shown as sha256:<first 12 hex>.', '');
  return lines.join('\n');
}

export const sortFindings = (list: Finding[]) => [...list].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.project.localeCompare(b.project) || a.service.localeCompare(b.service) || a.field.localeCompare(b.field));

export async function writeDriftReport(dir: string, r: DriftReport): Promise<{ json: string; markdown: string }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const stamp = r.startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const json = join(dir, `drift-${stamp}.json`);
  const md = join(dir, `drift-${stamp}.md`);
  const body = { json: `${JSON.stringify(r, null, 2)}\n`, md: markdown(r) };
  for (const [path, text] of [[json, body.json], [md, body.md], [join(dir, 'latest.json'), body.json], [join(dir, 'latest.md'), body.md]] as const) {
    await rm(path, { force: true });
    await writeFile(path, text, { mode: 0o600, flag: 'wx' });
  }
  return { json, markdown: md };
}
