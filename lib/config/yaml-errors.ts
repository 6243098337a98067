// YAML + zod with errors an operator can act on: `rackhand.yaml:15:16 clusters.lab.nodes.1.address: expected ...`.
// yaml's parseDocument keeps node ranges; LineCounter maps them to line:col (eemeli/yaml docs, "LineCounter").
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { z } from 'zod';

const MAX_ALIASES = 100;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

export async function parseYamlFile<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ConfigError([`${path}: no such file`,
        'create it: cp rackhand.example.yaml rackhand.yaml (then edit), point at one with --config PATH or RACKHAND_CONFIG,',
        'or try the built-in lab: eval "$(npx tsx tasks lab:up)"']);
    }
    throw new ConfigError([`${path}: cannot read: ${code ?? String(err)}`]);
  }
  return parseYamlText(text, shown(path), schema);
}

export function parseYamlText<S extends z.ZodType>(text: string, name: string, schema: S): z.infer<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      return `${name}${pos ? `:${pos.line}:${pos.col}` : ''}: ${e.message.split('\n')[0]}`;
    }));
  }
  let value: unknown;
  try {
    // yaml refuses more aliases than this (a "billion laughs" document): report it as a config error, not a crash
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (err) {
    throw new ConfigError([`${name}: ${(err as Error).message.split('\n')[0]} (at most ${MAX_ALIASES} alias expansions)`]);
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => {
    // Point at the deepest node that exists on the issue's path (a missing key points at its parent map).
    let line = '';
    for (let n = issue.path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(issue.path.slice(0, n) as (string | number)[], true);
      if (isNode(node) && node.range) {
        const pos = lineCounter.linePos(node.range[0]);
        line = `:${pos.line}:${pos.col}`;
        break;
      }
    }
    const field = issue.path.length ? issue.path.join('.') : '(top level)';
    return `${name}${line} ${field}: ${issue.message}`;
  }));
}
