// How a check task shows its findings, the same for health:cluster, media:check and media:vpn-check: failures first,
// then warnings (and the healthy ones with --all) as a table, a count per area, the findings and the summary in the run
// record, and a StepFailure naming the first failures when anything failed (exit 1; warnings do not fail).
import { StepFailure, type TaskContext } from '../engine/types.ts';
import { table } from '../table.ts';
import { summary, type Finding } from './findings.ts';

export function reportFindings(ctx: TaskContext, findings: Finding[], o: { all: boolean; headers: [string, string] }): void {
  ctx.data.findings = findings;
  ctx.data.summary = summary(findings);
  const shown = o.all ? [...findings] : findings.filter((f) => f.status !== 'ok');
  const order = { fail: 0, warn: 1, ok: 2 } as const;
  shown.sort((a, b) => order[a.status] - order[b.status] || a.area.localeCompare(b.area) || a.object.localeCompare(b.object));
  if (shown.length) ctx.out(table([o.headers[0], o.headers[1], 'STATUS', 'DETAIL'], shown.map((f) => [f.area, f.object, f.status.toUpperCase(), f.message])));
  ctx.out(Object.entries(summary(findings)).map(([area, c]) => `${area}: ${c.ok} ok${c.warn ? `, ${c.warn} warn` : ''}${c.fail ? `, ${c.fail} FAIL` : ''}`).join('\n'));
}

export function failOnFindings(findings: Finding[], remedy?: string): void {
  const failed = findings.filter((f) => f.status === 'fail');
  if (failed.length) throw new StepFailure(`${failed.length} problem(s): ${failed.slice(0, 5).map((f) => `${f.area} ${f.object} (${f.message})`).join('; ')}${failed.length > 5 ? '; ...' : ''}`, remedy);
}
