// The flux CLI for what the API alone does not give: `flux check` (controllers, CRDs, version prerequisites) and
// `flux reconcile` (annotate, then wait for the object to handle it). Status lines (► ✔ ✗) go to stderr
// (reference/cli-facts.md, flux 2.x); `--kubeconfig`/`--context` are flux's global flags (fluxcd/flux2
// cmd/flux/main.go). Everything else about Flux objects is read with kubectl.
import type { Executor } from '../exec.ts';
import { CliTool } from './cli-tool.ts';
import type { FailureRule } from './tool-error.ts';
import type { KubeTarget } from './kubectl.ts';

const RULES: FailureRule[] = [
  [/resource is suspended/, 'Conflict'],
  [/not found/, 'NotFound'],
  [/timeout waiting|context deadline exceeded/, 'Timeout'],
  [/connection refused|no such host|Unable to connect/, 'Unreachable'],
];

export class Flux extends CliTool {
  constructor(exec: Executor, private readonly target: KubeTarget, timeoutMs = 6 * 60_000) {
    super(exec, 'flux', RULES, timeoutMs);
  }

  protected prefix(): string[] { return ['--kubeconfig', this.target.kubeconfig, '--context', this.target.context]; }

  /** `flux check`: exit 0 with "✔ all checks passed" on stderr, else exit 1 naming what failed. */
  check(timeoutMs = this.timeoutMs): Promise<string> {
    return this.read(['check'], timeoutMs);
  }

  /** `flux reconcile <kind> <name> -n <ns> [--with-source] --timeout`: returns when the object handled the request. */
  reconcile(kind: 'kustomization' | 'helmrelease' | 'source git', name: string, namespace: string, o: { withSource?: boolean; timeoutMs?: number } = {}): Promise<unknown> {
    const t = o.timeoutMs ?? 5 * 60_000;
    return this.mutate(['reconcile', ...kind.split(' '), name, '--namespace', namespace, ...(o.withSource ? ['--with-source'] : []), `--timeout=${Math.ceil(t / 1000)}s`], { timeoutMs: t + 15_000 });
  }
}
