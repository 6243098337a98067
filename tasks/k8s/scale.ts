// k8s:scale — scales an app's Deployment or StatefulSet for maintenance and back: `--replicas N` first pauses
// whoever deploys it (Flux HelmRelease and Kustomization suspended, or Argo CD auto-sync off; lib/gitops), records the
// replicas it had (annotation rackhand.dev/scaled-from, in the cluster: any workstation can put it back), scales and
// waits; `--restore` scales back to the recorded count, removes the record and resumes only what rackhand paused.
// Better than `kubectl scale` (which Flux's drift correction or Argo CD's self-heal reverts within minutes, and which
// forgets the old count): the owner is paused for as long as the app is scaled, and the way back is recorded.
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, UsageError, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { ownerOf } from '../../lib/gitops/owner.ts';
import { ownerPause } from '../../lib/gitops/pause.ts';
import { quoteArgv } from '../../lib/shell-quote.ts';
import type { KubeObject } from '../../lib/tools/kube-types.ts';
import { waitUntil } from '../../lib/wait.ts';

export const SCALED_FROM = 'rackhand.dev/scaled-from';
type Workload = KubeObject<{ replicas?: number }, { readyReplicas?: number; replicas?: number }>;

async function findWorkload(ctx: TaskContext, app: string, ns: string): Promise<{ resource: string; w: Workload } | undefined> {
  for (const resource of ['deployments.apps', 'statefulsets.apps']) {
    const w = await ctx.kubectl.get<Workload>(resource, app, ns);
    if (w) return { resource, w };
  }
  for (const resource of ['deployments.apps', 'statefulsets.apps']) {
    const items = await ctx.kubectl.list<Workload>(resource, { namespace: ns, labels: `app.kubernetes.io/name=${app}` });
    if (items.length > 1) throw new StepFailure(`${items.length} ${resource} in ${ns} are labelled app.kubernetes.io/name=${app}: ${items.map((i) => i.metadata.name).join(', ')}`, 'name one with --app');
    if (items[0]) return { resource, w: items[0] };
  }
  return undefined;
}

function scale() {
  return {
    validate(ctx: TaskContext) {
      if ((ctx.flags.replicas === undefined) === (ctx.flags.restore !== true)) throw new UsageError('expected one of --replicas N or --restore');
    },
    async plan(ctx: TaskContext): Promise<Step[]> {
      const app = ctx.flags.app as string;
      const ns = ctx.flags.namespace as string;
      const found = await findWorkload(ctx, app, ns);
      if (!found) throw new StepFailure(`no Deployment or StatefulSet ${ns}/${app} (nor one labelled app.kubernetes.io/name=${app})`, `kubectl get deploy,sts -n ${ns}`);
      const { resource, w } = found;
      const ref = `${resource.split('.')[0]!.replace(/s$/, '')}/${w.metadata.name}`;
      const owner = await ownerOf(ctx, w);
      const gitops = await ownerPause(ctx, owner, w, new Date().toISOString());
      ctx.data.owner = gitops?.describe ?? 'nobody (no Flux or Argo CD markers)';
      const get = () => ctx.kubectl.get<Workload>(resource, w.metadata.name, ns);
      const to = (n: number) => ctx.kubectl.mutate(['scale', ref, '--namespace', ns, `--replicas=${n}`]);
      const annotate = (v: string | null) => ctx.kubectl.mutate(['annotate', ref, '--namespace', ns, '--overwrite', v === null ? `${SCALED_FROM}-` : `${SCALED_FROM}=${v}`]);
      const waitAt = (n: number): Step => ({
        title: `wait until ${ns}/${w.metadata.name} has ${n} ready replica(s)`,
        mutating: false,
        async run() {
          if (ctx.dryRun) return;
          await waitUntil({
            what: `${ns}/${w.metadata.name} at ${n} ready replica(s)`, timeoutMs: ctx.flags.timeout as number, signal: ctx.signal,
            probe: async () => {
              const o = await get();
              const ready = o?.status?.readyReplicas ?? 0;
              return o?.spec?.replicas === n && ready === n && (o.status?.replicas ?? 0) === n ? { done: true, value: undefined } : { done: false, seen: `${o?.spec?.replicas} wanted, ${ready} ready` };
            },
          });
        },
      });
      if (ctx.flags.restore) {
        const kept = w.metadata.annotations?.[SCALED_FROM];
        if (kept === undefined) throw new StepFailure(`${ns}/${w.metadata.name} has no ${SCALED_FROM} record: k8s:scale did not scale it (or it was restored already)`, `kubectl get ${ref} -n ${ns}`);
        const n = Number(kept);
        return [
          { title: `scale ${ns}/${w.metadata.name} back to ${n} (recorded)`, isDone: async () => ((await get())?.spec?.replicas === n ? `already at ${n}` : false), run: async () => { await to(n); } },
          { title: `remove the ${SCALED_FROM} record`, run: async () => { await annotate(null); } },
          ...(gitops ? [gitops.resume] : []),
          waitAt(n),
        ];
      }
      const n = ctx.flags.replicas as number;
      const current = w.spec?.replicas ?? 1;
      const recorded = w.metadata.annotations?.[SCALED_FROM];
      return [
        ...(gitops?.pause ?? []),
        {
          title: `record ${ns}/${w.metadata.name}'s replicas (${recorded ?? current}) in ${SCALED_FROM}`,
          isDone: async () => (recorded !== undefined ? `recorded already: ${recorded} (an earlier k8s:scale; --restore goes back to it)` : false),
          run: async () => { await annotate(String(current)); },
          undo: async () => { await annotate(null); },
          byHand: [quoteArgv(['kubectl', 'annotate', ref, '--namespace', ns, `${SCALED_FROM}-`])],
        },
        {
          title: `scale ${ns}/${w.metadata.name} to ${n}`,
          isDone: async () => ((await get())?.spec?.replicas === n ? `already at ${n}` : false),
          run: async () => { await to(n); },
          undo: async () => { await to(Number(recorded ?? current)); },
          byHand: [quoteArgv(['kubectl', 'scale', ref, '--namespace', ns, `--replicas=${recorded ?? current}`])],
        },
        waitAt(n),
      ];
    },
    changes: (ctx: TaskContext) => [ctx.flags.restore ? `the app goes back to its recorded replicas and ${String(ctx.data.owner)} is resumed where rackhand paused it` : `${String(ctx.data.owner)} is paused until k8s:scale --restore, and the app runs ${String(ctx.flags.replicas)} replica(s)`],
  };
}

export default defineTask({
  summary: 'scale an app for maintenance with its GitOps owner (Flux or Argo CD) paused; --restore goes back to the recorded replicas',
  example: 'npx tsx tasks k8s:scale --cluster home --namespace media --app sonarr --replicas 0',
  flags: {
    app: { type: 'string', required: true, pattern: /^[a-z0-9][a-z0-9.-]*$/, hint: 'a Deployment or StatefulSet name (or its app.kubernetes.io/name)', description: 'the app' },
    namespace: { type: 'string', required: true, pattern: /^[a-z0-9][a-z0-9-]*$/, hint: 'a namespace', description: 'the app\'s namespace' },
    replicas: { type: 'number', description: 'scale to this many (the owner is paused first)' },
    restore: { type: 'boolean', description: 'back to the recorded replicas; the owner resumed' },
    timeout: { type: 'duration', default: 5 * 60_000, description: 'deadline for the replicas to be ready' },
  },
  destructive: true,
  cluster: true,
  impl: scale,
});
