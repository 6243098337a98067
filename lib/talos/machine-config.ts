// Talos machine configs as rackhand reads them: a file given to apply-node must BE a machine config for that node's
// role, and the secrets a config carries (and that talosctl's dry-run diff prints on both sides) never reach output,
// logs or run records. Field names: siderolabs/talos pkg/machinery/config/types/v1alpha1/v1alpha1_types.go
// (machine.token, machine.ca.{crt,key}, cluster.secret, cluster.token, cluster.secretboxEncryptionSecret,
// cluster.aescbcEncryptionSecret, cluster.{ca,aggregatorCA,etcd.ca,serviceAccount}.{crt,key}, ...).
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { ClusterConfig } from '../config.ts';
import type { Redactor } from '../redact.ts';

/** Keys whose values are secrets (or certificates nobody needs to see in a log), anywhere in a machine config. */
const SECRET_KEYS = ['token', 'key', 'crt', 'secret', 'secretboxEncryptionSecret', 'aescbcEncryptionSecret', 'bootstrapToken', 'password', 'privateKey'];
const KEY_ALT = SECRET_KEYS.join('|');

/** `token: abc`, `- key: abc`, `+    crt: LS0t...` (a diff line) => the value replaced; block scalars (`key: |`) are
 *  followed by their indented lines, which the second pattern catches when they are PEM. */
export function registerMachineConfigPatterns(r: Redactor): void {
  r.addPattern(new RegExp(`^([-+ ]?[ \\t]*(?:- )?(?:${KEY_ALT}):[ \\t]*)(?![|>][ \\t]*$)(\\S.*)$`, 'gm'), '$1***');
  r.addPattern(/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g, '***');
}

export type MachineRole = 'controlplane' | 'worker';

/** Why `text` is not a Talos v1alpha1 machine config for a node of `role`, or undefined when it is one. */
export function machineConfigProblem(text: string, role: MachineRole): string | undefined {
  let docs;
  try {
    docs = parseAllDocuments(text);
  } catch (err) {
    return `not YAML: ${(err as Error).message.split('\n')[0]}`;
  }
  if (Array.isArray(docs) === false) return 'not YAML';
  const values: unknown[] = [];
  for (const d of docs) {
    if (d.errors.length) return `not YAML: ${d.errors[0]!.message.split('\n')[0]}`;
    values.push(d.toJS({ maxAliasCount: 100 }));
  }
  const main = values.find((v): v is Record<string, any> => Boolean(v) && typeof v === 'object' && (v as { version?: unknown }).version === 'v1alpha1');
  if (!main) return 'not a Talos machine config: no document with `version: v1alpha1`';
  const type = main.machine?.type;
  if (typeof type !== 'string') return 'machine.type: missing (expected controlplane or worker)';
  const asRole = ({ init: 'controlplane', controlplane: 'controlplane', worker: 'worker', join: 'worker' } as Record<string, MachineRole>)[type];
  if (!asRole) return `machine.type: expected controlplane or worker, got "${type}"`;
  if (asRole !== role) return `machine.type: the file is for a ${asRole}, the node is a ${role}`;
  if (!main.cluster || typeof main.cluster !== 'object') return 'cluster: missing (a machine config has a cluster section)';
  return undefined;
}

/** Registers every secret value in a machine config file with the redactor (so even a value that appears outside
 *  a `key: value` line, such as inside a URL, is hidden). */
export function registerMachineConfigSecrets(text: string, r: Redactor): void {
  let docs: unknown[];
  try {
    docs = parseAllDocuments(text).map((d) => d.toJS({ maxAliasCount: 100 }));
  } catch {
    return;
  }
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) { v.forEach(walk); return; }
    if (!v || typeof v !== 'object') return;
    for (const [k, val] of Object.entries(v)) {
      if (SECRET_KEYS.includes(k) && typeof val === 'string') r.add(val);
      else walk(val);
    }
  };
  docs.forEach(walk);
}

/** Where talhelper's genconfig writes a node's machine config: clusterconfig/<clusterName>-<hostname>.yaml next to
 *  talconfig.yaml, with talconfig's own clusterName (budimanjojo/talhelper pkg/generate/config.go), which need not
 *  be the cluster's key in rackhand.yaml. */
export function talhelperConfigFile(cluster: ClusterConfig & { talconfig: string }, node: string): string {
  const hostname = cluster.nodes.find((n) => n.name === node)?.hostname ?? node;
  return join(dirname(cluster.talconfig), 'clusterconfig', `${cluster.talosClusterName ?? cluster.name}-${hostname}.yaml`);
}
