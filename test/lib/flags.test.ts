import { describe, expect, it } from 'vitest';
import { FlagError, parseFlags } from '../../lib/engine/flags.ts';
import { DNS_SUBDOMAIN } from '../../lib/patterns.ts';
import type { FlagDefs } from '../../lib/engine/types.ts';

const defs: FlagDefs = {
  node: { type: 'string', description: 'node', pattern: DNS_SUBDOMAIN, hint: 'a node name like cp1' },
  mode: { type: 'string', description: 'mode', choices: ['auto', 'reboot'], default: 'auto' },
  timeout: { type: 'duration', description: 'timeout', default: 600_000 },
  count: { type: 'number', description: 'count' },
  label: { type: 'list', description: 'labels' },
};

describe('flag parsing', () => {
  it.each([
    [['--node', 'cp1'], { node: 'cp1', mode: 'auto', timeout: 600_000 }],
    [['--node=w1.lab', '--mode', 'reboot', '--timeout', '1h30m'], { node: 'w1.lab', mode: 'reboot', timeout: 5_400_000 }],
    [['--count', '3', '--label', 'a', '--label', 'b'], { count: 3, label: ['a', 'b'] }],
    [['--dry-run', '--yes', '--json'], { 'dry-run': true, yes: true, json: true }],
  ])('%j parses to the typed values', (argv, expected) => {
    expect(parseFlags(argv, defs).values).toMatchObject(expected);
  });

  it.each([
    [['--node', 'cp1;reboot'], '--node: expected a node name like cp1 (got "cp1;reboot")'],
    [['--node', '$(id)'], '--node: expected a node name like cp1 (got "$(id)")'],
    [['--mode', 'fast'], '--mode: expected one of auto, reboot (got "fast")'],
    [['--timeout', '10 minutes'], '--timeout: expected a duration like 30s, 10m or 1h30m (got "10 minutes")'],
    [['--count', 'three'], '--count: expected a whole number (got "three")'],
    [['--nodes', 'cp1'], 'unknown flag --nodes; did you mean --node?'],
    [['--node'], '--node: expected a node name like cp1 after --node'],
    [['--node', '--yes'], '--node: expected a node name like cp1 after --node'],
    [['--yes=no'], '--yes: a switch, takes no value (got "no")'],
    [['--cluster', 'Prod_1'], '--cluster: expected a cluster name like lab (got "Prod_1")'],
  ])('%j is rejected naming the flag and the expected form', (argv, message) => {
    expect(() => parseFlags(argv, defs)).toThrow(FlagError);
    expect(() => parseFlags(argv, defs)).toThrow(message);
  });
});
