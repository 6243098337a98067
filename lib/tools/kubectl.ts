// kubectl wrapper: argv builders, JSON readers and the mutating verbs rackhand uses. Always pins --kubeconfig and
// --context so a stray KUBECONFIG or current-context can never redirect a run to another cluster.
import type { Executor, ExecResult } from '../exec.ts';
import { CliTool } from './cli-tool.ts';
import type { KubeList, KubeObject } from './kube-types.ts';
import type { FailureRule } from './tool-error.ts';

export interface KubeTarget { kubeconfig: string; context: string }

export interface Selector {
  namespace?: string;
  allNamespaces?: boolean;
  labels?: string;
  fields?: string;
}

// Error texts: kubernetes/kubectl pkg/cmd/util/helpers.go (StandardErrorMessage: `Error from server (<reason>): ...`).
// A kubeconfig problem is never "not found" of an object: `context was not found for specified context`
// (client-go tools/clientcmd/validation.go ErrNoContext... / "context was not found"), "no configuration has been provided".
const RULES: FailureRule[] = [
  [/context was not found for specified context|no configuration has been provided|cluster has no server defined|error loading config file/, 'Config'],
  [/Error from server \(NotFound\)|error: the server doesn't have a resource type/, 'NotFound'],
  [/Error from server \(AlreadyExists\)/, 'AlreadyExists'],
  [/Error from server \(Conflict\)/, 'Conflict'],
  [/Error from server \((Unauthorized|Forbidden)\)|You must be logged in/, 'Auth'],
  [/timed out waiting for the condition|global timeout reached|context deadline exceeded/, 'Timeout'],
  // transient: the API server is down, restarting or overloaded (5xx: apimachinery pkg/api/errors StatusReason*)
  [/connection refused|no such host|Unable to connect to the server|dial tcp|connection reset by peer|unexpected EOF|TLS handshake timeout|Error from server \((InternalError|ServiceUnavailable|Timeout|TooManyRequests)\)|the server is currently unable to handle the request|etcdserver: (leader changed|request timed out)/, 'Unreachable'],
];

export function selectorArgs(s: Selector): string[] {
  const a: string[] = [];
  if (s.allNamespaces) a.push('--all-namespaces');
  else if (s.namespace) a.push('--namespace', s.namespace);
  if (s.labels) a.push('--selector', s.labels);
  if (s.fields) a.push('--field-selector', s.fields);
  return a;
}

export interface ConfigView { context: string; cluster: string; server: string; user: string }

export class Kubectl extends CliTool {
  constructor(exec: Executor, readonly target: KubeTarget, timeoutMs = 30_000) {
    super(exec, 'kubectl', RULES, timeoutMs);
  }

  protected prefix(): string[] { return ['--kubeconfig', this.target.kubeconfig, '--context', this.target.context]; }

  async list<T extends KubeObject>(resource: string, s: Selector = {}): Promise<T[]> {
    const out = await this.read(['get', resource, ...selectorArgs(s), '--output', 'json']);
    return (JSON.parse(out) as KubeList<T>).items;
  }

  /** A list of a kind the cluster may not serve (its CRD not installed): undefined then, as kubectl says
   *  "the server doesn't have a resource type" (kubernetes/kubectl pkg/cmd/get) or the API "could not find the
   *  requested resource" (apimachinery NotFound on discovery). */
  async listServed<T extends KubeObject>(resource: string, s: Selector = {}): Promise<T[] | undefined> {
    return this.list<T>(resource, s).catch((err: Error) => {
      if (/doesn't have a resource type|could not find the requested resource/.test(err.message)) return undefined;
      throw err;
    });
  }

  /** The object, or undefined when it does not exist. */
  async get<T extends KubeObject>(resource: string, name: string, namespace?: string): Promise<T | undefined> {
    const out = await this.read(['get', resource, name, ...(namespace ? ['--namespace', namespace] : []), '--ignore-not-found', '--output', 'json']);
    return out.trim() ? (JSON.parse(out) as T) : undefined;
  }

  private view: ConfigView | undefined;

  /** What the kubeconfig says about the pinned context (`kubectl config view --minify` prints only that context).
   *  Read once per run; `fresh` re-reads after the kubeconfig was rewritten (bootstrap). */
  async configView(fresh = false): Promise<ConfigView> {
    if (this.view && !fresh) return this.view;
    const out = await this.read(['config', 'view', '--minify', '--output', 'json']);
    const v = JSON.parse(out) as {
      'current-context'?: string;
      contexts?: { name: string; context: { cluster: string; user: string } }[];
      clusters?: { name: string; cluster: { server: string } }[];
    };
    const ctx = v.contexts?.[0];
    this.view = { context: ctx?.name ?? '', cluster: ctx?.context.cluster ?? '', user: ctx?.context.user ?? '', server: v.clusters?.[0]?.cluster.server ?? '' };
    return this.view;
  }

  /** Server gitVersion from `kubectl version -o json` (kubernetes/kubectl pkg/cmd/version/version.go). */
  async serverVersion(): Promise<string> {
    const out = await this.read(['version', '--output', 'json']);
    return (JSON.parse(out) as { serverVersion?: { gitVersion?: string } }).serverVersion?.gitVersion ?? '';
  }

  /** Server-side apply through stdin (values never reach argv), as field manager rackhand, taking over fields other
   *  managers own (`--force-conflicts`). Several objects go as multi-document YAML, which every kubectl reads the
   *  same way (a v1 List needs client-side expansion). */
  async apply(objects: object | object[]): Promise<ExecResult> {
    const input = Array.isArray(objects)
      ? await import('yaml').then(({ stringify }) => objects.map((o) => stringify(o)).join('---\n'))
      : JSON.stringify(objects);
    return this.mutate(['apply', '--server-side', '--force-conflicts', '--field-manager=rackhand', '-f', '-'], { input });
  }

  cordon(node: string): Promise<ExecResult> { return this.mutate(['cordon', node]); }
  uncordon(node: string): Promise<ExecResult> { return this.mutate(['uncordon', node]); }

  /** --timeout is always set: kubectl's default 0 waits forever (kubectl drain --help). */
  drain(node: string, timeoutMs: number): Promise<ExecResult> {
    return this.mutate(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', `--timeout=${Math.ceil(timeoutMs / 1000)}s`],
      { timeoutMs: timeoutMs + 15_000 });
  }

  /** A read-only command in a pod's container with its output captured (`kubectl exec -n NS POD -c C -- argv`). A
   *  non-zero exit is returned, not thrown: what the command printed is the answer the caller judges. */
  async execIn(namespace: string, pod: string, container: string, argv: readonly string[], timeoutMs = 30_000): Promise<ExecResult> {
    const run = () => this.exec.run(this.argv(['exec', '--namespace', namespace, pod, '--container', container, '--', ...argv]), { mutating: false, timeoutMs, env: this.env() });
    const r = await run();
    // the stream itself broke (no exit code came back: kubectl says "command terminated with exit code N" when one
    // did): a read-only command is asked once more
    if (r.exitCode !== 0 && !r.dryRun && !/command terminated with exit code/.test(r.stderr) && /^error: .*(stream|connection|EOF|broken pipe|reset)/im.test(r.stderr)) return run();
    return r;
  }

  /** `kubectl wait` with a deadline; `for` is e.g. condition=Ready, delete, jsonpath={.status.phase}=Running. */
  wait(resource: string, forWhat: string, timeoutMs: number, s: Selector = {}): Promise<string> {
    return this.read(['wait', resource, ...selectorArgs(s), `--for=${forWhat}`, `--timeout=${Math.ceil(timeoutMs / 1000)}s`], timeoutMs + 15_000);
  }
}
