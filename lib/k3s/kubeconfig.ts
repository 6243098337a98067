// The admin kubeconfig of a k3s cluster: a server writes /etc/rancher/k3s/k3s.yaml (cluster, user and context all
// named "default", server https://127.0.0.1:6443: docs.k3s.io/cluster-access). rackhand reads it over SSH (root
// only), points it at the cluster's apiServer, renames its entries to the context rackhand.yaml names, and writes it
// to the cluster's kubeconfig (0600), keeping any other contexts that file holds.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parse, stringify } from 'yaml';
import type { ClusterConfig } from '../config.ts';

interface Named<T> { name: string; [k: string]: unknown; cluster?: T; user?: T; context?: T }
interface Kubeconfig { clusters?: Named<Record<string, unknown>>[]; users?: Named<Record<string, unknown>>[]; contexts?: Named<Record<string, unknown>>[]; 'current-context'?: string; [k: string]: unknown }

export const K3S_KUBECONFIG = '/etc/rancher/k3s/k3s.yaml';

export function rewriteKubeconfig(text: string, c: ClusterConfig): Kubeconfig {
  const doc = parse(text) as Kubeconfig;
  const cl = doc.clusters?.[0];
  const user = doc.users?.[0];
  const context = doc.contexts?.[0];
  if (!cl?.cluster || !user || !context?.context) throw new Error(`${K3S_KUBECONFIG} has no cluster, user and context`);
  const name = c.context;
  return {
    ...doc,
    clusters: [{ ...cl, name, cluster: { ...cl.cluster, server: c.apiServer } }],
    users: [{ ...user, name }],
    contexts: [{ ...context, name, context: { ...context.context, cluster: name, user: name } }],
    'current-context': name,
  };
}

/** Writes the kubeconfig, replacing entries of the same name in an existing file and keeping the others. */
export async function writeClusterKubeconfig(path: string, k: Kubeconfig): Promise<void> {
  let merged = k;
  if (existsSync(path)) {
    const old = (parse(await readFile(path, 'utf8')) ?? {}) as Kubeconfig;
    const keep = <T extends { name: string }>(a: T[] | undefined, b: T[] | undefined) => [...(a ?? []).filter((x) => !(b ?? []).some((y) => y.name === x.name)), ...(b ?? [])];
    merged = { ...old, ...k, clusters: keep(old.clusters, k.clusters), users: keep(old.users, k.users), contexts: keep(old.contexts, k.contexts) };
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, stringify(merged), { mode: 0o600 });
  await chmod(path, 0o600);
}

/** The file already points the configured context at the configured API server. */
export async function kubeconfigInPlace(path: string, c: ClusterConfig): Promise<boolean> {
  if (!existsSync(path)) return false;
  try {
    const doc = parse(await readFile(path, 'utf8')) as Kubeconfig;
    const ctx = doc.contexts?.find((x) => x.name === c.context)?.context as { cluster?: string } | undefined;
    const cl = doc.clusters?.find((x) => x.name === ctx?.cluster)?.cluster as { server?: string } | undefined;
    return cl?.server === c.apiServer;
  } catch {
    return false;
  }
}
