// The life of one run: flags -> config -> preflight -> plan (probe state) -> confirm -> steps (undo on failure or
// Ctrl-C) -> postflight -> run record. Every exit path writes the record; exit codes come from exit.ts.
import { join } from 'node:path';
import { configPath, ConfigError, loadConfig, pickCluster, type ClusterConfig } from '../config.ts';
import { Executor } from '../exec.ts';
import { Redactor } from '../redact.ts';
import { runRecordPath, writeRunRecord, writeRunRecordSync, type CheckRecord, type Leftover, type RunRecord, type RunResult } from '../report.ts';
import { Kubectl } from '../tools/kubectl.ts';
import { identityMatchesConfig, readIdentity } from '../checks/identity.ts';
import { askOperator, confirm, describeTarget } from './confirm.ts';
import { ClusterLock, LEASE_SECONDS, LockHeld, LOCK_NAME, LOCK_NAMESPACE } from './lock.ts';
import { quoteArgv } from '../shell-quote.ts';
import { EXIT } from './exit.ts';
import { FlagError, parseFlags } from './flags.ts';
import { taskHelp } from './help.ts';
import type { IO } from './io.ts';
import { Logger } from './log.ts';
import { renderSteps, type PlannedStep } from './render.ts';
import { compensation, describeLeftover, type Compensation } from './compensate.ts';
import { summaryLines } from './summary.ts';
import { formatDuration } from '../patterns.ts';
import { Interrupted, interruptSignal, signalExitCode, trapSignals, type TrappedSignal } from './signals.ts';
import { sopsDecryptor } from '../config/sops.ts';
import { makeDollar, type Dollar } from './dollar.ts';
import { StepFailure, UsageError, type Check, type CheckResult, type Identity, type TaskContext, type TaskEntry, type FlagValues } from './types.ts';

export interface RunOptions {
  name: string;
  entry: TaskEntry;
  argv: string[];
  io: IO;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Tests inject an abort to simulate Ctrl-C; the engine also wires SIGINT, SIGTERM and SIGHUP to it. */
  interrupt?: AbortController;
  /** the finished run's record (redacted) and where it was written: run() returns it to scripts */
  onRecord?: (record: RunRecord, path: string | undefined) => void;
  /** the holder of a cluster lock an enclosing run (a runbook) holds: this run works under it, neither taking nor
   *  releasing it, and a lease held by that holder is not a conflict */
  heldLock?: string;
}

class Outcome extends Error {
  constructor(readonly result: RunResult, readonly exitCode: number, message: string, readonly remedy?: string) { super(message); }
}

