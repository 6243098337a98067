// Taskfile.yaml and justfile are generated from the registry: they must not drift from it.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../../lib/engine/registry.ts';
import { renderJustfile, renderTaskfile } from '../../lib/engine/wrappers.ts';

const registry = await loadRegistry({ env: { ...process.env, RACKHAND_TASKS: '' }, cwd: process.cwd(), config: '/nonexistent' });

describe('Taskfile.yaml and justfile forward to the CLI', () => {
  it('are what the registry generates (npm run gen:wrappers after adding a task)', async () => {
    expect(await readFile('Taskfile.yaml', 'utf8')).toBe(renderTaskfile(registry));
    expect(await readFile('justfile', 'utf8')).toBe(renderJustfile(registry));
  });

  it('every registered task has a Taskfile entry forwarding its arguments, and nothing else is there', async () => {
    const tf = parse(await readFile('Taskfile.yaml', 'utf8')) as { tasks: Record<string, { cmds: string[] }> };
    const names = Object.keys(tf.tasks).filter((n) => n !== 'default');
    expect(names.sort()).toEqual(Object.keys(registry).sort());
    for (const name of names) {
      const cmd = tf.tasks[name]!.cmds[0]!;
      expect(cmd.startsWith(`npx tsx tasks ${name} `)).toBe(true);
      expect(cmd).toContain('{{.CLI_ARGS}}');
    }
  });
});
