// Pausing and unpausing ReplicationSources for maintenance (spec.paused: VolSync stops scheduling syncs; backube/volsync
// api/v1alpha1 ReplicationSourceSpec.Paused), with a mark on the ones rackhand paused so the way back touches only those.
import type { TaskContext } from '../engine/types.ts';
import { RS, type ReplicationSource } from './types.ts';

export const PAUSED_BY = 'rackhand.dev/paused-by';

export function sourcesIn(ctx: TaskContext, namespace?: string): Promise<ReplicationSource[]> {
  return ctx.kubectl.list<ReplicationSource>(RS, namespace ? { namespace } : { allNamespaces: true });
}

export function pauseSource(ctx: TaskContext, rs: ReplicationSource, paused: boolean): Promise<unknown> {
  const body = paused ? { metadata: { annotations: { [PAUSED_BY]: ctx.task } }, spec: { paused: true } } : { metadata: { annotations: { [PAUSED_BY]: null } }, spec: { paused: false } };
  return ctx.kubectl.mutate(['patch', RS, rs.metadata.name, '--namespace', rs.metadata.namespace!, '--type', 'merge', '-p', JSON.stringify(body)]);
}