export async function runTask(o: RunOptions): Promise<number> {
  const started = new Date();
  const redactor = new Redactor();
  const stateDir = o.env.RACKHAND_STATE_DIR ?? join(o.cwd, '.rackhand');
  const abort = o.interrupt ?? new AbortController();
  const record: RunRecord = {
    task: o.name, cluster: null, identity: null, flags: {}, dryRun: false, result: 'failed', exitCode: EXIT.failed,
    startedAt: started.toISOString(), finishedAt: '', durationMs: 0, steps: [], checks: [], commands: [], error: null, data: {},
  };
  let log = new Logger(o.io, redactor);
  let exec: Executor | undefined;
  let json = false;
  let planned: PlannedStep[] = [];
  let lock: ClusterLock | undefined;
  let comp: Compensation | undefined;
  // what the task asked to end with the run (a kubectl proxy it started): newest first, after undo
  const deferred: (() => Promise<void>)[] = [];
  let helpOnly = false;
  let notify: { on: 'failure' | 'always'; targets: import('../config/notify.ts').NotifyTarget[] } | undefined;
  const untrap = trapSignals({
    first: (sig) => { log.warning(`${sig}: stopping; cleanup and undo run now (${sig} again stops undo and lists what is left)`); abort.abort(new Interrupted(sig)); },
    again: (sig) => forcedExit(sig),
  });
  // A second signal while undo runs: kill the undo in flight, say what is left and how to finish by hand, exit 1.
  const forcedExit = (sig: TrappedSignal): void => {
    comp?.abort();
    const left: Leftover[] = comp ? comp.remaining(`not run: stopped by a second ${sig}`) : [];
    if (lock?.isHeld) left.push({ step: `cluster lock ${LOCK_NAMESPACE}/${LOCK_NAME}`, why: 'not released (it expires on its own 120 s after the last renewal)', byHand: [`kubectl delete lease -n ${LOCK_NAMESPACE} ${LOCK_NAME}`] });
    const first = interruptSignal(abort.signal) ?? sig;
    record.result = 'interrupted';
    record.exitCode = left.length ? EXIT.failed : signalExitCode(first);
    record.interrupted = first;
    const message = left.length ? `undo incomplete: stopped by a second ${sig}; left to do by hand:` : `stopped by a second ${sig}; nothing was left to undo`;
    if (left.length) record.leftover = left;
    record.error = { message: redactor.redact(message) };
    log.failure(message);
    for (const line of describeLeftover(left)) log.info(line);
    record.finishedAt = new Date().toISOString();
    record.durationMs = Date.now() - started.getTime();
    record.commands = exec ? exec.journal : [];
    try { log.info(`run record: ${writeRunRecordSync(stateDir, record, redactor)}`); } catch (e) { log.warning(`could not write the run record: ${(e as Error).message}`); }
    process.exit(record.exitCode);
  };

  try {
    // 1. Input: flags and config. Any problem here is exit 2 with nothing run.
    let flags;
    try {
      flags = parseFlags(o.argv, o.entry.flags).values;
      for (const [k, v] of Object.entries(o.entry.presetFlags ?? {})) {
        if (flags[k] !== undefined && flags[k] !== v) throw new FlagError(`--${k}: ${o.name} always runs with --${k} ${String(v)}`);
        flags[k] = v;
      }
    } catch (err) {
      if (err instanceof FlagError) throw new Outcome('refused', EXIT.usage, `${o.name}: ${err.message}`);
      throw err;
    }
    for (const [name, def] of Object.entries(o.entry.flags)) if (def.secret && typeof flags[name] === 'string') redactor.add(flags[name] as string);
    if (flags['notify-on'] && !flags.help) {
      const { notifyTargets } = await import('../notify/hook.ts');
      try {
        notify = { on: flags['notify-on'] as 'failure' | 'always', targets: await notifyTargets(flags.config as string | undefined, o.env, o.cwd) };
      } catch (err) {
        if (err instanceof UsageError || err instanceof ConfigError) throw new Outcome('refused', EXIT.usage, `${o.name}: ${err.message}`);
        throw err;
      }
    }
    record.flags = { ...flags };
    json = flags.json === true;
    record.dryRun = flags['dry-run'] === true;
    log = new Logger(o.io, redactor, flags.verbose === true);
    if (flags.help) {
      helpOnly = true;
      o.io.stdout.write(taskHelp(o.name, o.entry));
      record.result = 'nothing-to-do';
      record.exitCode = EXIT.ok;
      return EXIT.ok;
    }
    // before the config: reading it may take a command (sops for talenv.sops.yaml), recorded like any other
    exec = new Executor({
      dryRun: record.dryRun, env: o.env, signal: abort.signal, redactor, dryRunStdinLines: flags.verbose === true ? Infinity : 40,
      log: (line, kind) => (kind === 'dry-run' ? log.command(`[dry-run] ${line}`, true) : log.command(line)),
    });
    let cluster: ClusterConfig | undefined;
    if (o.entry.cluster) {
      try {
        const wanted = flags.cluster as string | undefined;
        cluster = pickCluster(await loadConfig(configPath(flags.config as string | undefined, o.env, o.cwd), { cluster: wanted }, o.env, sopsDecryptor(exec, o.env)), wanted);
      } catch (err) {
        if (err instanceof ConfigError) throw new Outcome('refused', EXIT.usage, err.message);
        throw err;
      }
      record.cluster = cluster.name;
      resolveNodeFlags(o.entry.flags, flags, cluster, log);
    }

    const ctx = makeContext(o, { flags: flags as TaskContext['flags'], exec, log, cluster, stateDir, record, abort, json, deferred, lockHolder: () => (lock?.isHeld ? lock.holder : o.heldLock) });
    const impl = (await o.entry.load()).default();
    try {
      impl.validate?.(ctx);
    } catch (err) {
      if (err instanceof UsageError) throw new Outcome('refused', EXIT.usage, `${o.name}: ${err.message}`);
      throw err;
    }

    // 2. Another destructive run on this cluster? Say so (exit 4) before judging a cluster it is busy changing.
    const locking = Boolean(o.entry.destructive && cluster && o.entry.lock !== false && !record.dryRun && flags['force-unlock'] !== true);
    if (locking) {
      const held = await new ClusterLock(ctx.kubectl, o.name).current().catch(() => undefined);
      if (held && !(o.heldLock && held.spec?.holderIdentity === o.heldLock)) throw lockHeld(new LockHeld(held.spec?.holderIdentity ?? 'unknown', held.spec?.acquireTime ?? 'unknown'), o.name, o.argv);
    }

    // 3. Preflight: refuse (exit 3) before anything changes.
    // The identity check runs alone and first: the others must not even read a cluster that is not the one named.
    const fromConfig = o.entry.identityFrom === 'config';
    if (!(await runChecks('preflight', cluster && !fromConfig ? [identityMatchesConfig] : [], ctx, record, log))
      || !(await runChecks('preflight', impl.preflight?.(ctx) ?? [], ctx, record, log))) {
      throw new Outcome('refused', EXIT.refused, 'preflight checks refused to start; nothing was changed');
    }
    const identity: Identity | null = !cluster ? null
      : fromConfig ? { cluster: cluster.name, context: cluster.context, apiServer: cluster.apiServer, nodes: cluster.nodes.map((n) => n.name) }
      : await readIdentity(ctx);
    record.identity = identity;

    // 4. Plan: observe state, probe every step (not when a signal arrived meanwhile: a check it cut short may have passed).
    if (abort.signal.aborted) throw abort.signal.reason;
    const steps = await impl.plan(ctx).catch((err: unknown) => {
      // an input only a tool can read (helmfile's state, a rendered machine config) found broken while planning
      if (err instanceof UsageError) throw new Outcome('refused', EXIT.usage, `${o.name}: ${err.message}`);
      throw err;
    });
    planned = steps.map((step) => ({ step, record: { title: step.title, status: 'pending', durationMs: 0, ...(step.mutating === false ? { readOnly: true as const } : {}) } }));
    record.steps = planned.map((p) => p.record);
    for (const p of planned) {
      const reason = p.step.isDone ? await p.step.isDone() : false;
      if (reason) { p.record.status = 'skipped'; p.record.reason = reason; }
    }
    const pending = planned.filter((p) => p.record.status === 'pending');
    if (pending.length === 0 && planned.length > 0) {
      for (const p of planned) log.info(`${p.step.title}: skipped, ${p.record.reason}`);
      log.success('nothing to do');
      await runChecks('postflight', impl.postflight?.(ctx) ?? [], ctx, record, log);
      record.result = 'nothing-to-do';
      record.exitCode = EXIT.ok;
      return EXIT.ok;
    }

    if (abort.signal.aborted) throw abort.signal.reason;
    // 5. Confirm destructive work, showing the plan and the target.
    if (o.entry.destructive && identity && pending.some((p) => p.step.mutating !== false)) {
      log.action(`plan for ${o.name}${record.dryRun ? ' (dry run: nothing will change)' : ''}:`);
      for (const p of planned) log.info(`  ${p.record.status === 'skipped' ? `skip  ${p.step.title} (${p.record.reason})` : `do    ${p.step.title}`}`);
      for (const line of describeTarget(identity)) log.info(line);
      const changes = impl.changes?.(ctx) ?? [];
      if (changes.length) {
        log.warning(`${record.dryRun ? 'would change' : 'this will change'}:`);
        for (const line of changes) log.info(`  ${line}`);
        record.data.changes = changes;
      }
      if (!record.dryRun) {
        const d = await confirm({ io: o.io, log, destructive: impl.confirmation?.(ctx) ?? o.entry.destructive, identity, yes: flags.yes === true, confirmCluster: flags['confirm-cluster'] as string | undefined, task: o.name });
        if (!d.go) throw new Outcome('refused', EXIT.refused, `refused: ${d.reason}; nothing was changed`, d.remedy);
      }
      // One destructive run per cluster at a time.
      if (o.heldLock) log.detail(`under the cluster lock held by ${o.heldLock}`);
      lock = o.entry.lock === false || o.heldLock ? undefined : new ClusterLock(ctx.kubectl, o.name, (why) => {
        log.failure(`${why}: stopping`);
        abort.abort(new Error(`${why}; the run stopped so two runs do not change the cluster at once`));
      });
      if (!lock) {
        // no lock for this task
      } else if (record.dryRun) {
        const held = await lock.current();
        if (held) log.warning(`the cluster lock is held by ${held.spec?.holderIdentity} since ${held.spec?.acquireTime}; a real run would exit 4`);
        lock = undefined;
      } else {
        try {
          await lock.acquire({ force: flags['force-unlock'] === true });
        } catch (err) {
          lock = undefined;
          if (err instanceof LockHeld) throw lockHeld(err, o.name, o.argv);
          throw err;
        }
      }
    }

    // 6. Steps. On failure or a signal: the running step's cleanup, then the done steps' undo, newest first.
    comp = compensation(planned, exec, log);
    let stepError: unknown;
    try {
      await renderSteps(planned, o.io, redactor, abort.signal, record.dryRun);
    } catch (err) {
      stepError = err;
    }
    const sig = interruptSignal(abort.signal);
    if (stepError !== undefined || sig) {
      const left = await comp.run();
      record.interrupted = sig;
      if (left.length) {
        record.leftover = left;
        throw new Outcome(sig ? 'interrupted' : 'failed', EXIT.failed,
          `undo incomplete${sig ? ` after ${sig}` : ''}: ${left.length} thing(s) left to put back by hand:\n${describeLeftover(left).join('\n')}`);
      }
      if (sig) throw new Outcome('interrupted', signalExitCode(sig), `interrupted (${sig}): ${undoneSummary(planned)}`);
      const failed = planned.find((p) => p.record.status === 'failed');
      throw new Outcome('failed', (stepError instanceof StepFailure ? stepError.exitCode : undefined) ?? EXIT.failed, `${failed ? `step "${failed.step.title}" failed: ` : ''}${(stepError as Error).message}`,
        stepError instanceof StepFailure ? stepError.remedy : undefined);
    }

    // 7. Postflight proves the result (a dry run changed nothing: there is no result to prove).
    if (record.dryRun && impl.postflight) log.info('dry run: postflight checks skipped');
    else if (!(await runChecks('postflight', impl.postflight?.(ctx) ?? [], ctx, record, log))) {
      const failedChecks = record.checks.filter((c) => c.phase === 'postflight' && !c.ok && !c.warning).map((c) => c.name);
      throw new Outcome('failed', EXIT.failed, `postflight checks failed: ${failedChecks.join(', ')}`);
    }
    record.result = 'success';
    record.exitCode = EXIT.ok;
    return EXIT.ok;
  } catch (err) {
    const sig = interruptSignal(abort.signal);
    if (sig) record.interrupted = sig;
    const out = err instanceof Outcome ? err : new Outcome(sig ? 'interrupted' : 'failed', sig ? signalExitCode(sig) : EXIT.failed, sig ? `interrupted (${sig}) before any step ran; nothing was changed` : (err as Error).message);
    record.result = out.result;
    record.exitCode = out.exitCode;
    record.error = { message: redactor.redact(out.message), ...(out.remedy ? { remedy: out.remedy } : {}) };
    log.failure(out.message);
    return out.exitCode;
  } finally {
    exec?.useSignal(undefined); // an interrupted run still releases its lock
    for (const f of deferred.reverse()) await f().catch((e: Error) => log.warning(`could not end ${e.message}`));
    await lock?.release().catch((e: Error) => log.warning(`could not release the cluster lock: ${e.message}`));
    untrap();
    const finished = new Date();
    record.finishedAt = finished.toISOString();
    record.durationMs = finished.getTime() - started.getTime();
    record.duration = formatDuration(record.durationMs);
    for (const st of record.steps) if (st.status !== 'pending' && st.status !== 'skipped') st.duration = formatDuration(st.durationMs);
    record.commands = exec ? exec.journal : [];
    if (notify && record.dryRun) log.info(`dry run: not notifying (--notify-on ${notify.on})`);
    else if (notify) {
      const { notifyRun } = await import('../notify/hook.ts');
      const sender = exec ?? new Executor({ dryRun: false, env: o.env, redactor });
      record.notifications = await notifyRun({
        ...notify, record, recordPath: runRecordPath(stateDir, record), exec: sender, env: o.env, redactor,
        log: (line, ok) => (ok ? log.info(line) : log.warning(line)),
      }).catch((e: Error) => { log.warning(`could not notify: ${e.message}`); return []; });
      record.commands = sender.journal;
    }
    const path = await writeRunRecord(stateDir, record, redactor).catch((e: Error) => { log.warning(`could not write the run record: ${e.message}`); return undefined; });
    if (!helpOnly) for (const line of summaryLines(record, path, record.error?.remedy)) log.info(line);
    if (json) o.io.stdout.write(`${JSON.stringify(redactor.redactDeep({ ...record, recordPath: path }), null, 2)}\n`);
    o.onRecord?.(redactor.redactDeep(record) as RunRecord, path);
  }
}

