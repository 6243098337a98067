// `tasks list` and `--help` text, from registry data alone (no task implementation is imported).
import { formatDuration } from '../patterns.ts';
import { GLOBAL_FLAGS } from './flags.ts';
import type { FlagDef, FlagDefs, TaskEntry } from './types.ts';

function flagLine(name: string, def: FlagDef): string {
  if (def.rest) return `  ${'-- <command> [args...]'.padEnd(38)} ${def.description}`;
  const value = def.type === 'boolean' ? '' : ` <${def.choices ? def.choices.join('|') : def.type === 'list' ? 'value' : def.type}>`;
  const dflt = def.default === undefined || def.default === false ? ''
    : ` (default: ${def.type === 'duration' ? formatDuration(Number(def.default)) : String(def.default)})`;
  const req = `${def.required ? ' (required)' : ''}${def.type === 'list' ? ' (repeatable)' : ''}${def.positional ? ' (or as the argument)' : ''}`;
  const left = `${def.short ? `-${def.short}, ` : '    '}--${name}${value}`;
  return `  ${left.padEnd(38)} ${def.description}${dflt}${req}`;
}

function flagBlock(defs: FlagDefs): string {
  return Object.entries(defs).map(([n, d]) => flagLine(n, d)).join('\n');
}

export function taskHelp(name: string, entry: TaskEntry): string {
  const kind = entry.destructive === 'typed' ? 'destructive (type the cluster name to confirm)' : entry.destructive ? 'destructive (asks to confirm; --yes for automation)' : 'read-only or safe';
  return [
    `${name}: ${entry.summary}`,
    ...(entry.description ? ['', entry.description] : []),
    '',
    `Kind: ${kind}`,
    '',
    `Usage: npx tsx tasks ${name} [flags]${Object.values(entry.flags).some((d) => d.rest) ? ' [-- command args...]' : ''}`,
    '',
    'Flags:',
    Object.keys(entry.flags).length ? flagBlock(entry.flags) : '  (none of its own)',
    '',
    'Global flags:',
    flagBlock(GLOBAL_FLAGS),
    '',
    'Example:',
    `  ${entry.example}`,
    ...(entry.source ? ['', `Defined in: ${entry.source}${entry.origin && entry.origin !== 'rackhand' ? ` (${entry.origin})` : ''}`] : []),
    '',
  ].join('\n');
}

export function taskList(registry: Record<string, TaskEntry>): string {
  const groups = new Map<string, [string, TaskEntry][]>();
  for (const [name, entry] of Object.entries(registry).sort(([a], [b]) => a.localeCompare(b))) {
    const ns = name.split(':')[0]!;
    groups.set(ns, [...(groups.get(ns) ?? []), [name, entry]]);
  }
  const width = Math.max(...Object.keys(registry).map((n) => n.length)) + 2;
  const lines = ['Tasks (npx tsx tasks <name> --help for flags; rackhand\'s own unless a folder is named):'];
  for (const [ns, entries] of groups) {
    lines.push('', `${ns}:`);
    for (const [name, e] of entries) lines.push(`  ${name.padEnd(width)}${e.summary}${e.destructive ? ' [destructive]' : ''}${e.origin && e.origin !== 'rackhand' ? `  (${e.origin})` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
