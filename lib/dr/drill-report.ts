// The drill report an operator files away (JSON for machines, Markdown for people), written under
// .rackhand/drills/ (or --report-dir) as drill-<time>.{json,md} plus latest.{json,md}. It holds names, times,
// sizes and durations only: no credential of any kind.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatDuration } from '../patterns.ts';
import type { DrillResult } from './drill.ts';

export interface DrillReport {
  kind: 'rackhand.dev/dr-drill-report';
  cluster: string;
  startedAt: string;
  finishedAt: string;
  ok: boolean;
  targets: DrillResult[];
}

const dur = (s: number | undefined) => (s === undefined ? '-' : formatDuration(Math.round(s * 1000)));
const cell = (t: string) => t.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** a measured value against its target: "12m / 30m", with "**BREACH**" when over */
const vs = (v: number | undefined, target: number | undefined) => `${dur(v)}${target !== undefined ? ` / ${dur(target)}` : ''}${v !== undefined && target !== undefined && v > target ? ' **BREACH**' : ''}`;

export function markdown(r: DrillReport, history: DrillReport[] = []): string {
  const lines = [
    `# DR drill of cluster ${r.cluster}: ${r.ok ? 'PASSED' : 'FAILED'}`, '',
    `Started ${r.startedAt}, finished ${r.finishedAt}. ${r.targets.filter((t) => t.ok).length} of ${r.targets.length} target(s) passed.`, '',
    '| Target | Kind | Result | Restored from | Restore | RTO / target | Data age / RPO | Files (restored / snapshot) | Bytes (restored / snapshot) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...r.targets.map((t) => `| ${t.app} | ${t.kind ?? 'volsync'} | ${t.ok ? 'passed' : t.breaches?.length ? 'FAILED (target missed)' : 'FAILED'} | ${t.restoredSnapshot ? `${(t.kind ?? 'volsync') === 'volsync' ? t.restoredSnapshot.id.slice(0, 8) : cell(t.restoredSnapshot.id)} (${t.restoredSnapshot.time})` : '-'} | ${dur(t.restoreSeconds)} | ${vs(t.rtoSeconds, t.targets?.rtoSeconds)} | ${vs(t.dataAgeSeconds, t.targets?.rpoSeconds)} | ${t.restored?.files ?? '-'} / ${t.expected?.files ?? '-'} | ${t.restored?.bytes ?? '-'} / ${t.expected?.bytes ?? '-'} |`),
    '',
  ];
  const breaches = r.targets.flatMap((t) => (t.breaches ?? []).map((b) => `- ${t.app}: ${b}`));
  if (breaches.length) lines.push('## Targets missed', '', ...breaches, '');
  if (history.length) {
    const runs = [...history, r];
    lines.push(`## Trend over the last ${runs.length} drills`, '');
    for (const app of [...new Set(runs.flatMap((x) => x.targets.map((t) => t.app)))]) {
      lines.push(`### ${app}`, '', '| Drill | Result | RTO / target | Data age / RPO |', '|---|---|---|---|');
      for (const run of runs) {
        const t = run.targets.find((x) => x.app === app);
        lines.push(t ? `| ${run.startedAt} | ${t.ok ? 'passed' : t.breaches?.length ? 'target missed' : 'FAILED'} | ${vs(t.rtoSeconds, t.targets?.rtoSeconds)} | ${vs(t.dataAgeSeconds, t.targets?.rpoSeconds)} |` : `| ${run.startedAt} | not drilled | - | - |`);
      }
      lines.push('');
    }
  }
  for (const t of r.targets) {
    lines.push(`## ${t.app}`, '', `Scratch namespace \`${t.scratchNamespace}\`${t.kept ? ' (kept for inspection)' : ' (deleted)'}.${t.recoveryPoint ? ` Recovery point reached: ${t.recoveryPoint}.` : ''}`, '');
    for (const c of t.checks) lines.push(`- ${c.ok ? '✔' : '✗'} ${cell(c.name)}: ${cell(c.message)}`);
    if (t.error) lines.push('', `Failure: ${cell(t.error)}`);
    if (t.remedy) lines.push(`Next: \`${t.remedy}\``);
    lines.push('');
  }
  lines.push('RTO: from the start of the target\'s drill until its restored data was verified. Restore: the mover\'s run (a database: its recovery or load).',
    'Data age: how old the restored snapshot was when it was verified (the recovery point actually reached).', '');
  return lines.join('\n');
}

/** The reports of earlier drills of the cluster in the folder (drill-<time>.json), oldest first, at most `n`. */
export async function previousReports(dir: string, cluster: string, n: number): Promise<DrillReport[]> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => /^drill-.*\.json$/.test(f)).sort();
  const out: DrillReport[] = [];
  for (const f of files) {
    try {
      const r = JSON.parse(await readFile(join(dir, f), 'utf8')) as DrillReport;
      if (r.kind === 'rackhand.dev/dr-drill-report' && r.cluster === cluster) out.push(r);
    } catch { /* a report that does not parse is not history */ }
  }
  return out.slice(-n);
}

/** Writes the report (its Markdown with the trend of the `trend` drills before it); returns the paths. */
export async function writeReport(dir: string, r: DrillReport, trend = 10): Promise<{ json: string; markdown: string }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const history = trend > 1 ? await previousReports(dir, r.cluster, trend - 1) : [];
  const stamp = r.startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const json = join(dir, `drill-${stamp}.json`);
  const md = join(dir, `drill-${stamp}.md`);
  const text = { json: `${JSON.stringify(r, null, 2)}\n`, md: markdown(r, history) };
  for (const [path, body] of [[json, text.json], [md, text.md], [join(dir, 'latest.json'), text.json], [join(dir, 'latest.md'), text.md]] as const) {
    // created 0600 (names, namespaces, snapshot ids and sizes of the cluster's backups are nobody else's business);
    // latest.* is replaced, not rewritten, so it never keeps an older, looser mode
    await rm(path, { force: true });
    await writeFile(path, body, { mode: 0o600, flag: 'wx' });
  }
  return { json, markdown: md };
}