function lockHeld(err: LockHeld, task: string, argv: string[]): Outcome {
  const again = quoteArgv(['npx', 'tsx', 'tasks', task, ...argv.filter((a) => a !== '--force-unlock'), '--force-unlock']);
  return new Outcome('refused', EXIT.locked, `${err.message}; nothing was changed`,
    `wait for it to finish (the lease expires ${LEASE_SECONDS} s after its holder stops renewing), or if it died: ${again}`);
}

/** Checks run concurrently (they only read) and are reported in their declared order. */
async function runChecks(phase: 'preflight' | 'postflight', checks: Check[], ctx: TaskContext, record: RunRecord, log: Logger): Promise<boolean> {
  const results = await Promise.all(checks.map((check) => check.run(ctx).catch((err: Error): CheckResult => ({ ok: false, message: err.message }))));
  let ok = true;
  checks.forEach((check, i) => {
    const r = results[i]!;
    const entry: CheckRecord = { phase, name: check.name, ...r };
    record.checks.push(entry);
    if (r.ok) log.detail(`${phase}: ${check.name}: ${r.message}`);
    else if (r.warning) log.warning(`${phase}: ${check.name}: ${r.message}`);
    else {
      ok = false;
      log.failure(`${phase}: ${check.name}: ${r.message}`);
      if (r.remedy) log.info(`  next: ${r.remedy}`);
    }
  });
  return ok;
}

