// The shared shape of every CLI wrapper: a fixed argv prefix (kubeconfig/context, talosconfig, ...), read-only and
// mutating calls through lib/exec.ts, and one ToolError classified by the tool's own table of known failures.
import type { Executor, ExecResult } from '../exec.ts';
import { classify, lastLine, ToolError, type FailureRule } from './tool-error.ts';

export interface CallOptions { timeoutMs?: number; input?: string; umask?: number }

export abstract class CliTool {
  protected constructor(
    protected readonly exec: Executor,
    private readonly tool: string,
    private readonly rules: FailureRule[],
    protected readonly timeoutMs: number,
  ) {}

  /** Global arguments every call of this tool carries (e.g. --kubeconfig, --context). */
  protected abstract prefix(): string[];

  /** Environment every call carries (restic's RESTIC_REPOSITORY/RESTIC_PASSWORD: secrets stay out of argv). */
  protected env(): Record<string, string> { return {}; }

  argv(args: readonly string[]): string[] {
    return [this.tool, ...this.prefix(), ...args];
  }

  protected fail(r: ExecResult): ToolError {
    const e = this.exec.error(r);
    return new ToolError(this.tool, e.result, classify(r, this.rules), lastLine(e.result.stderr) || e.message);
  }

  /** Read-only call; throws a ToolError on non-zero exit. */
  async read(args: readonly string[], timeoutMs = this.timeoutMs, input?: string): Promise<string> {
    const r = await this.exec.run(this.argv(args), { mutating: false, timeoutMs, env: this.env(), ...(input !== undefined ? { input } : {}) });
    if (r.exitCode !== 0) throw this.fail(r);
    return r.stdout;
  }

  /** Mutating call (printed, not run, under --dry-run); throws a ToolError on non-zero exit. */
  async mutate(args: readonly string[], o: CallOptions = {}): Promise<ExecResult> {
    const r = await this.exec.run(this.argv(args), { mutating: true, timeoutMs: o.timeoutMs ?? this.timeoutMs, input: o.input, env: this.env(), ...(o.umask !== undefined ? { umask: o.umask } : {}) });
    if (r.exitCode !== 0) throw this.fail(r);
    return r;
  }
}
