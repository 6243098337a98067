// runbook:check: every task step names a task that exists with flags it accepts, and a literal cluster that
// rackhand.yaml knows; `{{placeholders}}` are filled by runbook:run (--cluster, --set) and only their flag's name is
// checked here. Problems carry the runbook's line.
import { FlagError, parseFlags } from '../engine/flags.ts';
import { suggest } from '../engine/suggest.ts';
import type { FlagDefs, TaskEntry } from '../engine/types.ts';
import { PLACEHOLDER, type Runbook } from './parse.ts';

export function checkRunbook(rb: Runbook, registry: Record<string, TaskEntry>, clusters?: string[]): { line: number; message: string }[] {
  const problems = [...rb.problems];
  for (const s of rb.steps) {
    if (s.kind !== 'task') continue;
    const entry = registry[s.task];
    if (!entry) {
      const near = suggest(s.task, Object.keys(registry));
      problems.push({ line: s.line, message: `no task ${s.task}${near ? `; did you mean ${near}?` : ''}` });
      continue;
    }
    // a flag whose value is a placeholder is checked by name only (its value comes at run time)
    const later = new Set<string>();
    const argv: string[] = [];
    for (let i = 0; i < s.argv.length; i++) {
      const a = s.argv[i]!;
      const next = s.argv[i + 1];
      if (a.startsWith('--') && !a.includes('=') && next !== undefined && new RegExp(PLACEHOLDER.source).test(next)) { later.add(a.slice(2)); argv.push(a); i++; continue; }
      if (new RegExp(PLACEHOLDER.source).test(a)) { later.add(a.startsWith('--') ? a.slice(2).split('=')[0]! : '(argument)'); continue; }
      argv.push(a);
    }
    const relaxed: FlagDefs = Object.fromEntries(Object.entries(entry.flags).map(([k, d]) => [k, later.has(k) ? { ...d, type: 'boolean' as const, required: false, default: undefined } : d]));
    // a placeholder flag is parsed as a switch: its name must exist, its value is not judged
    const globals = [...later].filter((k) => ['cluster', 'config'].includes(k));
    try {
      const parsed = parseFlags(argv, { ...relaxed, ...Object.fromEntries(globals.map((k) => [k, { type: 'boolean' as const, description: k }])) });
      const cluster = parsed.values.cluster;
      if (typeof cluster === 'string' && clusters && !clusters.includes(cluster)) problems.push({ line: s.line, message: `${s.task}: --cluster ${cluster} is not in rackhand.yaml (one of ${clusters.join(', ') || 'none'})` });
    } catch (err) {
      if (!(err instanceof FlagError)) throw err;
      problems.push({ line: s.line, message: `${s.task}: ${err.message}` });
    }
  }
  return problems.sort((a, b) => a.line - b.line);
}

/** The step's argv with its placeholders filled; an unfilled one is named. */
export function fillStep(argv: string[], values: Record<string, string>): string[] {
  return argv.map((a) => a.replace(PLACEHOLDER, (m: string, k: string) => {
    if (values[k] === undefined) throw new Error(`{{${k}}} has no value: give it with --${k === 'cluster' ? 'cluster NAME' : `set ${k}=VALUE`}`);
    return values[k]!;
  }));
}
