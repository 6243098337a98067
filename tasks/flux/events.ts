// flux:events — what the Flux controllers said lately, as one table: the Kubernetes Events of Kustomizations,
// HelmReleases and sources (the events their event recorders write: fluxcd/pkg runtime/events), newest last, for one
// object (--kind/--name), an app (--app: its Kustomization and HelmRelease), or every Flux object; --since (default
// 1h) and --warnings narrow it. Read-only. Better than `kubectl get events -A | grep -i flux` or `flux events`
// per namespace: an app's Kustomization and HelmRelease together, across namespaces, Warnings first-class.
import { defineTask } from '../../lib/engine/define.ts';
import type { TaskContext } from '../../lib/engine/types.ts';
import { FLUX_KINDS } from '../../lib/flux/kinds.ts';
import { selectTargets, TARGET_FLAGS, validateTarget } from '../../lib/flux/select.ts';
import { formatDuration } from '../../lib/patterns.ts';
import { table } from '../../lib/table.ts';
import type { KubeObject } from '../../lib/tools/kube-types.ts';

type Event = KubeObject & {
  involvedObject: { kind: string; namespace?: string; name: string };
  reason?: string; type?: string; message?: string; count?: number;
  lastTimestamp?: string; eventTime?: string; firstTimestamp?: string;
  source?: { component?: string }; reportingComponent?: string;
};

const when = (e: Event) => e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? '';

function events() {
  return {
    validate(ctx: TaskContext) { validateTarget(ctx, { required: false }); },
    async plan(ctx: TaskContext) {
      return [{
        title: 'read the Events of Flux objects',
        mutating: false,
        async run() {
          const targets = await selectTargets(ctx);
          const kinds = new Set(FLUX_KINDS.map((k) => k.kind));
          const wanted = targets && new Set(targets.map((t) => `${t.ref.kind}/${t.ref.namespace}/${t.ref.name}`));
          const since = Date.now() - (ctx.flags.since as number);
          const ns = ctx.flags.namespace as string | undefined;
          const all = await ctx.kubectl.list<Event>('events', ns && !ctx.flags.app && !ctx.flags.name ? { namespace: ns } : { allNamespaces: true });
          const picked = all.filter((e) => kinds.has(e.involvedObject.kind)
            && (!wanted || wanted.has(`${e.involvedObject.kind}/${e.involvedObject.namespace}/${e.involvedObject.name}`))
            && (!ctx.flags.warnings || e.type === 'Warning')
            && Date.parse(when(e)) >= since)
            .sort((a, b) => when(a).localeCompare(when(b)));
          ctx.data.events = picked.map((e) => ({ at: when(e), type: e.type, object: `${e.involvedObject.kind}/${e.involvedObject.namespace}/${e.involvedObject.name}`, reason: e.reason, message: e.message }));
          if (!picked.length) { ctx.out(`no ${ctx.flags.warnings ? 'Warning ' : ''}event of ${targets ? targets.map((t) => `${t.ref.kind} ${t.ref.namespace}/${t.ref.name}`).join(', ') || 'the selected objects' : 'any Flux object'} in the last ${formatDuration(ctx.flags.since as number)}`); return; }
          ctx.out(table(['LAST SEEN', 'TYPE', 'OBJECT', 'REASON', 'MESSAGE'], picked.map((e) => [
            when(e), e.type ?? '', `${e.involvedObject.kind}/${e.involvedObject.namespace}/${e.involvedObject.name}`, `${e.reason ?? ''}${(e.count ?? 1) > 1 ? ` (x${e.count})` : ''}`, (e.message ?? '').replace(/\s+/g, ' ').slice(0, 160),
          ])));
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'the Events Flux controllers wrote for an object, an app or everything, in one table; --since, --warnings',
  example: 'npx tsx tasks flux:events --cluster home --app gatus --since 6h',
  flags: {
    ...TARGET_FLAGS,
    since: { type: 'duration', default: 3_600_000, description: 'only events newer than this' },
    warnings: { type: 'boolean', description: 'only Warning events' },
  },
  destructive: false,
  cluster: true,
  impl: events,
});
