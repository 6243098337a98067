// What a k3s node actually runs, read from the files the install script wrote (k3s-io/k3s install.sh
// create_systemd_service_file: `ExecStart=/usr/local/bin/k3s \` then `    server \` then one shell-quoted argument
// per line ending ` \`; create_env_file: the K3S_* variables of the install's environment, one `K=V` (or K='V') per
// line, mode 0600). Upgrades re-pass exactly these (k3s-io/k3s-ansible PR 474: args omitted on upgrade are lost).
import { parse } from 'shell-quote';

export interface RunningInstall {
  command: 'server' | 'agent';
  args: string[];
  /** K3S_* variables from the unit's env file (secret ones are kept by name only: see SECRET_ENV) */
  env: Record<string, string>;
  /** names of secret variables found in the env file (their values are never kept) */
  secretEnv: string[];
}

/** Variables whose values are secrets: a token given as K3S_TOKEN / K3S_AGENT_TOKEN at install time. */
export const SECRET_ENV = /TOKEN$|PASSWORD|SECRET/;

export function parseExecStart(unit: string): { command: 'server' | 'agent'; args: string[] } | undefined {
  // continuation lines joined, the ExecStart line is the whole command
  const line = unit.replace(/\\\n/g, ' ').split('\n').find((l) => l.startsWith('ExecStart='));
  if (!line) return undefined;
  const words = parse(line.slice('ExecStart='.length).trim(), (name) => `$${name}`).filter((w): w is string => typeof w === 'string');
  const bin = words.findIndex((w) => /(^|\/)k3s$/.test(w));
  const command = words[bin + 1];
  if (bin < 0 || (command !== 'server' && command !== 'agent')) return undefined;
  return { command, args: words.slice(bin + 2) };
}

export function parseEnvFile(text: string): { env: Record<string, string>; secretEnv: string[] } {
  const env: Record<string, string> = {};
  const secretEnv: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!m || !m[1]!.startsWith('K3S_')) continue;
    const value = (parse(m[2]!, (name) => `$${name}`)[0] as string | undefined) ?? '';
    if (SECRET_ENV.test(m[1]!)) secretEnv.push(m[1]!);
    else env[m[1]!] = value;
  }
  return { env, secretEnv };
}

/** The secret values of an env file, so they can be registered with the redactor before anything is printed. */
export function secretValues(text: string): string[] {
  return text.split('\n').flatMap((line) => {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    return m && SECRET_ENV.test(m[1]!) ? [(parse(m[2]!)[0] as string | undefined) ?? ''] : [];
  }).filter((v) => v.length >= 4);
}
