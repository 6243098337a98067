// The CLI runner: takes raw args so tests call it directly (nuxt/cli, citty). `list`, `help` and `--help` touch only
// the registry; a task's implementation is imported when, and only when, it runs.
import type { IO } from './io.ts';
import { EXIT } from './exit.ts';
import { taskHelp, taskList } from './help.ts';
import { suggest } from './suggest.ts';
import type { TaskEntry } from './types.ts';

export interface CliOptions {
  io: IO;
  env: Record<string, string | undefined>;
  cwd: string;
  /** default: discovered (rackhand's tasks and the operator's folders) */
  registry?: Record<string, TaskEntry>;
  interrupt?: AbortController;
}

const USAGE = 'Usage: npx tsx tasks <namespace:name> [flags] | list | help <name> | --version\n';

function unknownTask(name: string, o: CliOptions & { registry: Record<string, TaskEntry> }): number {
  const near = suggest(name, Object.keys(o.registry));
  o.io.stderr.write(`✗ unknown task "${name}"${near ? `; did you mean ${near}?` : ''} (npx tsx tasks list shows them all)\n`);
  return EXIT.usage;
}

/** `--config FILE` / `--config=FILE` anywhere in argv: it also says where the operator's task folders are listed */
function configFlag(argv: string[]): string | undefined {
  const i = argv.findIndex((a) => a === '--config' || a.startsWith('--config='));
  return i < 0 ? undefined : argv[i]!.includes('=') ? argv[i]!.split('=').slice(1).join('=') : argv[i + 1];
}

export async function runCli(argv: string[], given: CliOptions): Promise<number> {
  let o: CliOptions & { registry: Record<string, TaskEntry> };
  try {
    o = { ...given, registry: given.registry ?? await (await import('./registry.ts')).loadRegistry({ env: given.env, cwd: given.cwd, config: configFlag(argv) }) };
  } catch (err) {
    if ((err as Error).name !== 'TaskFileError') throw err;
    given.io.stderr.write(`✗ ${(err as Error).message}\n`);
    return EXIT.usage;
  }
  // `rackhand new task ns:name` is the task new:task
  const [first, ...rest] = argv[0] === 'new' && argv[1] === 'task' ? ['new:task', ...argv.slice(2)] : argv;
  if (first === undefined || first === '--help' || first === '-h') {
    o.io.stdout.write(USAGE + '\n' + taskList(o.registry));
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  if (first === '--version' || first === '-V') {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    o.io.stdout.write(`rackhand ${pkg.version} (node ${process.version})\n`);
    return EXIT.ok;
  }
  if (first === 'list') {
    o.io.stdout.write(taskList(o.registry));
    return EXIT.ok;
  }
  if (first === 'help') {
    const name = rest[0];
    if (!name) { o.io.stdout.write(USAGE); return EXIT.usage; }
    const entry = o.registry[name];
    if (!entry) return unknownTask(name, o);
    o.io.stdout.write(taskHelp(name, entry));
    return EXIT.ok;
  }
  const entry = o.registry[first];
  if (!entry) return unknownTask(first, o);
  if (rest.includes('--help') || rest.includes('-h')) {
    o.io.stdout.write(taskHelp(first, entry));
    return EXIT.ok;
  }
  const { runTask } = await import('./run.ts');
  return runTask({ name: first, entry, argv: rest, io: o.io, env: o.env, cwd: o.cwd, interrupt: o.interrupt });
}
