// What a task declares and what it gets at run time. Tasks are plain data plus a few functions: flags as data,
// preflight checks, a plan that observes real state and returns steps, postflight checks.
import type { ClusterConfig } from '../config.ts';
import type { Executor, ExecResult } from '../exec.ts';
import type { Kubectl } from '../tools/kubectl.ts';
import type { Logger } from './log.ts';
import type { Dollar } from './dollar.ts';
import type { RunRecord } from '../report.ts';

export type FlagType = 'string' | 'boolean' | 'number' | 'duration' | 'list';

export interface FlagDef {
  type: FlagType;
  description: string;
  /** Default value, in the flag's parsed form (durations in ms). */
  default?: string | number | boolean;
  choices?: readonly string[];
  /** Values must match; `hint` says what was expected ("a node name like cp1"). */
  pattern?: RegExp;
  hint?: string;
  required?: boolean;
  /** Never printed, logged or recorded; registered with the executor's redactor. */
  secret?: boolean;
  short?: string;
  /** the task's one positional argument fills this flag (`runbook:run NAME`) */
  positional?: boolean;
  /** a list flag that takes every argument after `--`, as they are (`k8s:exec --app x -- ls -la /config`) */
  rest?: boolean;
  /** names a node of the cluster: a configured node's address or hostname is taken for its name (NODE=10.0.0.11) */
  nodeRef?: boolean;
}

export type FlagDefs = Record<string, FlagDef>;
export type FlagValues = Record<string, string | number | boolean | string[] | undefined>;

/** How much confirmation a task needs: none, yes/no, or typing the cluster name. */
export type Destructive = false | true | 'typed';

/** The light registry entry: everything `tasks list` and `--help` need, nothing that imports an implementation. */
export interface TaskEntry {
  summary: string;
  description?: string;
  example: string;
  flags: FlagDefs;
  destructive: Destructive;
  /** false for tasks that do not talk to a configured cluster (lab:*). */
  cluster: boolean;
  /** Destructive tasks take the cluster lock (a Lease) unless this is false: disaster tasks that must work while the
   *  API server is down (etcd restore, reset of a broken node) cannot rely on it. */
  lock?: boolean;
  /** Where the target identity comes from: the kubeconfig (default; checked against rackhand.yaml before anything
   *  runs), or rackhand.yaml alone for tasks that create the cluster and its kubeconfig (bootstrap), which must
   *  check the kubeconfig themselves once they have fetched it. */
  identityFrom?: 'kubeconfig' | 'config';
  /** Flags an alias fixes (bootstrap:infra = bootstrap:cluster --cluster infra); a different value is refused. */
  presetFlags?: FlagValues;
  /** The task file (discovered) and where it comes from (rackhand, or the operator's folder) */
  source?: string;
  origin?: string;
  /** The implementation module; its default export makes a fresh TaskImpl for each run. */
  load: () => Promise<{ default: () => TaskImpl }>;
}

export interface CheckResult { ok: boolean; message: string; remedy?: string; warning?: boolean }
export interface Check { name: string; run(ctx: TaskContext): Promise<CheckResult> }

export interface StepRuntime {
  /** A progress line under the step (listr2 task.output). */
  output(text: string): void;
}

export interface Step {
  title: string;
  /** Probe of real state: a reason string when the step has nothing to do (shown as "skipped: <reason>"). */
  isDone?(): Promise<string | false>;
  run(rt: StepRuntime): Promise<void>;
  /** Puts back what run() changed; runs when a later step fails or the run is interrupted. */
  undo?(): Promise<void>;
  /** Compensation for a run() that started and did not finish (it failed, hit its deadline or was interrupted).
   *  Declared with the step, so it exists before the step changes anything; must be idempotent (it may find nothing
   *  to do). Runs first, before the done steps' undo. */
  cleanup?(): Promise<void>;
  /** The exact commands an operator runs by hand when this step's undo or cleanup could not run (a second signal, a
   *  failed undo). Shown and recorded under "left to undo". */
  byHand?: string[];
  /** Deadline for this step's undo or cleanup (default 2 minutes). */
  undoTimeoutMs?: number;
  /** Mutating steps need confirmation on destructive tasks; read-only steps (observe, wait) do not count. */
  mutating?: boolean;
}

/** The value a flag of definition D parses to: booleans, numbers (durations in ms), string lists, strings. */
export type FlagValueOf<D extends FlagDef> = FlagDef extends D ? string | number | boolean | string[] // not declared: any
  : D['type'] extends 'boolean' ? boolean
  : D['type'] extends 'number' | 'duration' ? number
  : D['type'] extends 'list' ? string[]
  : D extends { choices: readonly (infer C)[] } ? C : string;

