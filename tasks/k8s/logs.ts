// k8s:logs — an app's logs by its name: every pod of the app (found by its labels, in --namespace or wherever it
// runs), each line prefixed with its pod and container when there are several, all lines unless --tail (kubectl
// logs with a selector shows only the last 10 per pod: kubernetes/kubectl pkg/cmd/logs/logs.go, --tail defaults to
// -1 without a selector and 10 with one), --previous for the container before its last restart, --since, and
// --follow with a deadline. Better than `kubectl logs -l app=x`: no lines silently dropped, no pod name to look up,
// and a follow that ends.
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, UsageError, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { findAppPods } from '../../lib/k8s/app-pods.ts';
import { DNS_LABEL, DNS_SUBDOMAIN, formatDuration } from '../../lib/patterns.ts';

function logs() {
  return {
    validate(ctx: TaskContext) {
      if (!ctx.flags.app === !ctx.flags.pod) throw new UsageError('expected one of --app NAME or --pod NAME');
      if (ctx.flags.pod && !ctx.flags.namespace) throw new UsageError('--pod needs --namespace');
      if (ctx.flags.previous && ctx.flags.follow) throw new UsageError('--previous and --follow together: a container that ended has nothing more to follow');
    },
    async plan(ctx: TaskContext): Promise<Step[]> {
      let target: string[];
      let what: string;
      let namespace = ctx.flags.namespace as string | undefined;
      let pods = 1;
      if (ctx.flags.pod) {
        target = [ctx.flags.pod as string];
        what = `${namespace}/${ctx.flags.pod}`;
      } else {
        const found = await findAppPods(ctx.kubectl, ctx.flags.app as string, namespace);
        namespace = found.namespace;
        pods = found.pods.length;
        // one pod: by name (kubectl then shows every line and says which container to pick); several: the selector
        target = pods === 1 ? [found.pods[0]!.metadata.name] : ['--selector', found.selector, '--prefix', `--max-log-requests=${Math.max(5, pods)}`];
        what = pods === 1 ? `${namespace}/${found.pods[0]!.metadata.name}` : `${pods} pods of ${ctx.flags.app} in ${namespace} (${found.selector})`;
      }
      const tail = ctx.flags.tail as number | undefined;
      const since = ctx.flags.since as number | undefined;
      const container = ctx.flags.container as string | undefined;
      const args = ['logs', ...target, '--namespace', namespace!,
        ...(container ? ['--container', container] : pods > 1 || ctx.flags['all-containers'] ? ['--all-containers'] : []),
        `--tail=${tail ?? -1}`, ...(since ? [`--since=${Math.ceil(since / 1000)}s`] : []),
        ...(ctx.flags.previous ? ['--previous'] : []), ...(ctx.flags.follow ? ['--follow'] : []), ...(ctx.flags.timestamps ? ['--timestamps'] : [])];
      ctx.data.target = what;
      return [{
        title: `logs of ${what}${ctx.flags.follow ? ` (following for at most ${formatDuration(ctx.flags.for as number)})` : ''}`,
        mutating: false,
        async run() {
          const r = await ctx.passthrough(ctx.kubectl.argv(args), { mutating: false, timeoutMs: ctx.flags.follow ? (ctx.flags.for as number) : 120_000 });
          // a follow that reached its end is what was asked for
          if (r.timedOut && ctx.flags.follow) return;
          if (r.timedOut) throw new StepFailure(`kubectl logs did not finish within 2 minutes for ${what}`);
          if (r.exitCode !== 0) throw new StepFailure(`kubectl logs failed for ${what} (exit ${r.exitCode}; its message is above)`, `kubectl describe pod -n ${namespace} ${ctx.flags.pod ?? `-l ${APP_HINT(ctx.flags.app as string)}`}`);
        },
      }];
    },
  };
}

const APP_HINT = (app: string) => `app.kubernetes.io/name=${app}`;

export default defineTask({
  summary: 'an app\'s logs by name: every pod, prefixed, every line unless --tail; --previous, --since, --follow with a deadline',
  example: 'npx tsx tasks k8s:logs --cluster home --app sonarr --since 1h',
  flags: {
    app: { type: 'string', pattern: DNS_LABEL, hint: 'an app name', description: 'the app (its pods\' app.kubernetes.io/name, .../instance or app label)' },
    pod: { type: 'string', pattern: DNS_SUBDOMAIN, hint: 'a pod name', description: 'this pod instead (needs --namespace)' },
    namespace: { type: 'string', pattern: DNS_LABEL, hint: 'a namespace', description: 'the app\'s namespace (default: where its pods are)' },
    container: { type: 'string', pattern: DNS_LABEL, hint: 'a container name', description: 'only this container' },
    'all-containers': { type: 'boolean', description: 'every container of the pod (always, for several pods)' },
    previous: { type: 'boolean', description: 'the container before its last restart (why it crashed)' },
    since: { type: 'duration', description: 'only lines newer than this, e.g. 1h' },
    tail: { type: 'number', description: 'only the last N lines per container (default: all)' },
    timestamps: { type: 'boolean', description: 'prefix each line with its time' },
    follow: { type: 'boolean', short: 'f', description: 'keep printing new lines until --for has passed or Ctrl-C' },
    for: { type: 'duration', default: 3_600_000, description: 'with --follow: stop following after this long' },
  },
  destructive: false,
  cluster: true,
  impl: logs,
});
