// Writes Taskfile.yaml and justfile from the task registry (lib/engine/wrappers.ts): npm run gen:wrappers.
import { writeFileSync } from 'node:fs';
import { loadRegistry } from '../lib/engine/registry.ts';
import { renderJustfile, renderTaskfile } from '../lib/engine/wrappers.ts';

const registry = await loadRegistry({ env: { ...process.env, RACKHAND_TASKS: '' }, cwd: process.cwd(), config: '/nonexistent' });
writeFileSync('Taskfile.yaml', renderTaskfile(registry));
writeFileSync('justfile', renderJustfile(registry));
console.log(`Taskfile.yaml and justfile: ${Object.keys(registry).length} tasks`);
