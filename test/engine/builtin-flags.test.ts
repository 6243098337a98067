// lib/engine/builtin-flags.ts is generated from the registry: it must not drift from it.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../../lib/engine/registry.ts';
import { renderBuiltinFlags } from '../../lib/engine/wrappers.ts';

describe('the typed flags of the built-in tasks', () => {
  it('are what the registry generates (npm run gen:wrappers after adding a task)', async () => {
    const registry = await loadRegistry({ env: { ...process.env, RACKHAND_TASKS: '' }, cwd: process.cwd(), config: '/nonexistent' });
    expect(await readFile('lib/engine/builtin-flags.ts', 'utf8')).toBe(renderBuiltinFlags(registry, process.cwd()));
  });
});
