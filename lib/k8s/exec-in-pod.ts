// `kubectl exec` of a command (or, with a terminal, a shell) in one pod's container, its output passed on as it
// comes, and what its end means: kubectl exec exits with the command's own exit code (kubernetes/kubectl
// pkg/cmd/exec/exec.go, via uexec.CodeExitError). Shared by k8s:exec and the throwaway pods of k8s:browse-pvc and
// k8s:debug-node; the caller decides when to raise the failure (a throwaway pod is deleted first).
import type { ExecResult } from '../exec.ts';
import { StepFailure, type TaskContext } from '../engine/types.ts';
import { quoteArgv } from '../shell-quote.ts';

export async function execInPod(ctx: TaskContext, o: { namespace: string; pod: string; container?: string; command: string[]; shell: string[]; timeoutMs: number; timeoutHint: string }): Promise<{ result: ExecResult; failure?: StepFailure }> {
  const shell = o.command.length === 0;
  const argv = ctx.kubectl.argv(['exec', o.pod, '--namespace', o.namespace, ...(o.container ? ['--container', o.container] : []), ...(shell ? ['--stdin', '--tty'] : []), '--', ...(shell ? o.shell : o.command)]);
  const result = await ctx.passthrough(argv, { mutating: true, timeoutMs: o.timeoutMs, terminal: shell });
  ctx.data.exitCode = result.exitCode;
  const where = `${o.namespace}/${o.pod}`;
  if (result.timedOut) return { result, failure: new StepFailure(`the ${shell ? 'session' : 'command'} in ${where} reached its deadline`, o.timeoutHint) };
  // a shell's last exit code is the operator's business; 1 is also kubectl's own failure code
  if (result.exitCode !== 0 && !shell) return { result, failure: new StepFailure(`${quoteArgv(o.command)} exited ${result.exitCode} in ${where}`) };
  return { result };
}
