// The variables operators pass to their Taskfile and justfile recipes (CLUSTER, NODE, APP, NAMESPACE, and the rest
// after --) reach the CLI as the flags they stand for. go-task is not installable here: each Taskfile entry is rendered
// with go-task's template rules for what it uses (`{{if .V}}`, `{{.V}}`, `{{shellQuote .V}}`, CLI_ARGS as go-task
// quotes it: taskfile.dev/reference/templating), and the command line is split as a shell would and parsed by the
// CLI's own parser. just is the real one (npm rust-just-linux-x64 ships its binary), running the generated justfile.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse as shellParse } from 'shell-quote';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { FlagError, parseFlags } from '../../lib/engine/flags.ts';
import { loadRegistry } from '../../lib/engine/registry.ts';
import { renderJustfile } from '../../lib/engine/wrappers.ts';
import { withLab } from '../helpers/lab.ts';

const run = promisify(execFile);
const registry = await loadRegistry({ env: { ...process.env, RACKHAND_TASKS: '' }, cwd: process.cwd(), config: '/nonexistent' });
const taskfile = parse(await readFile('Taskfile.yaml', 'utf8')) as { tasks: Record<string, { cmds: string[] }> };
// the binary of npm's rust-just for this platform (an optional dependency: the registry here serves linux-x64 only)
const JUST = fileURLToPath(new URL('../../node_modules/rust-just-linux-x64/bin/just', import.meta.url));

// mvdan.cc/sh syntax.Quote (what go-task's shellQuote and CLI_ARGS use): plain when safe, else single quotes
const shQuote = (v: string) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);

/** go-task's templating for the subset the generated Taskfile uses; anything else is an error, so new syntax is seen */
function renderGoTask(cmd: string, vars: Record<string, string>, cliArgs: string[] = []): string {
  const all = { ...vars, CLI_ARGS: cliArgs.map(shQuote).join(' ') };
  const value = (name: string) => all[name as keyof typeof all] ?? '';
  let out = cmd.replace(/\{\{if \.([A-Z_]+)\}\}(.*?)\{\{end\}\}/g, (_m, v: string, body: string) => (value(v) ? body : ''));
  out = out.replace(/\{\{shellQuote \.([A-Z_]+)\}\}/g, (_m, v: string) => shQuote(value(v)));
  out = out.replace(/\{\{\.([A-Z_]+)\}\}/g, (_m, v: string) => value(v));
  if (out.includes('{{')) throw new Error(`template syntax this test does not render: ${out}`);
  return out;
}

function viaTaskfile(task: string, vars: Record<string, string>, cliArgs: string[] = [], o: { anyRequired?: boolean } = {}) {
  const line = renderGoTask(taskfile.tasks[task]!.cmds[0]!, vars, cliArgs);
  const argv = shellParse(line).map(String);
  expect(argv.slice(0, 4)).toEqual(['npx', 'tsx', 'tasks', task]);
  // anyRequired: the task's other required flags are not this test's business
  const flags = o.anyRequired ? Object.fromEntries(Object.entries(registry[task]!.flags).map(([k, d]) => [k, { ...d, required: false }])) : registry[task]!.flags;
  return parseFlags(argv.slice(4), flags).values;
}

