// media:fix — repairs what media:check finds and rackhand can repair safely, planned from the stack as it is now: a
// stale *arr key in Jellyseerr/Overseerr, a stale key in a Prowlarr application, a missing Prowlarr application, a
// missing remote path mapping. Shown as settings before -> after, applied only after confirmation (typed when several
// services change), one step per repair with its undo. Every inverse is in the run record (keys it needs are kept in
// a 0600 file beside the records), so `media:fix --undo RUN` puts them back later.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../lib/atomic-write.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { UsageError, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { runApiProxy } from '../../lib/k8s/api-proxy.ts';
import { describeUndo, planFixes, undoFix, type Fix, type UndoOp } from '../../lib/media/fixes.ts';
import { loadStack, type MediaStack } from '../../lib/media/stack.ts';
import { loadRunRecord } from '../../lib/run-records.ts';
import { mediaConfig } from '../../lib/media/config.ts';

async function readSecrets(file: string): Promise<Record<string, string>> {
  return JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as Record<string, string>;
}
async function keepSecrets(file: string, add: Record<string, string>): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, JSON.stringify({ ...await readSecrets(file), ...add }), 0o600);
}

async function stackOf(ctx: TaskContext): Promise<MediaStack> {
  const m = mediaConfig(ctx);
  const proxy = Object.values(m.services).some((s) => s.service) ? (await runApiProxy(ctx, ctx.flags.timeout as number)).base : undefined;
  return loadStack(ctx, m, proxy);
}

function fixSteps(ctx: TaskContext, stack: MediaStack, fixes: Fix[]): Step[] {
  const undoFile = join(ctx.stateDir, 'undo', `media-fix-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}.json`);
  const ops: UndoOp[] = [];
  ctx.data.undo = ops;
  return fixes.map((f) => {
    let done: UndoOp | undefined;
    return {
      title: `${f.service}: ${f.setting}: ${f.before} -> ${f.after}`,
      mutating: true,
      async run(rt) {
        if (ctx.dryRun) { rt.output(`would change ${f.service}: ${f.setting}`); return; }
        if (f.secrets) { await keepSecrets(undoFile, f.secrets); ctx.data.undoFile = undoFile; }
        done = await f.apply();
        ops.push(done);
      },
      async undo() { if (done) await undoFix(stack, done, await readSecrets(undoFile)); },
    } satisfies Step;
  });
}

async function undoSteps(ctx: TaskContext, stack: MediaStack, ref: string): Promise<Step[]> {
  const { path, record } = await loadRunRecord(ctx.stateDir, ref, ctx.cwd);
  if (record.task !== 'media:fix' || record.cluster !== ctx.cluster.name) throw new UsageError(`--undo ${ref}: ${path} is a ${record.task} run on ${record.cluster ?? 'no cluster'}, expected a media:fix run on ${ctx.cluster.name}`);
  const ops = ((record.data.undo ?? []) as UndoOp[]).slice().reverse();
  if (!ops.length) throw new UsageError(`--undo ${ref}: that run changed nothing (no undo in ${path})`);
  const file = record.data.undoFile as string | undefined;
  ctx.data.undoing = path;
  const steps: Step[] = ops.map((u) => ({
    title: `undo ${describeUndo(u)}`,
    mutating: u.op !== 'none',
    ...(u.op === 'none' ? { isDone: async () => u.why } : {}),
    async run(rt) {
      if (ctx.dryRun) { rt.output(`would ${describeUndo(u)}`); return; }
      await undoFix(stack, u, file ? await readSecrets(file) : {});
    },
  }));
  if (file) steps.push({ title: `forget the previous keys kept in ${file}`, mutating: true, async run() { if (!ctx.dryRun) await rm(file, { force: true }); } });
  return steps;
}

function fix() {
  let lines: string[] = [];
  let services = 0;
  return {
    validate(ctx: TaskContext) { mediaConfig(ctx); },
    async plan(ctx: TaskContext): Promise<Step[]> {
      const stack = await stackOf(ctx);
      if (ctx.flags.undo) {
        const steps = await undoSteps(ctx, stack, ctx.flags.undo as string);
        lines = steps.map((s) => s.title);
        services = new Set(steps.map((s) => s.title.split(':')[0])).size;
        return steps;
      }
      const fixes = await planFixes(ctx, stack);
      ctx.data.fixes = fixes.map((f) => ({ service: f.service, setting: f.setting, before: f.before, after: f.after }));
      lines = fixes.map((f) => `${f.service}: ${f.setting}: ${f.before} -> ${f.after}`);
      services = new Set(fixes.map((f) => f.service)).size;
      if (!fixes.length) return [{ title: 'repair the media stack', mutating: false, isDone: async () => 'nothing rackhand can repair (media:check lists what is left)', async run() { /* nothing */ } }];
      return fixSteps(ctx, stack, fixes);
    },
    changes: () => lines,
    confirmation: () => (services > 1 ? 'typed' as const : true),
  };
}

export default defineTask({
  summary: 'repair the media stack from media:check\'s findings (stale keys, Prowlarr applications, remote path mappings), shown first; --undo RUN puts them back',
  example: 'npx tsx tasks media:fix --cluster home',
  flags: {
    undo: { type: 'string', description: 'put back what an earlier media:fix run changed (its run record path or file name)' },
    timeout: { type: 'duration', default: 300_000, description: 'deadline for the whole run' },
    'confirm-cluster': { type: 'string', description: 'with --yes, when several services change: the cluster name, as the typed confirmation' },
  },
  destructive: true,
  cluster: true,
  impl: fix,
});
