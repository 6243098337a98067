// helmfile for the bootstrap releases: `build` (the layered state: releases and needs as helmfile sees them), `template` (rendered manifests on stdout, CRDs included with --include-crds)
// and `apply` (diff first, upgrade only what changed: idempotent re-runs; needs the helm-diff plugin on a real
// machine) (reference/cli-facts.md, helmfile 1.x; helmfile/helmfile pkg/app/app.go). The kubeconfig reaches helm
// through KUBECONFIG and `--kube-context`.
import type { Executor } from '../exec.ts';
import { CliTool } from './cli-tool.ts';
import type { KubeTarget } from './kubectl.ts';
import { ToolError, type FailureRule } from './tool-error.ts';

const RULES: FailureRule[] = [
  [/Kubernetes cluster unreachable/, 'Unreachable'],
  [/context deadline exceeded|timed out waiting/, 'Timeout'],
];

export class Helmfile extends CliTool {
  private kubeconfig: string;

  constructor(exec: Executor, private readonly file: string, private readonly target: KubeTarget, timeoutMs = 20 * 60_000) {
    super(exec, 'helmfile', RULES, timeoutMs);
    this.kubeconfig = target.kubeconfig;
  }

  protected prefix(): string[] { return ['--file', this.file, '--kube-context', this.target.context]; }
  protected override env(): Record<string, string> { return { KUBECONFIG: this.kubeconfig }; }

  /** Runs `fn` with KUBECONFIG pointing at `path` (a kubeconfig whose current context is the checked one, so hooks
   *  that call a bare `kubectl` reach the same cluster as helm does). */
  async withKubeconfig<T>(path: string, fn: () => Promise<T>): Promise<T> {
    const before = this.kubeconfig;
    this.kubeconfig = path;
    try { return await fn(); } finally { this.kubeconfig = before; }
  }

  /** Every selected release rendered, CRDs included (multi-document YAML). Read-only: no cluster needed. */
  template(): Promise<string> {
    return this.read(['--quiet', 'template', '--include-crds', '--skip-tests'], 5 * 60_000);
  }

  /** The state after bases, documents, templates and environments are layered (`helmfile build`, one document per
   *  state file; helmfile/helmfile pkg/app/app.go PrintState). Read-only: no cluster needed. */
  build(): Promise<string> {
    return this.read(['--quiet', 'build'], 2 * 60_000);
  }

  /** Installs/upgrades releases in `needs:` order; returns stdout+stderr. `sync` (what the community's bootstrap
   *  runs) needs nothing but helm; `apply` diffs first and needs the helm-diff plugin. */
  async install(command: 'sync' | 'apply' = 'sync'): Promise<string> {
    const r = await this.mutate(command === 'apply' ? ['apply', '--skip-diff-on-install', '--suppress-diff'] : ['sync']);
    return `${r.stdout}${r.stderr}`;
  }
}

/** The release a failed helmfile run names: `failed processing release <name>` (helmfile pkg/app/run.go) or the
 *  FAILED RELEASES table helmfile prints at the end (pkg/app/app.go). */
export function failedRelease(err: unknown): string | undefined {
  if (!(err instanceof ToolError)) return undefined;
  const text = `${err.stderr}\n${err.message}`;
  const m = /failed processing release ([\w.-]+)/.exec(text) ?? /FAILED RELEASES:\s*\nNAME[^\n]*\n\s*([\w.-]+)/.exec(text) ?? /release "([\w.-]+)" failed/.exec(text);
  return m?.[1];
}
