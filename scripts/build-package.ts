// npm run build: the installable package in dist/ -- rackhand's own TypeScript compiled to JavaScript (tsc with
// rewriteRelativeImportExtensions; tsx is then loaded only when an operator's .ts task runs), the files the code
// reads at run time (lab topologies and fakes, runbooks, examples, the example bootstrap inputs), a package.json with
// the `rackhand` bin and typed exports; then `npm pack` of it into dist/../rackhand-<version>.tgz (or PACK_DEST).
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.cwd();
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
// the one build step that runs a tool: argv, no shell (scripts are not task code, but follow the same rule)
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

const copy = (from: string, filter: (src: string) => boolean = () => true) => {
  if (existsSync(join(root, from))) cpSync(join(root, from), join(dist, from), { recursive: true, filter: (src) => !src.includes('node_modules') && filter(src) });
};
// run-time files next to the compiled code (same relative layout as the repository)
copy('lab', (src) => !src.endsWith('.ts')); // topologies, the op vault, the fake CLI shim (the .ts are compiled)
for (const d of ['runbooks', 'examples', 'bootstrap', 'talos', 'helmfile']) copy(d);
for (const f of ['README.md', 'rackhand.example.yaml']) if (existsSync(join(root, f))) cpSync(join(root, f), join(dist, f));

// go-task and just front doors for an installed rackhand, calling `npx rackhand` (include/import them from yours)
const { loadRegistry } = await import('../lib/engine/registry.ts');
const { renderJustfile, renderTaskfile } = await import('../lib/engine/wrappers.ts');
const builtins = await loadRegistry({ env: { ...process.env, RACKHAND_TASKS: '' }, cwd: root, config: '/nonexistent' });
writeFileSync(join(dist, 'Taskfile.rackhand.yaml'), renderTaskfile(builtins, 'npx rackhand'));
writeFileSync(join(dist, 'justfile.rackhand'), renderJustfile(builtins, 'npx rackhand'));

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, any>;
const out = {
  name: pkg.name, version: pkg.version, description: pkg.description, type: 'module', engines: pkg.engines, license: pkg.license ?? 'UNLICENSED',
  bin: { rackhand: './bin/rackhand.js' },
  exports: { '.': { types: './lib/index.d.ts', default: './lib/index.js' }, './lab': { types: './lab/lab.d.ts', default: './lab/lab.js' }, './package.json': './package.json' },
  types: './lib/index.d.ts',
  dependencies: pkg.dependencies,
};
writeFileSync(join(dist, 'package.json'), `${JSON.stringify(out, null, 2)}\n`);
mkdirSync(join(dist, 'bin'), { recursive: true });
writeFileSync(join(dist, 'bin', 'rackhand.js'), '#!/usr/bin/env node\n// the installed CLI: compiled JavaScript, no TypeScript loader unless an operator task is .ts\nimport \'../tasks/index.js\';\n');
chmodSync(join(dist, 'bin', 'rackhand.js'), 0o755);
const dest = process.env.PACK_DEST ?? root;
const tgz = execFileSync('npm', ['pack', dist, '--pack-destination', dest, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop()!;
console.log(join(dest, tgz));
