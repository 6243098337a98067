// The package root (`import { defineTask } from 'rackhand'`): what an operator's own task needs to be a task like
// the built-in ones -- the definition function, the step/check/context types, the errors that map to exit codes, and
// the deadline-bound wait.
export { defineTask, type TaskAlias, type TaskDefinition, type TaskMeta } from './engine/define.ts';
export { StepFailure, UsageError } from './engine/types.ts';
export type { Check, CheckResult, Destructive, FlagDef, FlagDefs, FlagsOf, Step, StepRuntime, TaskContext, TaskImpl } from './engine/types.ts';
export { waitUntil } from './wait.ts';
