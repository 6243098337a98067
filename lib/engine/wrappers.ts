// The go-task Taskfile and the justfile that front the CLI, generated from the registry (scripts/gen-wrappers.ts
// writes them; a test fails when the committed files drift from it). Both only forward: the CLI owns flags,
// validation and confirmation. go-task: CLUSTER and CLI_ARGS (taskfile.dev/reference/templating/#special-variables);
// just: positional arguments passed through with "$@" (just.systems/man/en/settings, positional-arguments).
import { stringify } from 'yaml';
import type { TaskEntry } from './types.ts';

const builtins = (r: Record<string, TaskEntry>) => Object.entries(r).filter(([, e]) => !e.origin || e.origin === 'rackhand').sort(([a], [b]) => a.localeCompare(b));
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
const yamlString = (s: string) => stringify(s, { lineWidth: 0 }).trimEnd();

/** `cli`: how the wrappers call rackhand -- `npx tsx tasks` in a checkout, `npx rackhand` for the installed package */
export function renderTaskfile(registry: Record<string, TaskEntry>, cli = 'npx tsx tasks'): string {
  const head = [
    '# go-task front door, generated from the task registry by scripts/gen-wrappers.ts (do not edit: npm run gen:wrappers).',
    '# Every task forwards to the rackhand CLI, which owns flags, validation and confirmation.',
    '#   task cluster:status CLUSTER=lab',
    '#   task talos:upgrade-node CLUSTER=lab -- --all --dry-run     (anything after -- is passed through)',
    '# Include it from your own Taskfile: includes: { rackhand: { taskfile: ./Taskfile.rackhand.yaml, flatten: true } }',
    "version: '3'",
    '',
    'tasks:',
    '  default:',
    '    desc: list rackhand tasks',
    `    cmds: ['${cli} list']`,
  ];
  const body = builtins(registry).flatMap(([name, e]) => [
    '',
    `  ${name}:`,
    `    desc: ${yamlString(oneLine(e.summary))}`,
    `    cmds: ['${cli} ${name} {{if .CLUSTER}}--cluster {{.CLUSTER}}{{end}} {{.CLI_ARGS}}']`,
  ]);
  return `${[...head, ...body].join('\n')}\n`;
}

export function renderJustfile(registry: Record<string, TaskEntry>, cli = 'npx tsx tasks'): string {
  const head = [
    '# just front door, generated from the task registry by scripts/gen-wrappers.ts (do not edit: npm run gen:wrappers).',
    '# `just cluster-status --cluster lab`, or `just run <task> [flags]`; import it from your own justfile with',
    "# `import 'justfile.rackhand'`. Every recipe forwards to the rackhand CLI, which owns flags and confirmation.",
    'set positional-arguments',
    '',
    'default:',
    `    @${cli} list`,
    '',
    '# run any rackhand task: just run talos:upgrade-node --cluster lab --all',
    'run task *args:',
    `    ${cli} "$@"`,
  ];
  const body = builtins(registry).flatMap(([name, e]) => ['', `# ${oneLine(e.summary)}`, `${name.replace(/:/g, '-')} *args:`, `    ${cli} ${name} "$@"`]);
  return `${[...head, ...body].join('\n')}\n`;
}
