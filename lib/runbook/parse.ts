// A runbook is markdown. Its steps, in order: every line of a fenced block marked `rackhand` is a task call
// (`talos:upgrade-node --cluster {{cluster}} --all`; `#` lines are comments), every checklist item (`- [ ] ...`) is a
// manual step the operator confirms. Everything else is prose for the reader. Parsed with marked's lexer
// (markedjs/marked: tokens `code` with `lang`, `list` items with `task`), line numbers from the tokens' raw text.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { marked, type Token, type Tokens } from 'marked';

export type RunbookStep =
  | { index: number; line: number; kind: 'task'; call: string; task: string; argv: string[] }
  | { index: number; line: number; kind: 'manual'; text: string };

export interface Runbook { name: string; file: string; title: string; steps: RunbookStep[]; problems: { line: number; message: string }[] }

/** `{{name}}` placeholders a step may use, filled from runbook:run's flags (--cluster) */
export const PLACEHOLDER = /\{\{\s*([a-z][a-z0-9-]*)\s*\}\}/g;

export function parseRunbook(file: string, text = readFileSync(file, 'utf8')): Runbook {
  const rb: Runbook = { name: basename(file).replace(/\.md$/, ''), file, title: basename(file), steps: [], problems: [] };
  let line = 1;
  const visit = (tokens: Token[]) => {
    for (const t of tokens) {
      const start = line;
      if (t.type === 'heading' && (t as Tokens.Heading).depth === 1 && rb.title === basename(file)) rb.title = (t as Tokens.Heading).text;
      if (t.type === 'code' && (t as Tokens.Code).lang === 'rackhand') {
        (t as Tokens.Code).text.split('\n').forEach((raw, i) => {
          const call = raw.trim();
          if (!call || call.startsWith('#')) return;
          const at = start + 1 + i;
          if (/["'`\\$;|&<>]/.test(call.replace(PLACEHOLDER, ''))) {
            rb.problems.push({ line: at, message: `"${call}": shell syntax is not a task call (write the task name and its flags; values without quotes)` });
            return;
          }
          const [task, ...argv] = call.replace(/^(npx tsx tasks|npx rackhand|rackhand)\s+/, '').split(/\s+/);
          rb.steps.push({ index: rb.steps.length + 1, line: at, kind: 'task', call, task: task!, argv });
        });
      }
      if (t.type === 'list') {
        let itemLine = start;
        for (const item of (t as Tokens.List).items) {
          if (item.task) rb.steps.push({ index: rb.steps.length + 1, line: itemLine, kind: 'manual', text: item.text.replace(/^\[[ xX]\]\s*/, '').split('\n')[0]!.trim() });
          itemLine += (item.raw.match(/\n/g) ?? []).length;
        }
      }
      line += (t.raw.match(/\n/g) ?? []).length;
    }
  };
  visit(marked.lexer(text));
  return rb;
}