/** The parsed flags of a task declaring F: a flag with a default (or required) always has a value. */
export type FlagsOf<F extends FlagDefs> = {
  [K in keyof F]: F[K] extends { default: unknown } | { required: true } ? FlagValueOf<F[K]> : FlagValueOf<F[K]> | undefined
};

/** The global flags every task gets (lib/engine/flags.ts GLOBAL_FLAGS). */
// a type alias (not an interface): assignable to FlagValues, so typed contexts pass to helpers taking any context
export type GlobalFlagValues = {
  cluster?: string;
  config?: string;
  'dry-run': boolean;
  yes: boolean;
  json: boolean;
  verbose: boolean;
  'force-unlock': boolean;
  help: boolean;
};

export interface TaskImpl<F extends FlagDefs = FlagDefs> {
  /** Checks input against config before ANY command runs; throw UsageError (exit 2) naming the field. */
  validate?: (ctx: TaskContext<F>) => void;
  preflight?: (ctx: TaskContext<F>) => Check[];
  plan(ctx: TaskContext<F>): Promise<Step[]>;
  postflight?: (ctx: TaskContext<F>) => Check[];
  /** Exactly what this run will change or destroy (the node to reset, the volume to overwrite and the snapshot it
   *  gets), shown with the plan and the target before any confirmation. Called after plan(). */
  changes?: (ctx: TaskContext<F>) => string[];
  /** Raises the confirmation a run needs from its flags (a forced downgrade wants the cluster name typed). */
  confirmation?: (ctx: TaskContext<F>) => Destructive;
}

/** The cluster a destructive run targets, shown before any confirmation. */
export interface Identity {
  cluster: string;
  context: string;
  apiServer: string;
  nodes: string[];
}

export interface TaskContext<F extends FlagDefs = FlagDefs> {
  task: string;
  /** typed from the task's flag definitions when it is declared with defineTask */
  flags: FlagsOf<F> & GlobalFlagValues;
  dryRun: boolean;
  yes: boolean;
  exec: Executor;
  log: Logger;
  signal: AbortSignal;
  env: Record<string, string | undefined>;
  cwd: string;
  /** `.rackhand/` (or RACKHAND_STATE_DIR): run records, snapshots, lab state. */
  stateDir: string;
  /** Throws for tasks registered with cluster: false. */
  readonly cluster: ClusterConfig;
  readonly kubectl: Kubectl;
  /** Structured result the task wants in the run record (and in --json). */
  data: Record<string, unknown>;
  /** Primary output (a status table, export lines): stdout unless --json. */
  out(text: string): void;
  /** Runs a command whose output the operator watches as it comes (logs that follow, a command in a pod): its stdout
   *  to stdout (stderr under --json), its stderr to stderr, redacted. `terminal`: it gets the terminal itself (a shell
   *  in a pod) when this run has one; otherwise its stdin is closed. */
  passthrough(argv: string[], o: { mutating: boolean; timeoutMs: number; terminal?: boolean; env?: Record<string, string>; cwd?: string }): Promise<ExecResult>;
  /** a terminal is attached (stdin and stderr), and not CI */
  readonly interactive: boolean;
  /** zx-style commands through the engine: `await ctx.$\`kubectl get ns\``, `ctx.$.mutating\`kubectl apply ...\``
   *  (lib/engine/dollar.ts): argv (never a shell), deadline, redaction, the run record; --dry-run prints mutating ones */
  readonly $: Dollar;
  /** the cluster lock this run works under (its own, or an enclosing runbook's), if any */
  readonly lockHolder: string | undefined;
  /** runs another task as the CLI would (argv as typed after the task name), under this run's lock, with its own
   *  run record, returned; an interrupt of this run stops it */
  runTask(name: string, argv: string[], o?: { heldLock?: string }): Promise<RunRecord & { recordPath?: string }>;
  /** a yes/no question through rackhand's confirmation: --yes answers yes; no terminal and no --yes stops the run */
  confirm(message: string): Promise<boolean>;
  /** a question with a typed answer: --yes takes the default (none: the run stops); no terminal stops the run */
  question(message: string, o?: { default?: string }): Promise<string>;
  /** Something the run produced that the operator keeps (an etcd snapshot, a report): listed in the summary at the
   *  end of the run and in the run record. */
  artifact(label: string, value: string): void;
  /** Ends something the run holds (a `kubectl proxy` it started) when the run ends, however it ends: after the steps,
   *  their cleanup and undo, before the run record is written. Newest first. */
  defer(f: () => Promise<void>): void;
}

/** Bad input found by a task's validate(): exit 2, nothing ran. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A step failure that names the failing thing and the next command to run. */
export class StepFailure extends Error {
  /** exitCode: when the failure is not a plain 1 (doctor: 2 for a broken file) */
  constructor(message: string, readonly remedy?: string, readonly exitCode?: number) {
    super(message);
    this.name = 'StepFailure';
  }
}
