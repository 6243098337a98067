// new:task NS:NAME (`rackhand new task ns:name`) — scaffolds an operator task in the first task folder of
// rackhand.yaml (`tasks:`, default ./tasks): <ns>/<name>.mjs on the public API, and <ns>/<name>.test.mjs, a
// node:test that runs it with --dry-run against rackhand's lab. Refuses to overwrite a file.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { configPath } from '../../lib/config/path.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { UsageError } from '../../lib/engine/types.ts';

const taskSource = (name: string) => `// ${name}: what it does, in one line (shown by \`rackhand list\`).
import { defineTask } from 'rackhand';

export default defineTask({
  summary: 'TODO: what ${name} does',
  flags: { namespace: { type: 'string', description: 'the namespace to look at', default: 'default' } },
  destructive: false, // true when it changes something: then it asks first and takes the cluster lock
  cluster: true,
  impl: () => ({
    async plan(ctx) {
      const k = ['--kubeconfig', ctx.cluster.kubeconfig, '--context', ctx.cluster.context];
      return [{
        title: \`list the pods of \${ctx.flags.namespace}\`,
        mutating: false, // a step that changes something: ctx.$.mutating\\\`...\\\`, undo(), isDone()
        async run() { ctx.out((await ctx.$\`kubectl \${k} get pods --namespace \${ctx.flags.namespace}\`).text()); },
      }];
    },
  }),
});
`;

const testSource = (name: string, folder: string) => `// Runs ${name} against rackhand's simulated lab: node --test ${folder}
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { run } from 'rackhand';
import { startLab } from 'rackhand/lab';

const tasks = join(dirname(fileURLToPath(import.meta.url)), '..');

test('${name} --dry-run against the lab', async () => {
  const lab = await startLab();
  try {
    const env = { ...process.env, ...lab.env, RACKHAND_TASKS: tasks, RACKHAND_STATE_DIR: join(lab.dir, '.rackhand') };
    const r = await run('${name}', { 'dry-run': true }, { cwd: lab.dir, env });
    assert.equal(r.exitCode, 0, r.error?.message);
  } finally {
    await lab.stop();
  }
});
`;

export default defineTask({
  summary: 'scaffold an operator task (and a test that runs it against the lab) in your task folder',
  example: 'npx rackhand new task k8s:restart-app',
  flags: { name: { type: 'string', description: 'the task name, namespace:name', required: true, positional: true, pattern: /^[a-z0-9][a-z0-9-]*:[a-z0-9][a-z0-9-]*$/, hint: 'a name like k8s:restart-app' } },
  destructive: false,
  cluster: false,
  impl: () => ({
    async plan(ctx) {
      const name = ctx.flags.name;
      const config = configPath(ctx.flags.config, ctx.env, ctx.cwd);
      let folder = resolve(ctx.cwd, 'tasks');
      if (existsSync(config)) {
        const listed = (parse(readFileSync(config, 'utf8')) as { tasks?: unknown } | null)?.tasks;
        if (Array.isArray(listed) && typeof listed[0] === 'string') folder = resolve(config, '..', listed[0]);
      }
      const [ns, base] = name.split(':') as [string, string];
      const file = join(folder, ns, `${base}.mjs`);
      const test = join(folder, ns, `${base}.test.mjs`);
      for (const f of [file, test]) if (existsSync(f)) throw new UsageError(`${f} exists already (nothing was written)`);
      return [{
        title: `write ${relative(ctx.cwd, file)} and ${relative(ctx.cwd, test)}`,
        async run() {
          if (ctx.dryRun) return;
          mkdirSync(join(folder, ns), { recursive: true });
          writeFileSync(file, taskSource(name));
          writeFileSync(test, testSource(name, relative(ctx.cwd, test)));
          ctx.out(`${relative(ctx.cwd, file)}\n${relative(ctx.cwd, test)}`);
          if (!existsSync(config) || !/^tasks:/m.test(readFileSync(config, 'utf8'))) ctx.log.warning(`add the folder to rackhand.yaml: tasks: [./${relative(resolve(config, '..'), folder)}]`);
        },
      }];
    },
  }),
});
