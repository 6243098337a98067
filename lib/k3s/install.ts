// Running the k3s install script on a node, the way docs.k3s.io/installation describes it, minus its two quiet
// failure modes: the script is downloaded to a file first (with `curl -sfL URL | sh -`, a failed download runs an
// empty script and "succeeds"), and the join token travels on stdin into a 0600 token file named by K3S_TOKEN_FILE
// (K3S_TOKEN would land in argv and in the unit's env file). Env: INSTALL_K3S_VERSION, INSTALL_K3S_EXEC, K3S_URL,
// K3S_TOKEN_FILE (k3s-io/k3s install.sh setup_env; docs.k3s.io/reference/env-variables).
import type { NodeConfig } from '../config.ts';
import type { K3sNodes, NodeProbe } from './nodes.ts';

export const SCRIPT_PATH = '/tmp/rackhand-k3s-install.sh';
export const TOKEN_FILE = '/etc/rancher/k3s/rackhand-join-token';
export const DEFAULT_SCRIPT_URL = 'https://get.k3s.io';

export interface InstallSpec {
  node: NodeConfig;
  version: string;
  command: 'server' | 'agent';
  args: string[];
  /** K3S_* and INSTALL_K3S_* variables (no secrets: the token goes to TOKEN_FILE) */
  env: Record<string, string>;
  /** the join token, written to TOKEN_FILE first */
  token?: string;
}

/** The install spec that re-installs what a node runs now, at another version: its own command, args and env
 *  (read from its unit by probe()), a token given as K3S_TOKEN moved into a token file. */
export function reinstallSpec(p: NodeProbe, version: string, token: string | undefined): InstallSpec {
  const i = p.install!;
  const env = { ...i.env };
  const hadSecretToken = i.secretEnv.some((k) => k === 'K3S_TOKEN');
  if (hadSecretToken || (env.K3S_TOKEN_FILE === TOKEN_FILE && token)) env.K3S_TOKEN_FILE = TOKEN_FILE;
  return { node: p.node, version, command: i.command, args: [...i.args], env, ...(hadSecretToken && token ? { token } : {}) };
}

/** What the install runs, for plans and records (the token is never part of it). */
export function describeInstall(s: InstallSpec): string {
  const env = Object.entries({ INSTALL_K3S_VERSION: s.version, ...s.env }).map(([k, v]) => `${k}=${v}`).join(' ');
  return `${env} sh install.sh ${[s.command, ...s.args].join(' ')}`;
}

export async function runInstall(nodes: K3sNodes, s: InstallSpec, o: { scriptUrl: string; timeoutMs: number; output?: (line: string) => void }): Promise<void> {
  o.output?.(`${s.node.name}: downloading the install script from ${o.scriptUrl}`);
  await nodes.mutate(s.node, ['curl', '-sfL', '--max-time', '120', '-o', SCRIPT_PATH, o.scriptUrl], { timeoutMs: 180_000 });
  if (s.token) {
    o.output?.(`${s.node.name}: writing the join token to ${TOKEN_FILE} (0600, sent on stdin)`);
    await nodes.mutate(s.node, ['install', '-D', '-m', '600', '/dev/stdin', TOKEN_FILE], { sudo: true, input: `${s.token}\n` });
  }
  o.output?.(`${s.node.name}: ${describeInstall(s)}`);
  await nodes.mutate(s.node, ['sh', SCRIPT_PATH, s.command, ...s.args], {
    sudo: true, env: { INSTALL_K3S_VERSION: s.version, ...s.env }, timeoutMs: o.timeoutMs,
  });
}