function undoneSummary(planned: PlannedStep[]): string {
  const undone = planned.filter((p) => p.record.status === 'undone').length;
  const cleaned = planned.filter((p) => p.record.cleanup === 'done').length;
  if (!undone && !cleaned) return 'nothing had been changed';
  return [undone ? `${undone} completed step(s) undone` : '', cleaned ? 'the interrupted step cleaned up' : ''].filter(Boolean).join(', ');
}

function makeContext(o: RunOptions, s: {
  flags: TaskContext['flags']; exec: Executor; log: Logger; cluster: ClusterConfig | undefined; stateDir: string; record: RunRecord; abort: AbortController; json: boolean;
  lockHolder: () => string | undefined; deferred: (() => Promise<void>)[];
}): TaskContext {
  let kubectl: Kubectl | undefined;
  let dollar: Dollar | undefined;
  const needCluster = (): ClusterConfig => {
    if (!s.cluster) throw new Error(`${o.name} is registered without a cluster`);
    return s.cluster;
  };
  return {
    task: o.name, flags: s.flags, dryRun: s.record.dryRun, yes: s.flags.yes === true, exec: s.exec, log: s.log,
    signal: s.abort.signal, env: o.env, cwd: o.cwd, stateDir: s.stateDir, data: s.record.data,
    get cluster() { return needCluster(); },
    get kubectl() {
      const c = needCluster();
      kubectl ??= new Kubectl(s.exec, { kubeconfig: c.kubeconfig, context: c.context });
      return kubectl;
    },
    out(text: string) { if (!s.json) o.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`); },
    interactive: o.io.interactive,
    passthrough: (argv, p) => s.exec.stream(argv, {
      mutating: p.mutating, timeoutMs: p.timeoutMs, stdout: s.json ? o.io.stderr : o.io.stdout, stderr: o.io.stderr,
      ...(p.env ? { env: p.env } : {}), ...(p.cwd ? { cwd: p.cwd } : {}),
      // the terminal is handed over only when it is this process's own
      terminal: Boolean(p.terminal && o.io.interactive && o.io.stdin === process.stdin),
    }),
    get $() { return (dollar ??= makeDollar(s.exec)); },
    get lockHolder() { return s.lockHolder(); },
    async runTask(name: string, argv: string[], opts: { heldLock?: string } = {}): Promise<RunRecord & { recordPath?: string }> {
      const registry = await (await import('./registry.ts')).loadRegistry({ env: o.env, cwd: o.cwd, ...(typeof s.flags.config === 'string' ? { config: s.flags.config } : {}) });
      const entry = registry[name];
      if (!entry) throw new StepFailure(`no task ${name}`, 'npx tsx tasks list');
      // the child stops when this run is interrupted; it runs under this run's lock
      const child = new AbortController();
      const stop = () => child.abort(s.abort.signal.reason);
      s.abort.signal.addEventListener('abort', stop, { once: true });
      let result: (RunRecord & { recordPath?: string }) | undefined;
      try {
        const holder = opts.heldLock ?? s.lockHolder();
        const code = await runTask({ name, entry, argv, io: o.io, env: o.env, cwd: o.cwd, interrupt: child, ...(holder ? { heldLock: holder } : {}), onRecord: (r, p) => { result = { ...r, ...(p ? { recordPath: p } : {}) }; } });
        return result ?? ({ task: name, exitCode: code } as RunRecord);
      } finally {
        s.abort.signal.removeEventListener('abort', stop);
      }
    },
    confirm: async (message: string) => (await askOperator({ io: o.io, yes: s.flags.yes === true, dryRun: s.record.dryRun, log: s.log, kind: 'confirm', message })) as boolean,
    question: async (message: string, q?: { default?: string }) => (await askOperator({ io: o.io, yes: s.flags.yes === true, dryRun: s.record.dryRun, log: s.log, kind: 'input', message, ...(q?.default !== undefined ? { default: q.default } : {}) })) as string,
    artifact(label: string, value: string) { (s.record.artifacts ??= []).push({ label, value }); },
    defer(f: () => Promise<void>) { s.deferred.push(f); },
  };
}

/** NODE=10.25.11.11 works like NODE=cp1: a node flag given a configured node's address (or its talhelper hostname)
 *  becomes that node's name, said once; anything else stays as typed for the task to judge. */
function resolveNodeFlags(defs: TaskEntry['flags'], flags: FlagValues, cluster: ClusterConfig, log: Logger): void {
  for (const [name, def] of Object.entries(defs)) {
    if (!def.nodeRef) continue;
    const map = (v: string) => {
      if (cluster.nodes.some((n) => n.name === v)) return v;
      const hit = cluster.nodes.find((n) => n.address === v || n.hostname === v);
      if (hit) log.info(`--${name} ${v} is node ${hit.name}`);
      return hit?.name ?? v;
    };
    const v = flags[name];
    if (typeof v === 'string') flags[name] = map(v);
    else if (Array.isArray(v)) flags[name] = v.map(map);
  }
}
