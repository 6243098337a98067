// Flag parsing with node:util parseArgs, plus rackhand's rules: every value is checked against its definition and a
// bad one is reported by name with the expected form. Nothing here imports an implementation (start-up path).
import { parseArgs } from 'node:util';
import { DNS_LABEL, parseDuration } from '../patterns.ts';
import { suggest } from './suggest.ts';
import type { FlagDef, FlagDefs, FlagValues } from './types.ts';

export const GLOBAL_FLAGS: FlagDefs = {
  cluster: { type: 'string', description: 'cluster name from rackhand.yaml (default: the only one)', pattern: DNS_LABEL, hint: 'a cluster name like lab' },
  config: { type: 'string', description: 'path to rackhand.yaml (default: $RACKHAND_CONFIG, then ./rackhand.yaml)' },
  'dry-run': { type: 'boolean', description: 'show every command, change nothing', default: false },
  yes: { type: 'boolean', description: 'do not ask for confirmation (automation)', default: false, short: 'y' },
  json: { type: 'boolean', description: 'print the run record as JSON on stdout (human output stays on stderr)', default: false },
  verbose: { type: 'boolean', description: 'print every command as it runs', default: false, short: 'v' },
  'notify-on': { type: 'string', choices: ['failure', 'always'], description: 'report the run to the notify: targets of rackhand.yaml when it fails, or always' },
  'force-unlock': { type: 'boolean', description: 'destructive tasks: remove a cluster lock left by a run that died', default: false },
  help: { type: 'boolean', description: 'show help for this task', default: false, short: 'h' },
};

/** The variables operators already pass to their Taskfile and justfile recipes, and the flag each one sets. */
export const FRONT_DOOR_VARS = { CLUSTER: 'cluster', NODE: 'node', APP: 'app', NAMESPACE: 'namespace' } as const;
const FRONT_DOOR_VAR = /^(CLUSTER|NODE|APP|NAMESPACE)=(.*)$/s;

export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

export const MAX_DURATION_MS = 24 * 86_400_000;

function expected(name: string, def: FlagDef): string {
  if (def.choices) return `--${name}: expected one of ${def.choices.join(', ')}`;
  if (def.type === 'number') return `--${name}: expected a whole number`;
  if (def.type === 'duration') return `--${name}: expected a duration like 30s, 10m or 1h30m`;
  return `--${name}: expected ${def.hint ?? 'a value'}`;
}

function convert(name: string, def: FlagDef, raw: string): string | number {
  if (def.choices && !def.choices.includes(raw)) throw new FlagError(`${expected(name, def)} (got "${raw}")`);
  if (def.pattern && !def.pattern.test(raw)) throw new FlagError(`${expected(name, def)} (got "${raw}")`);
  if (def.type === 'number') {
    if (!/^\d+$/.test(raw)) throw new FlagError(`${expected(name, def)} (got "${raw}")`);
    return Number(raw);
  }
  if (def.type === 'duration') {
    let ms: number;
    try { ms = parseDuration(raw); } catch { throw new FlagError(`${expected(name, def)} (got "${raw}")`); }
    // Node timers hold at most 2^31-1 ms (~24.8 days; a longer one fires after 1 ms: nodejs.org/api/timers.html)
    if (ms > MAX_DURATION_MS) throw new FlagError(`--${name}: at most 24 days (576h), got "${raw}"`);
    if (ms === 0) throw new FlagError(`--${name}: must be longer than 0 (got "${raw}")`);
    return ms;
  }
  return raw;
}

export interface ParsedFlags { values: FlagValues; positionals: string[] }

/** Parses argv against the global flags plus a task's own; throws FlagError naming the flag on any problem. */
export function parseFlags(all: string[], taskFlags: FlagDefs): ParsedFlags {
  const defs: FlagDefs = { ...GLOBAL_FLAGS, ...taskFlags };
  // after `--` every argument belongs to the task's rest flag, untouched (a command to run in a pod)
  const cut = all.indexOf('--');
  const argv = cut < 0 ? all : all.slice(0, cut);
  const tail = cut < 0 ? [] : all.slice(cut + 1);
  const restSlot = Object.entries(taskFlags).find(([, d]) => d.rest);
  if (cut >= 0 && !restSlot) throw new FlagError('unexpected "--": this task takes no command after --');
  const options = Object.fromEntries(Object.entries(defs).map(([name, d]) => [name, {
    type: d.type === 'boolean' ? 'boolean' as const : 'string' as const,
    ...(d.type === 'list' ? { multiple: true } : {}),
    ...(d.short ? { short: d.short } : {}),
  }]));
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  const values: FlagValues = {};
  const positionals: string[] = [];
  const assigned: [string, string][] = [];
  for (const t of tokens) {
    const pair = t.kind === 'positional' ? FRONT_DOOR_VAR.exec(t.value) : null;
    if (pair) { assigned.push([pair[1]!, pair[2]!]); continue; }
    if (t.kind === 'positional') { positionals.push(t.value); continue; }
    if (t.kind !== 'option') continue;
    const def = defs[t.name];
    if (!def) {
      // kubectl and flux habits: -o json / --output json
      if (t.name === 'o' || t.name === 'output') throw new FlagError(`unknown flag ${t.rawName}: for the run record as JSON on stdout use --json`);
      const near = suggest(t.name, Object.keys(defs));
      throw new FlagError(`unknown flag ${t.rawName}${near ? `; did you mean --${near}?` : ''} (see --help)`);
    }
    if (def.type === 'boolean') {
      if (t.value !== undefined) throw new FlagError(`--${t.name}: a switch, takes no value (got "${t.value}")`);
      values[t.name] = true;
      continue;
    }
    if (t.value === undefined || (t.inlineValue === false && t.value.startsWith('--'))) throw new FlagError(`${expected(t.name, def)} after --${t.name}`);
    const v = convert(t.name, def, t.value);
    if (def.type === 'list') values[t.name] = [...((values[t.name] as string[] | undefined) ?? []), String(v)];
    else values[t.name] = v;
  }
  // CLUSTER=infra NODE=cp1 (the variables Taskfiles and justfiles pass): the same as --cluster infra --node cp1
  for (const [key, raw] of assigned) {
    const name = FRONT_DOOR_VARS[key as keyof typeof FRONT_DOOR_VARS];
    const def = defs[name];
    if (!def) throw new FlagError(`${key}=${raw}: this task takes no --${name} (see --help)`);
    if (values[name] !== undefined) throw new FlagError(`${key}=${raw} and --${name} both given: use one`);
    values[name] = def.type === 'list' ? [String(convert(name, def, raw))] : convert(name, def, raw);
  }
  // a task may take one flag as its positional argument (`runbook:run NAME` = `runbook:run --runbook NAME`)
  const slot = Object.entries(taskFlags).find(([, d]) => d.positional);
  if (positionals.length) {
    if (!slot || positionals.length > 1 || values[slot[0]] !== undefined) throw new FlagError(`unexpected argument "${positionals[slot && values[slot[0]] === undefined ? 1 : 0]}"${slot ? ` (--${slot[0]} takes one)` : ' (flags start with --)'}`);
    values[slot[0]] = convert(slot[0], slot[1], positionals[0]!);
  }
  if (restSlot && tail.length) values[restSlot[0]] = tail;
  for (const [name, def] of Object.entries(defs)) {
    if (values[name] === undefined && def.default !== undefined) values[name] = def.default;
    if (values[name] === undefined && def.required) throw new FlagError(`${expected(name, def)}; --${name} is required`);
  }
  return { values, positionals };
}
