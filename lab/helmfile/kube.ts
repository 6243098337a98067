// Whether helm could reach the cluster from the caller's kubeconfig (helm pkg/kube Client.IsReachable wraps
// client-go's error as "Kubernetes cluster unreachable: %w"). client-go's loading rules: the --kubeconfig file, else
// the $KUBECONFIG list (missing files are skipped), the context from --kube-context or current-context.
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, resolve } from 'node:path';
import { parse } from 'yaml';

export interface ClusterAccess {
  /** the lab API server's URL (what a kubeconfig written by `talosctl kubeconfig` points at) */
  labUrl(): string;
  /** whether kube-apiserver answers */
  apiUp(): boolean;
}

// k8s.io/client-go/tools/clientcmd ErrEmptyConfig
const EMPTY = 'invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable';

/** undefined when reachable, else helm's error text (without "Error: ") */
export function unreachable(access: ClusterAccess, cwd: string, env: Record<string, string>, opts: { kubeconfig?: string; kubeContext?: string }): string | undefined {
  const why = (m: string) => `Kubernetes cluster unreachable: ${m}`;
  const paths = opts.kubeconfig ? [resolve(cwd, opts.kubeconfig)] : (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean).map((p) => resolve(cwd, p));
  const file = paths.find((p) => existsSync(p));
  if (!file) return why(opts.kubeconfig ? `stat ${opts.kubeconfig}: no such file or directory` : EMPTY);
  let cfg: any;
  try {
    cfg = parse(readFileSync(file, 'utf8')) ?? {};
  } catch (e) {
    return why(`error loading config file "${file}": ${(e as Error).message.split('\n')[0]}`);
  }
  const ctxName = opts.kubeContext || cfg['current-context'];
  const ctx = (cfg.contexts ?? []).find((c: any) => c?.name === ctxName);
  if (!ctx) return why(opts.kubeContext ? `context ${JSON.stringify(opts.kubeContext)} does not exist` : EMPTY);
  const server: string | undefined = (cfg.clusters ?? []).find((c: any) => c?.name === ctx.context?.cluster)?.cluster?.server;
  if (!server) return why(`invalid configuration: no server found for cluster ${JSON.stringify(ctx.context?.cluster ?? '')}`);
  const url = server.replace(/\/+$/, '');
  if (url !== access.labUrl()) {
    const host = url.replace(/^\w+:\/\//, '');
    return why(`Get "${url}/version": dial tcp ${host.includes(':') ? host : `${host}:${url.startsWith('https') ? 443 : 80}`}: connect: connection refused`);
  }
  if (!access.apiUp()) return why(`Get "${url}/version": EOF`);
  return undefined;
}

/** The current-context of the first existing file on $KUBECONFIG (what a bare kubectl in a hook would use). */
export function currentContext(cwd: string, env: Record<string, string>): string | undefined {
  const file = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean).map((p) => resolve(cwd, p)).find((p) => existsSync(p));
  if (!file) return undefined;
  try {
    return (parse(readFileSync(file, 'utf8')) ?? {})['current-context'];
  } catch {
    return undefined;
  }
}
