// Where configuration exports go: backups.configExport of the cluster (a restic repository, its secrets resolved from
// 1Password), the tags every export snapshot carries, and the private staging folder of one namespace.
import { join } from 'node:path';
import { UsageError, type TaskContext } from '../engine/types.ts';
import { resolveEnvRefs } from '../secrets/env-refs.ts';
import { Restic } from '../tools/restic.ts';

export const CONFIG_TAG = 'rackhand-config';
export const stagingDir = (ctx: TaskContext, ns: string) => join(ctx.stateDir, 'config-export', ctx.cluster.name, ns);

export function exportConfig(ctx: TaskContext) {
  const c = ctx.cluster.backups?.configExport;
  if (!c) throw new UsageError(`cluster ${ctx.cluster.name} has no backups.configExport in ${ctx.cluster.source}: expected {repository: {RESTIC_REPOSITORY, RESTIC_PASSWORD}, recipients: [age1...]}`);
  return c;
}

export async function configRepo(ctx: TaskContext): Promise<Restic> {
  return new Restic(ctx.exec, await resolveEnvRefs(ctx, exportConfig(ctx).repository, `clusters.${ctx.cluster.name}.backups.configExport.repository`));
}

