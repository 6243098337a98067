// One output vocabulary for every task (flux2's ► ◎ ✔ ⚠ ✗): tasks say what they do, never how it is printed.
// Everything goes to stderr (stdout is for primary output and --json) and through the redactor.
import pc from 'picocolors';
import type { Redactor } from '../redact.ts';
import type { IO } from './io.ts';

export type LogLevel = 'action' | 'waiting' | 'success' | 'warning' | 'failure' | 'info' | 'command';

const SYMBOL: Record<LogLevel, string> = { action: '►', waiting: '◎', success: '✔', warning: '⚠', failure: '✗', info: ' ', command: '$' };

export class Logger {
  private readonly colors;
  constructor(private readonly io: IO, private readonly redactor: Redactor, readonly verbose = false) {
    this.colors = pc.createColors(io.color);
  }

  private paint(level: LogLevel, text: string): string {
    const c = this.colors;
    switch (level) {
      case 'success': return c.green(text);
      case 'warning': return c.yellow(text);
      case 'failure': return c.red(text);
      case 'waiting': return c.cyan(text);
      case 'command': return c.dim(text);
      default: return text;
    }
  }

  write(level: LogLevel, message: string): void {
    const line = `${SYMBOL[level]} ${this.redactor.redact(message)}`;
    this.io.stderr.write(`${this.paint(level, line)}\n`);
  }

  action(m: string): void { this.write('action', m); }
  waiting(m: string): void { this.write('waiting', m); }
  success(m: string): void { this.write('success', m); }
  warning(m: string): void { this.write('warning', m); }
  failure(m: string): void { this.write('failure', m); }
  info(m: string): void { this.write('info', m); }
  /** Detail shown only with --verbose. */
  detail(m: string): void { if (this.verbose) this.write('info', m); }
  /** Commands are shown with --verbose; dry-run commands are always shown. */
  command(m: string, always = false): void { if (always || this.verbose) this.write('command', m); }
  bold(text: string): string { return this.colors.bold(text); }
}
