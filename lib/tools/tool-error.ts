// One error shape for every wrapped CLI: which tool, the (redacted) argv, exit code, stderr, duration, a short message
// and a classification of known failures so tasks can branch on outcomes rather than on text.
import type { ExecResult } from '../exec.ts';

export type ToolFailure = 'NotFound' | 'AlreadyExists' | 'Auth' | 'Timeout' | 'Locked' | 'Conflict' | 'Unreachable' | 'Missing' | 'Config' | 'Other';

export class ToolError extends Error {
  readonly tool: string;
  readonly argv: string[];
  readonly exitCode: number;
  readonly stderr: string;
  readonly durationMs: number;
  readonly kind: ToolFailure;
  constructor(tool: string, result: ExecResult, kind: ToolFailure, shortMessage: string) {
    super(`${tool}: ${shortMessage}`);
    this.name = 'ToolError';
    this.tool = tool;
    this.argv = result.argv;
    this.exitCode = result.exitCode;
    this.stderr = result.stderr;
    this.durationMs = result.durationMs;
    this.kind = kind;
  }
}

/** First matching rule wins; each rule names its upstream source where it is defined. */
export type FailureRule = [RegExp, ToolFailure];

export function classify(result: ExecResult, rules: FailureRule[]): ToolFailure {
  if (result.notFound) return 'Missing';
  if (result.timedOut) return 'Timeout';
  const text = `${result.stderr}\n${result.stdout}`;
  return rules.find(([re]) => re.test(text))?.[1] ?? 'Other';
}

export function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).slice(-1)[0] ?? '';
}
