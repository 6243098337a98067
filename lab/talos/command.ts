// What every fake talosctl command gets: the world, the parsed flags, the targets, and stdout/stderr buffers.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import type { FlagSpec, Parsed } from './argv.js';
import { atLeast, type Machine } from './machine.js';
import { RpcError, type TalosWorld } from './world.js';

export class CliError extends Error {}

export interface Io {
  stdout: string;
  stderr: string;
}

export interface Ctx {
  world: TalosWorld;
  flags: Record<string, any>;
  changed: Set<string>;
  args: string[];
  cwd: string;
  /** the caller's forwarded environment (KUBECONFIG) */
  env: Record<string, string>;
  /** the caller's umask: files the command creates get 0666 &^ umask, as os.Create gives them */
  umask: number;
  io: Io;
  /** talosconfig path the lab wrote (used when --talosconfig is not given) */
  defaultTalosconfig: string;
  /** the client generation: >= v1.13 drives drains itself and multiplexes per node */
  gen13: boolean;
  /** what the caller sent on stdin (--file /dev/stdin) */
  stdin?: string;
}

export interface Command {
  path: string;
  aliases?: string[];
  flags: FlagSpec[];
  /** cobra.NoArgs / ExactArgs(n) / MaximumNArgs(n) */
  args?: { exact?: number; max?: number };
  run(c: Ctx): Promise<void>;
}

export const out = (c: Ctx, s: string) => void (c.io.stdout += s);
export const err = (c: Ctx, s: string) => void (c.io.stderr += s);
/** pkg/cli Warning: "WARNING: ..." on stderr */
export const warning = (c: Ctx, s: string) => err(c, `WARNING: ${s}\n`);

export const isGen13 = (world: TalosWorld) => atLeast(world.clientVersion, 1, 13);

/** Nodes from -n, else from the talosconfig context (client.ErrNodesNotSet-like text when none). */
export function targets(c: Ctx): string[] {
  const nodes: string[] = c.flags.nodes ?? [];
  if (nodes.length) return nodes;
  const path = c.flags.talosconfig ? resolve(c.cwd, c.flags.talosconfig) : c.defaultTalosconfig;
  let cfg: any;
  try {
    cfg = parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CliError(`failed to open config file ${JSON.stringify(path)}: ${(e as Error).message.replace(/^ENOENT: /, '')}`);
  }
  const ctxName = c.flags.context || cfg?.context;
  const fromCfg: string[] = cfg?.contexts?.[ctxName]?.nodes ?? [];
  if (!fromCfg.length) throw new CliError('nodes are not set for the command: please use `--nodes` flag or configuration file to set the nodes to run the command against');
  return fromCfg;
}

/** helpers.FailIfMultiNodes */
export function singleNode(c: Ctx, command: string): string {
  const nodes = targets(c);
  if (nodes.length > 1) throw new CliError(`command ${JSON.stringify(command)} is not supported with multiple nodes`);
  return nodes[0]!;
}

export interface Reach {
  node: string;
  machine?: Machine;
  error?: RpcError;
}

const TLS_UNKNOWN_CA = 'connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"';
const TLS_CERT_REQUIRED = 'connection error: desc = "error reading server preface: remote error: tls: certificate required"';

/**
 * Connects to a target the way talosctl would: through the authenticated API (a maintenance machine's self-signed
 * certificate fails verification), or with --insecure to the maintenance service (a configured machine demands a
 * client certificate).
 */
export function reach(c: Ctx, node: string, insecure = false): Reach {
  const machine = c.world.find(node);
  const down = c.world.unreachable(node, machine);
  if (down) return { node, error: down, ...(machine ? { machine } : {}) };
  if (insecure && machine!.configured) return { node, machine, error: new RpcError('Unavailable', TLS_CERT_REQUIRED) };
  if (!insecure && !machine!.configured) return { node, machine, error: new RpcError('Unavailable', TLS_UNKNOWN_CA) };
  return { node, machine };
}

/** hashicorp/go-multierror's text, which apid-proxied (<= v1.12) responses carry */
export const multiError = (errs: { node: string; message: string }[]) =>
  `${errs.length} error${errs.length === 1 ? '' : 's'} occurred:\n${errs.map((e) => `\t* ${e.node}: ${e.message}`).join('\n')}\n\n`;
