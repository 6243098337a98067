// The package root (`import { defineTask } from 'rackhand'`): what an operator's own task needs to be a task like
// the built-in ones -- the definition function, the step/check/context types, the errors that map to exit codes, and
// the deadline-bound wait.
export { defineTask, type TaskAlias, type TaskDefinition, type TaskMeta } from './engine/define.ts';
export { StepFailure, UsageError } from './engine/types.ts';
export type { Check, CheckResult, Destructive, FlagDef, FlagDefs, FlagsOf, Step, StepRuntime, TaskContext, TaskImpl } from './engine/types.ts';
export { waitUntil } from './wait.ts';
export { backupsFresh, certificatesValid, findingsCheck, mediaStackHealthy, tlsEndpointsValid } from './checks/health.ts';
export { run, runAll, type RunApiOptions, type RunFlags, type TaskCall } from './engine/api.ts';
export type { RunRecord } from './report.ts';
export { CommandOutput, type Dollar, type DollarOptions } from './engine/dollar.ts';
// zx's helpers that fit a task (google/zx: retry with backoff, sleep, glob, fs-extra, YAML); its `$` is not used:
// ctx.$ runs commands through the engine without a shell
export { expBackoff, fs, glob, retry, sleep, YAML } from 'zx';
