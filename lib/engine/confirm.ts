// Confirmation before destructive work: the plan and the exact target are shown first; --yes skips the question;
// without a terminal and without --yes the run refuses; the most destructive tasks want the cluster name typed.
// @inquirer/prompts is imported only here, and only when a question is really asked.
import type { IO } from './io.ts';
import type { Logger } from './log.ts';
import type { Destructive, Identity } from './types.ts';

export type Decision = { go: true } | { go: false; reason: string; remedy?: string };

export function describeTarget(identity: Identity): string[] {
  return [
    `cluster:    ${identity.cluster}`,
    `context:    ${identity.context}`,
    `API server: ${identity.apiServer}`,
    `nodes:      ${identity.nodes.join(', ')}`,
  ];
}

export async function confirm(o: {
  io: IO; log: Logger; destructive: Destructive; identity: Identity; yes: boolean; confirmCluster?: string; task: string;
}): Promise<Decision> {
  const { identity } = o;
  if (o.destructive === 'typed' && o.yes) {
    if (o.confirmCluster === identity.cluster) return { go: true };
    return { go: false, reason: `--yes on ${o.task} also needs --confirm-cluster ${identity.cluster}`, remedy: `add --confirm-cluster ${identity.cluster}` };
  }
  if (o.yes) return { go: true };
  if (!o.io.interactive) {
    return { go: false, reason: 'destructive task, no terminal to confirm on, and no --yes', remedy: 're-run with --yes (automation) or from a terminal' };
  }
  const { confirm: ask, input } = await import('@inquirer/prompts');
  // Inquirer ends the output stream it is given when the prompt closes: hand it a pipe, not our stderr.
  const { PassThrough } = await import('node:stream');
  const output = new PassThrough();
  output.pipe(o.io.stderr, { end: false });
  const context = { input: o.io.stdin, output, signal: AbortSignal.timeout(10 * 60_000) };
  try {
    if (o.destructive === 'typed') {
      const typed = await input({ message: `Type the cluster name (${identity.cluster}) to continue:` }, context);
      return typed.trim() === identity.cluster ? { go: true } : { go: false, reason: `typed "${typed.trim()}", not "${identity.cluster}"` };
    }
    const ok = await ask({ message: `Run ${o.task} against cluster ${identity.cluster} (${identity.apiServer})?`, default: false }, context);
    return ok ? { go: true } : { go: false, reason: 'not confirmed' };
  } catch (err) {
    return { go: false, reason: `no answer (${(err as Error).name})` };
  }
}

/** A task's own question (ctx.confirm / ctx.question): --yes (and --dry-run) answer a yes/no question with yes and
 *  a question with its default; with no terminal and no --yes the run stops (a StepFailure naming the question), as
 *  for any confirmation. */
export async function askOperator(o: { io: IO; yes: boolean; dryRun: boolean; log: Logger; kind: 'confirm' | 'input'; message: string; default?: string }): Promise<boolean | string> {
  const { StepFailure } = await import('./types.ts');
  // a dry run changes nothing, so it goes on as if the answer were yes (or the default), and says it would ask
  if (o.dryRun && (o.kind === 'confirm' || o.default !== undefined)) {
    o.log.info(`[dry-run] would ask: ${o.message}`);
    return o.kind === 'confirm' ? true : o.default!;
  }
  if (o.yes) {
    if (o.kind === 'confirm') return true;
    if (o.default !== undefined) return o.default;
    throw new StepFailure(`--yes cannot answer "${o.message}" (it has no default)`, 'run it from a terminal, or give the value as a flag');
  }
  if (!o.io.interactive) throw new StepFailure(`no terminal to answer "${o.message}" and no --yes`, 're-run with --yes (automation) or from a terminal');
  const { confirm: ask, input } = await import('@inquirer/prompts');
  const { PassThrough } = await import('node:stream');
  const output = new PassThrough();
  output.pipe(o.io.stderr, { end: false });
  const context = { input: o.io.stdin, output, signal: AbortSignal.timeout(10 * 60_000) };
  return o.kind === 'confirm'
    ? ask({ message: o.message, default: false }, context)
    : input({ message: o.message, ...(o.default !== undefined ? { default: o.default } : {}) }, context);
}
