import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { registry } from '../../tasks/registry.ts';

describe('Taskfile.yaml forwards to the CLI', () => {
  it('every Taskfile task names a registered task, and every registered task has a Taskfile entry', async () => {
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
