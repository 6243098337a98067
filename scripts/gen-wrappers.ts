// Writes Taskfile.yaml and justfile from the task registry (lib/engine/wrappers.ts): npm run gen:wrappers.
import { writeFileSync } from 'node:fs';
import { loadRegistry } from '../lib/engine/registry.ts';
import { renderBuiltinFlags, renderJustfile, renderTaskfile } from '../lib/engine/wrappers.ts';

const registry = await loadRegistry({ env: { ...process.env, RACKHAND_TASKS: '' }, cwd: process.cwd(), config: '/nonexistent' });
writeFileSync('Taskfile.yaml', renderTaskfile(registry));
writeFileSync('justfile', renderJustfile(registry));
writeFileSync('lib/engine/builtin-flags.ts', renderBuiltinFlags(registry, process.cwd()));
console.log(`Taskfile.yaml, justfile and lib/engine/builtin-flags.ts: ${Object.keys(registry).length} tasks`);
