// Run records: every run, whatever its end, leaves one JSON file under .rackhand/runs/ (secrets redacted).
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JournalEntry } from './exec.ts';
import type { Redactor } from './redact.ts';
import type { FlagValues, Identity } from './engine/types.ts';

export type RunResult = 'success' | 'nothing-to-do' | 'failed' | 'refused' | 'interrupted';
export type StepStatus = 'done' | 'skipped' | 'failed' | 'undone' | 'pending';

export interface StepRecord {
  title: string; status: StepStatus; durationMs: number; reason?: string; error?: string;
  /** the step only observes or waits (it changes nothing) */
  readOnly?: true;
  /** durationMs for people: "1m8s" */
  duration?: string;
  /** the compensation of a step that failed or was interrupted mid-way: ran, failed, or could not run */
  cleanup?: 'done' | 'failed' | 'not run';
}
/** What a run could not put back, with the commands to finish by hand. */
export interface Leftover { step: string; why: string; byHand: string[] }
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
  /** durationMs for people: "4m12s" (the ms stay for programs) */
  duration?: string;
  steps: StepRecord[];
  checks: CheckRecord[];
  commands: JournalEntry[];
  error: { message: string; remedy?: string } | null;
  /** the signal that stopped the run (SIGINT, SIGTERM, SIGHUP) */
  interrupted?: string;
  /** non-empty when undo was incomplete: what is left and how to finish by hand */
  leftover?: Leftover[];
  /** --notify-on: each target told, or why not (type and host only: a webhook URL carries its token) */
  notifications?: { type: string; target: string; ok: boolean; status?: number; error?: string }[];
  /** what the run produced for the operator to keep: snapshots, reports, metrics files */
  artifacts?: { label: string; value: string }[];
  data: Record<string, unknown>;
}

/** Where the record of this run is (or will be) written. */
export const runRecordPath = (stateDir: string, record: RunRecord): string => recordFile(stateDir, record).path;

function recordFile(stateDir: string, record: RunRecord): { dir: string; path: string } {
  const dir = join(stateDir, 'runs');
  const stamp = record.startedAt.replace(/[:.]/g, '-');
  return { dir, path: join(dir, `${stamp}-${record.task.replace(':', '_')}-${process.pid}.json`) };
}

/** Writes the record (redacted once more, as a last line of defence), created with mode 0600, and returns its path. */
export async function writeRunRecord(stateDir: string, record: RunRecord, redactor: Redactor): Promise<string> {
  const { dir, path } = recordFile(stateDir, record);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // whole or not at all: a reader (a scheduler, a dashboard) never sees half a record
  await writeFile(`${path}.tmp`, `${JSON.stringify(redactor.redactDeep(record), null, 2)}\n`, { mode: 0o600 });
  await rename(`${path}.tmp`, path);
  return path;
}

/** The same, synchronously: for the last moment before a forced exit (a second signal during undo). */
export function writeRunRecordSync(stateDir: string, record: RunRecord, redactor: Redactor): string {
  const { dir, path } = recordFile(stateDir, record);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(`${path}.tmp`, `${JSON.stringify(redactor.redactDeep(record), null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
  return path;
}
