// What a notification says about a run, built from its record: the task, the cluster, the result, the failing thing
// (the error, and the failing findings of a check task), the next command, and where the record is. Redacted by the
// caller before it leaves.
import type { RunRecord } from '../report.ts';

export interface RunSummary { title: string; lines: string[]; failed: boolean; severity: 'critical' | 'warning' | 'info' }

export function summarise(record: RunRecord, recordPath: string | undefined): RunSummary {
  const failed = record.exitCode !== 0;
  const where = record.cluster ? ` on ${record.cluster}` : '';
  const title = `rackhand ${record.task} ${failed ? `FAILED (exit ${record.exitCode})` : record.result === 'nothing-to-do' ? 'had nothing to do' : 'succeeded'}${where}`;
  const lines: string[] = [];
  if (record.error) lines.push(record.error.message);
  const findings = (record.data.findings ?? []) as { area: string; object: string; status: string; message: string }[];
  const bad = findings.filter((f) => f.status === 'fail');
  for (const f of bad.slice(0, 10)) lines.push(`- ${f.area} ${f.object}: ${f.message}`);
  if (bad.length > 10) lines.push(`- ... ${bad.length - 10} more`);
  if (record.leftover?.length) lines.push(`left to undo by hand: ${record.leftover.map((l) => l.byHand.join('; ')).join(' | ')}`);
  if (record.error?.remedy) lines.push(`next: ${record.error.remedy}`);
  lines.push(`took ${record.duration ?? `${record.durationMs} ms`}${recordPath ? `; run record ${recordPath}` : ''}`);
  return { title, lines, failed, severity: !failed ? 'info' : record.exitCode === 1 ? 'critical' : 'warning' };
}