describe('front doors: Taskfile variables and just arguments', () => {
  it('task talos:apply-node CLUSTER=infra NODE=10.25.11.11 and task k8s:hr-restart APP=gatus CLUSTER=infra', () => {
    expect(viaTaskfile('talos:apply-node', { CLUSTER: 'infra', NODE: '10.25.11.11' })).toMatchObject({ cluster: 'infra', node: '10.25.11.11' });
    expect(viaTaskfile('k8s:hr-restart', { APP: 'gatus', CLUSTER: 'infra' })).toMatchObject({ cluster: 'infra', app: 'gatus' });
    expect(viaTaskfile('k8s:exec', { APP: 'gatus' }, ['--', 'ls', '-la', '/config dir'])).toMatchObject({ app: 'gatus', command: ['ls', '-la', '/config dir'] });
    expect(viaTaskfile('volsync:restore', { APP: 'paperless', NAMESPACE: 'docs' }, ['--previous', '2'])).toMatchObject({ app: 'paperless', namespace: 'docs', previous: 2 });
  });

  it('every entry renders to a command line the CLI accepts with each variable it passes set, and a variable the task does not take is not passed', () => {
    const sample = { CLUSTER: 'lab', NODE: 'cp1', APP: 'gatus', NAMESPACE: 'media' };
    for (const [name, e] of Object.entries(registry)) {
      const flags = Object.fromEntries(Object.entries(e.presetFlags ?? {}).map(([k, v]) => [k.toUpperCase(), String(v)]));
      const values = viaTaskfile(name, { ...sample, ...flags }, [], { anyRequired: true });
      expect(values.cluster, name).toBe(flags.CLUSTER ?? 'lab');
      for (const [v, flag] of [['NODE', 'node'], ['APP', 'app'], ['NAMESPACE', 'namespace']] as const) {
        if (e.flags[flag]) expect([sample[v], [sample[v]]], `${name} ${v}`).toContainEqual(values[flag]);
        else expect(values[flag], `${name} ${v}`).toBeUndefined();
      }
    }
  });

  it('a hostile value stays one argument and is refused by the flag\'s own check', () => {
    expect(() => viaTaskfile('talos:apply-node', { NODE: 'cp1; touch /tmp/pwned' })).toThrow(FlagError);
    expect(() => viaTaskfile('talos:apply-node', { NODE: 'cp1; touch /tmp/pwned' })).toThrow('--node: expected a node name (or its address) from rackhand.yaml, e.g. cp1 (got "cp1; touch /tmp/pwned")');
  });

  it('the CLI reads CLUSTER=, NODE=, APP=, NAMESPACE= arguments; a variable the task does not take is refused by name', () => {
    expect(parseFlags(['APP=gatus', 'CLUSTER=infra'], registry['k8s:hr-restart']!.flags).values).toMatchObject({ app: 'gatus', cluster: 'infra' });
    expect(() => parseFlags(['NODE=cp1'], registry['k8s:hr-restart']!.flags)).toThrow('NODE=cp1: this task takes no --node (see --help)');
    expect(() => parseFlags(['APP=a', '--app', 'b'], registry['k8s:hr-restart']!.flags)).toThrow('APP=a and --app both given: use one');
    // after -- nothing is read as a variable
    expect(parseFlags(['--app', 'x', '--', 'env', 'APP=y'], registry['k8s:exec']!.flags).values).toMatchObject({ app: 'x', command: ['env', 'APP=y'] });
  });

  it.skipIf(process.platform !== 'linux' || process.arch !== 'x64')('the real just runs the generated justfile: just k8s-logs APP=gatus CLUSTER=lab against the lab', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rackhand-just-'));
    const lab = await withLab({ topology: fileURLToPath(new URL('../../lab/topologies/flux.yaml', import.meta.url)) });
    try {
      const entry = fileURLToPath(new URL('../../tasks/index.ts', import.meta.url));
      const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
      await writeFile(join(dir, 'justfile'), renderJustfile(registry, `${tsx} ${entry}`));
      const env = { ...process.env, ...lab.env, RACKHAND_STATE_DIR: join(lab.dir, '.rackhand'), CI: 'true' };
      const r = await run(JUST, ['--justfile', join(dir, 'justfile'), '--working-directory', lab.dir, 'k8s-logs', 'APP=gatus', 'CLUSTER=lab', '--tail', '1'], { env });
      expect(r.stdout).toContain('lab: container app started from ghcr.io/twin/gatus:v5.17.0');
      const bad = await run(JUST, ['--justfile', join(dir, 'justfile'), '--working-directory', lab.dir, 'k8s-logs', 'NODE=cp1'], { env }).catch((e: { code: number; stderr: string }) => e);
      expect(bad).toMatchObject({ code: 2 });
      expect((bad as { stderr: string }).stderr).toContain('NODE=cp1: this task takes no --node');
    } finally {
      await lab.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
