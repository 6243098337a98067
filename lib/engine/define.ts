// A task is one file: `export default defineTask({...})` with its metadata (what `list` and `--help` show) and its
// implementation. Flag definitions are declared `const`, so ctx.flags is typed from them. Built-in tasks and an
// operator's own tasks use this same function (imported from the package root, `rackhand`).
import type { Destructive, FlagDefs, FlagValues, TaskImpl } from './types.ts';

/** Another name for the task with some flags fixed (bootstrap:infra = bootstrap:cluster --cluster infra). */
export interface TaskAlias { summary?: string; example?: string; presetFlags: FlagValues }

/** What `list` and `--help` need: plain data, cached between runs (lib/engine/discover.ts). */
export interface TaskMeta<F extends FlagDefs = FlagDefs> {
  summary: string;
  description?: string;
  example?: string;
  flags: F;
  /** false, true (yes/no confirmation) or 'typed' (the cluster name must be typed) */
  destructive: Destructive;
  /** the task talks to a cluster of rackhand.yaml (--cluster) */
  cluster: boolean;
  /** destructive tasks take the cluster lock unless false */
  lock?: boolean;
  identityFrom?: 'kubeconfig' | 'config';
  aliases?: Record<string, TaskAlias>;
}

export interface TaskDefinition<F extends FlagDefs = FlagDefs> extends TaskMeta<F> {
  /** a fresh implementation per run (its closures hold the run's state) */
  impl: () => TaskImpl<F>;
  /** marks the default export of a task file (checked by discovery, across module copies) */
  readonly rackhandTask: 1;
}

export function defineTask<const F extends FlagDefs = Record<never, never>>(d: TaskMeta<F> & { impl: () => TaskImpl<NoInfer<F>> }): TaskDefinition<F> {
  return { ...d, rackhandTask: 1 };
}

export const isTaskDefinition = (v: unknown): v is TaskDefinition => !!v && typeof v === 'object' && (v as { rackhandTask?: unknown }).rackhandTask === 1 && typeof (v as { impl?: unknown }).impl === 'function';
