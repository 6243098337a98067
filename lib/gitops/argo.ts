// Pausing Argo CD for a change it would otherwise undo: automated sync off on the Application (self-heal would put
// replicas back), and first on its ApplicationSet's template when the set would put the Application's syncPolicy back
// (it does unless spec.ignoreApplicationDifferences lists /spec/syncPolicy: argo-cd docs, ApplicationSet "Controlling
// if/when the ApplicationSet controller modifies Application resources"). What was there is kept in an annotation on
// the object itself (rackhand.dev/paused-sync), so the restore puts back exactly that, from any workstation, and only
// where rackhand turned it off: an Application whose auto-sync an operator turned off stays off.
import type { Step, TaskContext } from '../engine/types.ts';
import { quoteArgv } from '../shell-quote.ts';
import type { KubeObject } from '../tools/kube-types.ts';

export const APP = 'applications.argoproj.io';
export const APPSET = 'applicationsets.argoproj.io';
export const PAUSED_SYNC = 'rackhand.dev/paused-sync';

export interface ArgoRef { resource: typeof APP | typeof APPSET; name: string; namespace: string }
type SyncPolicy = { automated?: Record<string, unknown> | null };
export type ArgoObject = KubeObject<{ syncPolicy?: SyncPolicy; template?: { spec?: { syncPolicy?: SyncPolicy } }; ignoreApplicationDifferences?: { jsonPointers?: string[] }[] }>;

const label = (r: ArgoRef) => `${r.resource === APP ? 'Application' : 'ApplicationSet'} ${r.namespace}/${r.name}`;
const automatedOf = (r: ArgoRef, o: ArgoObject) => (r.resource === APP ? o.spec?.syncPolicy?.automated : o.spec?.template?.spec?.syncPolicy?.automated);
/** a merge patch setting `automated` where this kind keeps it (null removes it: RFC 7386) */
const syncPatch = (r: ArgoRef, automated: unknown) => (r.resource === APP ? { spec: { syncPolicy: { automated } } } : { spec: { template: { spec: { syncPolicy: { automated } } } } });

/** Whether the set puts an Application's syncPolicy back when it differs from the template. */
export function setRevertsSyncPolicy(set: ArgoObject): boolean {
  return !(set.spec?.ignoreApplicationDifferences ?? []).some((d) => (d.jsonPointers ?? []).some((p) => p === '/spec/syncPolicy' || p === '/spec/syncPolicy/automated'));
}

function patchLine(r: ArgoRef, body: unknown): string {
  return quoteArgv(['kubectl', 'patch', r.resource, r.name, '--namespace', r.namespace, '--type', 'merge', '-p', JSON.stringify(body)]);
}

/** One step turning automated sync off on `r` (undo: back as it was). `viaSet`: the ApplicationSet paused just before,
 *  which has already taken automated off the Application (its template propagates): what the Application had is
 *  then what the set's template had. */
export function pauseSyncStep(ctx: TaskContext, r: ArgoRef, viaSet?: ArgoRef): Step {
  const get = () => ctx.kubectl.get<ArgoObject>(r.resource, r.name, r.namespace);
  const setKept = async () => (viaSet ? (await ctx.kubectl.get<ArgoObject>(viaSet.resource, viaSet.name, viaSet.namespace))?.metadata.annotations?.[PAUSED_SYNC] : undefined);
  const patch = (body: unknown) => ctx.kubectl.mutate(['patch', r.resource, r.name, '--namespace', r.namespace, '--type', 'merge', '-p', JSON.stringify(body)]);
  const restore = async () => {
    const o = await get();
    const kept = o?.metadata.annotations?.[PAUSED_SYNC];
    if (kept) await patch({ metadata: { annotations: { [PAUSED_SYNC]: null } }, ...syncPatch(r, JSON.parse(kept)) });
  };
  return {
    title: `turn Argo CD auto-sync off on ${label(r)}`,
    async isDone() {
      const o = await get();
      if (!o) return `${label(r)} does not exist`;
      if (automatedOf(r, o)) return false;
      if (o.metadata.annotations?.[PAUSED_SYNC]) return 'already off, by rackhand (an earlier run)';
      if (viaSet && (await setKept())) return false;
      return 'auto-sync is off already (someone else\'s choice): it stays off';
    },
    async run(rt) {
      const o = await get();
      const kept = viaSet ? await setKept() : undefined;
      const automated = (o ? automatedOf(r, o) : undefined) ?? (kept ? JSON.parse(kept) as Record<string, unknown> : undefined);
      await patch({ metadata: { annotations: { [PAUSED_SYNC]: JSON.stringify(automated ?? {}) } }, ...syncPatch(r, null) });
      rt.output(`${label(r)}: automated sync off (was ${JSON.stringify(automated ?? {})})`);
    },
    cleanup: restore,
    undo: restore,
    byHand: [patchLine(r, { metadata: { annotations: { [PAUSED_SYNC]: null } }, ...syncPatch(r, { prune: true, selfHeal: true }) }) + '   # the automated settings it had'],
  };
}

/** The final step: automated sync back where rackhand turned it off (nothing where it did not). */
export function resumeSyncStep(ctx: TaskContext, refs: ArgoRef[]): Step {
  return {
    title: `turn Argo CD auto-sync back on: ${refs.map(label).join(', ')}`,
    async run(rt) {
      for (const r of refs) {
        const o = await ctx.kubectl.get<ArgoObject>(r.resource, r.name, r.namespace);
        const kept = o?.metadata.annotations?.[PAUSED_SYNC];
        if (!kept && !ctx.dryRun) continue;
        await ctx.kubectl.mutate(['patch', r.resource, r.name, '--namespace', r.namespace, '--type', 'merge', '-p', JSON.stringify({ metadata: { annotations: { [PAUSED_SYNC]: null } }, ...syncPatch(r, kept ? JSON.parse(kept) : {}) })]);
        rt.output(ctx.dryRun ? `would turn auto-sync back on for ${label(r)}` : `${label(r)}: automated sync back on (${kept})`);
      }
    },
  };
}
