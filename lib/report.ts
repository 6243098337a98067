// Run records: every run, whatever its end, leaves one JSON file under .rackhand/runs/ (secrets redacted).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JournalEntry } from './exec.ts';
import type { Redactor } from './redact.ts';
import type { FlagValues, Identity } from './engine/types.ts';

export type RunResult = 'success' | 'nothing-to-do' | 'failed' | 'refused' | 'interrupted';
export type StepStatus = 'done' | 'skipped' | 'failed' | 'undone' | 'pending';

export interface StepRecord { title: string; status: StepStatus; durationMs: number; reason?: string; error?: string }
export interface CheckRecord { phase: 'preflight' | 'postflight'; name: string; ok: boolean; warning?: boolean; message: string; remedy?: string }

export interface RunRecord {
  task: string;
  cluster: string | null;
  identity: Identity | null;
  flags: FlagValues;
  dryRun: boolean;
  result: RunResult;
  exitCode: number;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  steps: StepRecord[];
  checks: CheckRecord[];
  commands: JournalEntry[];
  error: { message: string; remedy?: string } | null;
  data: Record<string, unknown>;
}

/** Writes the record (redacted once more, as a last line of defence) and returns its path. */
export async function writeRunRecord(stateDir: string, record: RunRecord, redactor: Redactor): Promise<string> {
  const dir = join(stateDir, 'runs');
  await mkdir(dir, { recursive: true });
  const stamp = record.startedAt.replace(/[:.]/g, '-');
  const path = join(dir, `${stamp}-${record.task.replace(':', '_')}-${process.pid}.json`);
  await writeFile(path, `${JSON.stringify(redactor.redactDeep(record), null, 2)}\n`, { mode: 0o600 });
  return path;
}
