// The scratch namespace a DR drill restores into: named after the app, labelled as rackhand's, holding a copy of the
// repository Secret (a ReplicationDestination reads its Secret from its own namespace) and never a
// ReplicationSource (one there would start backing up the scratch copy into the production repository).
import { createHash } from 'node:crypto';
import type { TaskContext } from '../engine/types.ts';
import type { KubeObject } from '../tools/kube-types.ts';
import { deleteAndWait } from '../k8s/gone.ts';

export const DRILL_LABEL = 'rackhand.dev/drill';

/** `rackhand-drill-<app>`, cut to the 63 characters a namespace may have (a hash keeps long names distinct). */
export function scratchNamespace(app: string): string {
  const name = `rackhand-drill-${app}`;
  if (name.length <= 63) return name;
  const hash = createHash('sha256').update(app).digest('hex').slice(0, 8);
  return `${name.slice(0, 54).replace(/-+$/, '')}-${hash}`;
}

export async function createScratch(ctx: TaskContext, ns: string, app: { name: string; namespace: string }): Promise<void> {
  await ctx.kubectl.apply({
    apiVersion: 'v1', kind: 'Namespace',
    metadata: { name: ns, labels: { [DRILL_LABEL]: `${app.namespace}.${app.name}`, 'app.kubernetes.io/managed-by': 'rackhand' } },
  });
}

/** Copies the repository Secret's data (values pass through stdin only, and are registered as secrets first). */
export async function copySecret(ctx: TaskContext, name: string, from: string, to: string): Promise<void> {
  const s = await ctx.kubectl.get<KubeObject & { type?: string; data?: Record<string, string> }>('secret', name, from);
  if (!s) throw new Error(`repository Secret ${from}/${name} does not exist`);
  for (const v of Object.values(s.data ?? {})) ctx.exec.registerSecret(Buffer.from(v, 'base64').toString('utf8'));
  await ctx.kubectl.apply({
    apiVersion: 'v1', kind: 'Secret', type: s.type ?? 'Opaque',
    metadata: { name, namespace: to, labels: { 'app.kubernetes.io/managed-by': 'rackhand' } },
    data: s.data ?? {},
  });
}

/** Deletes the namespace (and with it the ReplicationDestination, the restored PVC, the Job and the Secret copy) and
 *  waits until it is gone, so the next drill starts clean. */
export async function deleteScratch(ctx: TaskContext, ns: string, timeoutMs: number): Promise<void> {
  await deleteAndWait(ctx, 'namespace', ns, undefined, timeoutMs);
}
