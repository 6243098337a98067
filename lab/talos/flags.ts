// Flag sets shared by several commands (cmd/talosctl/cmd/talos/root.go persistent flags; trackableActionCmdFlags).
import type { FlagSpec } from './argv.js';

export const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'talosconfig', type: 'string', usage: 'The path to the Talos configuration file' },
  { name: 'context', type: 'string', usage: 'Context to be used in command' },
  { name: 'nodes', short: 'n', type: 'strings', usage: 'target the specified nodes' },
  { name: 'endpoints', short: 'e', type: 'strings', usage: 'override default endpoints in Talos configuration' },
  { name: 'cluster', type: 'string', usage: 'Cluster to connect to if a proxy endpoint is used.' },
];

/** addTrackActionFlags: --wait (default true), --debug, --timeout (30m) */
export const TRACK_FLAGS: FlagSpec[] = [
  { name: 'wait', type: 'bool', default: true, usage: 'wait for the operation to complete, tracking its progress. always set to true when --debug is set' },
  { name: 'debug', type: 'bool', usage: 'debug operation from kernel logs. --wait is set to true when this flag is set' },
  { name: 'timeout', type: 'duration', default: 30 * 60_000, usage: 'time to wait for the operation is complete if --debug or --wait is set' },
];

export const INSECURE: FlagSpec = { name: 'insecure', short: 'i', type: 'bool', usage: 'use Talos maintenance mode API' };
