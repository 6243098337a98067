// k8s:sync-secrets — forces External Secrets Operator to sync ExternalSecrets now and reports which Kubernetes
// Secrets changed: one annotation value per run (`force-sync=<unix time in ms>`, what ESO's docs give for a forced refresh:
// any change of an ExternalSecret's annotations makes it sync), then each one's Ready=True SecretSynced with a
// new status.syncedResourceVersion (the sync of the changed annotations), with a deadline; a failing one is named with ESO's own message. Only the
// annotation is written (kubectl annotate), never the spec, so Flux's server-side apply keeps owning the object.
// Which Secrets changed is judged on a sha256 of their data; no value is read into output or the run record.
import { createHash } from 'node:crypto';
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, UsageError, type Step, type TaskContext } from '../../lib/engine/types.ts';
import type { KubeObject } from '../../lib/tools/kube-types.ts';
import { WaitTimeout, waitUntil } from '../../lib/wait.ts';

const ES = 'externalsecrets.external-secrets.io';
type ExternalSecret = KubeObject<{ target?: { name?: string } }, { refreshTime?: string; syncedResourceVersion?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] }>;

const digest = (s: KubeObject & { data?: Record<string, string> } | undefined) => (s ? createHash('sha256').update(JSON.stringify(Object.entries(s.data ?? {}).sort())).digest('hex') : 'absent');

function syncSecrets() {
  return {
    validate(ctx: TaskContext) {
      if (!ctx.flags.all && !ctx.flags.namespace) throw new UsageError('expected --namespace N (with --app A for one app) or --all');
      if (ctx.flags.all && (ctx.flags.namespace || ctx.flags.app)) throw new UsageError('--all goes alone (every ExternalSecret in the cluster)');
    },
    async plan(ctx: TaskContext): Promise<Step[]> {
      const ns = ctx.flags.namespace as string | undefined;
      const app = ctx.flags.app as string | undefined;
      const all = await ctx.kubectl.list<ExternalSecret>(ES, ns ? { namespace: ns } : { allNamespaces: true });
      const chosen = app ? all.filter((e) => e.metadata.name === app || e.metadata.labels?.['app.kubernetes.io/name'] === app || e.metadata.name.startsWith(`${app}-`)) : all;
      if (!chosen.length) throw new StepFailure(`no ExternalSecret ${app ? `for app ${app} ` : ''}in ${ns ?? 'the cluster'}`, `kubectl get ${ES} ${ns ? `-n ${ns}` : '-A'}`);
      // unique per run (milliseconds): a value equal to the last one would change nothing and force no sync
      const requested = Date.now();
      const changed: string[] = [];
      const same: string[] = [];
      ctx.data.secrets = { changed, unchanged: same };
      return chosen.map((e) => {
        const id = `${e.metadata.namespace}/${e.metadata.name}`;
        const target = e.spec?.target?.name ?? e.metadata.name;
        return {
          title: `sync ExternalSecret ${id} (Secret ${target})`,
          async run(rt) {
            const before = digest(await ctx.kubectl.get(`secrets`, target, e.metadata.namespace));
            // ESO records what it synced as status.syncedResourceVersion (generation + hash of labels and annotations):
            // a new value after the annotation is this sync (refreshTime has whole seconds only)
            const synced = (await ctx.kubectl.get<ExternalSecret>(ES, e.metadata.name, e.metadata.namespace))?.status?.syncedResourceVersion;
            await ctx.kubectl.mutate(['annotate', ES, e.metadata.name, '--namespace', e.metadata.namespace!, '--overwrite', `force-sync=${requested}`]);
            if (ctx.dryRun) return;
            try {
              await waitUntil({
                what: `ExternalSecret ${id} to sync`, timeoutMs: ctx.flags.timeout as number, intervalMs: 500, signal: ctx.signal,
                probe: async () => {
                  const o = await ctx.kubectl.get<ExternalSecret>(ES, e.metadata.name, e.metadata.namespace);
                  const ready = o?.status?.conditions?.find((c) => c.type === 'Ready');
                  const fresh = o?.status?.syncedResourceVersion !== undefined && o.status.syncedResourceVersion !== synced;
                  if (fresh && ready?.status === 'True') return { done: true, value: undefined };
                  if (fresh && ready?.status === 'False' && ready.reason === 'SecretSyncedError') throw new StepFailure(`ExternalSecret ${id}: ${ready.message ?? 'SecretSyncedError'}`, `kubectl describe ${ES} -n ${e.metadata.namespace} ${e.metadata.name}`);
                  return { done: false, seen: `${ready?.reason ?? 'no status'}${fresh ? '' : ' (not refreshed since the request)'}` };
                },
              });
            } catch (err) {
              if (err instanceof WaitTimeout) throw new StepFailure(`ExternalSecret ${id} did not sync: ${err.lastSeen ?? ''}`, `kubectl describe ${ES} -n ${e.metadata.namespace} ${e.metadata.name}`);
              throw err;
            }
            const after = digest(await ctx.kubectl.get('secrets', target, e.metadata.namespace));
            (after === before ? same : changed).push(`${e.metadata.namespace}/${target}`);
            rt.output(after === before ? `Secret ${target}: unchanged` : `Secret ${target}: CHANGED`);
          },
        };
      });
    },
  };
}

export default defineTask({
  summary: 'force External Secrets to sync now (--namespace, --app or --all), wait for SecretSynced, report which Secrets changed',
  example: 'npx tsx tasks k8s:sync-secrets --cluster home --namespace media --app sonarr',
  flags: {
    namespace: { type: 'string', pattern: /^[a-z0-9][a-z0-9-]*$/, hint: 'a namespace', description: 'ExternalSecrets in this namespace' },
    app: { type: 'string', pattern: /^[a-z0-9][a-z0-9.-]*$/, hint: 'an app name', description: 'only the app\'s (named like it, or labelled app.kubernetes.io/name)' },
    all: { type: 'boolean', description: 'every ExternalSecret in the cluster' },
    timeout: { type: 'duration', default: 2 * 60_000, description: 'deadline for each to sync' },
  },
  destructive: false,
  cluster: true,
  impl: syncSecrets,
});
