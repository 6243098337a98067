// runbook:run NAME — runs a runbook's steps in order through the engine: each task call is shown and asked for
// (--yes for automation) and runs as its own task with its own run record, all under one cluster lock taken by the
// runbook (when the cluster answers: a bootstrap runbook starts before there is one); each manual step is confirmed
// by the operator. Progress is saved after every step: after a failure or Ctrl-C, the same command resumes at the
// first unfinished step (--from N to choose). Every step is checked (runbook:check) before the first one runs.
import { readFileSync } from 'node:fs';
import { defineTask } from '../../lib/engine/define.ts';
import { ClusterLock, LockHeld } from '../../lib/engine/lock.ts';
import { loadRegistry } from '../../lib/engine/registry.ts';
import { StepFailure, UsageError, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { checkRunbook, fillStep } from '../../lib/runbook/check.ts';
import { runbookDirs, runbookFiles } from '../../lib/runbook/locate.ts';
import { parseRunbook, type Runbook } from '../../lib/runbook/parse.ts';
import { readProgress, runbookHash, saveProgress, type Progress } from '../../lib/runbook/progress.ts';

const FLAGS = {
  runbook: { type: 'string', description: 'the runbook (its file name without .md)', required: true, positional: true },
  from: { type: 'number', description: 'start at this step (the steps before it count as done)' },
  set: { type: 'list', description: 'a {{placeholder}} value: --set app=paperless' },
  'confirm-cluster': { type: 'string', description: 'with --yes: the cluster name, the typed confirmation of the steps that want one (cluster:restore, node:remove, ...)' },
} as const;

function runbookRun() {
  let rb: Runbook;
  let text: string;
  let values: Record<string, string>;
  return {
    validate(ctx: TaskContext<typeof FLAGS>) {
      const files = runbookFiles(runbookDirs(ctx));
      const file = files.get(ctx.flags.runbook);
      if (!file) throw new UsageError(`runbook ${ctx.flags.runbook}: not found (have ${[...files.keys()].join(', ') || 'none'}; npx tsx tasks runbook:list)`);
      text = readFileSync(file, 'utf8');
      rb = parseRunbook(file, text);
      if (!rb.steps.length) throw new UsageError(`${file}: no steps (\`\`\`rackhand blocks or - [ ] items)`);
      values = { cluster: ctx.cluster.name };
      for (const kv of ctx.flags.set ?? []) {
        const m = /^([a-z][a-z0-9-]*)=(.*)$/.exec(kv);
        if (!m) throw new UsageError(`--set: expected name=value (got "${kv}")`);
        values[m[1]!] = m[2]!;
      }
      if (ctx.flags['confirm-cluster'] !== undefined && ctx.flags['confirm-cluster'] !== ctx.cluster.name) throw new UsageError(`--confirm-cluster: expected the cluster name ${ctx.cluster.name} (got "${ctx.flags['confirm-cluster']}")`);
      const from = ctx.flags.from;
      if (from !== undefined && (from < 1 || from > rb.steps.length)) throw new UsageError(`--from: expected a step number from 1 to ${rb.steps.length}`);
      for (const s of rb.steps) {
        if (s.kind !== 'task') continue;
        try { fillStep(s.argv, values); } catch (err) { throw new UsageError(`${rb.file}:${s.line}: ${(err as Error).message}`); }
      }
    },
    async plan(ctx: TaskContext<typeof FLAGS>): Promise<Step[]> {
      const registry = await loadRegistry({ env: ctx.env, cwd: ctx.cwd, ...(ctx.flags.config ? { config: ctx.flags.config } : {}) });
      const problems = checkRunbook(rb, registry);
      if (problems.length) throw new UsageError(problems.map((p) => `${rb.file}:${p.line}: ${p.message}`).join('\n'));
      // a step whose task wants the cluster name typed: --yes needs --confirm-cluster up front (found before any step
      // runs, not at that step); at a terminal the name is asked for at the step
      const typedSteps = rb.steps.filter((s) => s.kind === 'task' && registry[s.task]!.destructive === 'typed');
      if (ctx.yes && typedSteps.length && ctx.flags['confirm-cluster'] !== ctx.cluster.name) {
        throw new UsageError(`--yes: step${typedSteps.length > 1 ? 's' : ''} ${typedSteps.map((s) => `${s.index} (${s.kind === 'task' ? s.task : ''})`).join(', ')} want${typedSteps.length > 1 ? '' : 's'} the cluster name typed: add --confirm-cluster ${ctx.cluster.name}`);
      }
      const progress: Progress = readProgress(ctx.stateDir, rb.name, runbookHash(text), ctx.cluster.name);
      const from = ctx.flags.from;
      const resume = `npx tsx tasks runbook:run ${rb.name} --cluster ${ctx.cluster.name}${(ctx.flags.set ?? []).map((kv) => ` --set ${kv}`).join('')}`;
      const started = Object.keys(progress.done).length > 0 && from === undefined;
      if (started && Object.keys(progress.done).length < rb.steps.length) ctx.log.info(`resuming ${rb.name}: ${Object.keys(progress.done).length} of ${rb.steps.length} steps were done in an earlier run`);
      ctx.data.runbook = { name: rb.name, file: rb.file, steps: rb.steps.length };
      const records: string[] = [];
      ctx.data.records = records;
      const done = (i: number) => (from !== undefined ? i < from : progress.done[String(i)] !== undefined);
      if (!from && rb.steps.every((s) => done(s.index))) progress.done = {}; // finished before: a new run starts over
      // a runbook with a task that works while the API is down (a restore) holds no cluster lock: the restored state
      // would not have it, and the API is gone for part of the run
      const disaster = rb.steps.find((s) => s.kind === 'task' && registry[s.task]?.lock === false && registry[s.task]?.destructive);
      const lock = lockSteps(ctx, rb, disaster?.kind === 'task' ? `step ${disaster.index} (${disaster.task}) works while the API is down` : undefined);
      const steps: Step[] = rb.steps.map((s) => ({
        title: `${s.index}. ${s.kind === 'task' ? fillStep(s.argv, values).reduce((a, b) => `${a} ${b}`, s.task) : `[manual] ${s.text}`}`,
        mutating: s.kind === 'task' ? registry[s.task]!.destructive !== false : false,
        isDone: async () => (done(s.index) ? (from !== undefined ? `before --from ${from}` : `done ${progress.done[String(s.index)]!.at}`) : false),
        async run(rt) {
          if (s.kind === 'manual') {
            if (!(await ctx.confirm(`step ${s.index} (manual): ${s.text} -- done?`))) throw new StepFailure(`step ${s.index} not confirmed: ${s.text}`, `do it, then: ${resume}`);
          } else {
            if (!(await ctx.confirm(`run step ${s.index}: ${s.task} ${fillStep(s.argv, values).join(' ')}?`))) throw new StepFailure(`step ${s.index} not confirmed`, resume);
            const entry = registry[s.task]!;
            let confirmed = ctx.flags['confirm-cluster'];
            if (!ctx.yes && !ctx.dryRun && entry.destructive === 'typed') {
              const typed = (await ctx.question(`step ${s.index} (${s.task}) wants the cluster name typed (${ctx.cluster.name}):`)).trim();
              if (typed !== ctx.cluster.name) throw new StepFailure(`step ${s.index} not confirmed: typed "${typed}", not "${ctx.cluster.name}"`, resume);
              confirmed = typed;
            }
            const forward = confirmed !== undefined && entry.flags['confirm-cluster'] && !s.argv.includes('--confirm-cluster') ? ['--confirm-cluster', confirmed] : [];
            const argv = [...fillStep(s.argv, values), '--yes', ...forward, ...(ctx.dryRun ? ['--dry-run'] : []), ...(ctx.flags.config ? ['--config', ctx.flags.config] : [])];
            const r = await ctx.runTask(s.task, argv, lock.holder() ? { heldLock: lock.holder()! } : {});
            if (r.recordPath) records.push(r.recordPath);
            rt.output(`${s.task}: ${r.result} (exit ${r.exitCode})`);
            if (r.exitCode !== 0) throw new StepFailure(`step ${s.index} (${s.call}) ended with exit ${r.exitCode}: ${r.error?.message ?? r.result}`, `${r.error?.remedy ? `${r.error.remedy}; then ` : ''}${resume} (resumes at step ${s.index})`);
          }
          if (!ctx.dryRun) {
            progress.done[String(s.index)] = { at: new Date().toISOString(), ...(records.at(-1) ? { record: records.at(-1)! } : {}) };
            saveProgress(ctx.stateDir, rb.name, progress);
          }
        },
      }));
      return [lock.take, ...steps, lock.release];
    },
  };
}

/** The runbook's cluster lock: taken first when the cluster answers (a bootstrap runbook starts before there is an
 *  API), released last, and by undo when a step fails or the run is interrupted. The tasks run under it. */
function lockSteps(ctx: TaskContext, rb: Runbook, noLock?: string): { take: Step; release: Step; holder: () => string | undefined } {
  let lock: ClusterLock | undefined;
  const release = async () => { await lock?.release(); lock = undefined; };
  return {
    holder: () => (lock?.isHeld ? lock.holder : undefined),
    take: {
      title: `take the cluster lock for runbook ${rb.name} (when the cluster answers)`,
      mutating: false,
      async run(rt) {
        if (ctx.dryRun) return;
        if (noLock) { rt.output(`no cluster lock for this runbook: ${noLock}`); return; }
        const up = await ctx.kubectl.read(['get', '--raw', '/readyz'], 10_000).then(() => true, () => false);
        if (!up) { rt.output('the cluster does not answer yet: each task takes the lock itself once it can'); return; }
        lock = new ClusterLock(ctx.kubectl, `runbook:run ${rb.name}`, (why) => ctx.log.failure(`${why}: the runbook's lock is lost`));
        try {
          await lock.acquire();
        } catch (err) {
          lock = undefined;
          if (err instanceof LockHeld) throw new StepFailure(`${err.message}; no step ran`, 'wait for that run to finish, then run the runbook again', 4);
          throw err;
        }
        rt.output(`held by ${lock.holder}`);
      },
      undo: release,
      cleanup: release,
      byHand: ['kubectl delete lease -n kube-system rackhand-lock (only if no rackhand run is active)'],
    },
    release: { title: 'release the cluster lock', mutating: false, run: release },
  };
}

export default defineTask({
  summary: 'run a runbook: each step shown and asked for (--yes), under one lock; resumes at the first unfinished step',
  description: [
    'Steps are the runbook\'s ```rackhand blocks (one task call per line) and its - [ ] checklist items (manual steps',
    'the operator confirms). {{cluster}} is --cluster; other {{placeholders}} come from --set name=value. Each task runs',
    'with its own run record; after a failure or Ctrl-C the same command resumes at the first unfinished step.',
  ].join('\n'),
  example: 'npx tsx tasks runbook:run talos-rolling-upgrade --cluster home',
  flags: FLAGS,
  destructive: true,
  cluster: true,
  // the runbook takes the lock itself when the cluster answers; the target comes from rackhand.yaml
  lock: false,
  identityFrom: 'config',
  impl: runbookRun,
});
