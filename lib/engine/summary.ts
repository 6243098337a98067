// The one-screen end of every run (gh's and flux2's closing lines): result and duration, what changed, the
// artefacts (snapshots, reports), the run record, and the next command. Human output: stderr.
import { formatDuration } from '../patterns.ts';
import type { RunRecord } from '../report.ts';

const MAX_CHANGED = 8;

export function summaryLines(r: RunRecord, recordPath: string | undefined, next?: string): string[] {
  const steps = r.steps;
  const done = steps.filter((s) => s.status === 'done');
  const counts = [
    done.length ? `${done.length} step(s) ${r.dryRun ? 'shown' : 'done'}` : '',
    steps.filter((s) => s.status === 'skipped').length ? `${steps.filter((s) => s.status === 'skipped').length} already done` : '',
    steps.filter((s) => s.status === 'undone').length ? `${steps.filter((s) => s.status === 'undone').length} undone` : '',
  ].filter(Boolean).join(', ');
  const lines = [`${r.task}: ${r.dryRun && r.result === 'success' ? 'dry run, nothing changed' : r.result}${r.interrupted ? ` (${r.interrupted})` : ''} in ${formatDuration(r.durationMs)}${counts ? ` (${counts})` : ''}`];
  const changed = done.filter((s) => !s.readOnly);
  if (!r.dryRun && r.result === 'success' && changed.length) {
    lines.push('changed:');
    for (const s of changed.slice(0, MAX_CHANGED)) lines.push(`  ${s.title}`);
    if (changed.length > MAX_CHANGED) lines.push(`  ... and ${changed.length - MAX_CHANGED} more (see the run record)`);
  }
  for (const a of r.artifacts ?? []) lines.push(`${a.label}: ${a.value}`);
  if (recordPath) lines.push(`run record: ${recordPath}`);
  if (next) lines.push(`next: ${next}`);
  return lines;
}
