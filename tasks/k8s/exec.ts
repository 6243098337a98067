// k8s:exec — a command (after --) or a shell in an app's pod, found by the app's labels (app.kubernetes.io/name,
// .../instance, app) in --namespace or wherever the app runs: the Running and Ready pod first, newest first; the
// container named by --container, else the pod's kubectl.kubernetes.io/default-container, else its first. Better than
// `kubectl exec -it deploy/x`: no pod name to look up, the namespace found, and a pod that is not running refused with
// the reason instead of "container not found".
import { defineTask } from '../../lib/engine/define.ts';
import { UsageError, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { pickPod } from '../../lib/k8s/app-pods.ts';
import { execInPod } from '../../lib/k8s/exec-in-pod.ts';
import { DNS_LABEL, DNS_SUBDOMAIN } from '../../lib/patterns.ts';
import { quoteArgv } from '../../lib/shell-quote.ts';

function execInApp() {
  return {
    validate(ctx: TaskContext) {
      if (!ctx.flags.app === !ctx.flags.pod) throw new UsageError('expected one of --app NAME or --pod NAME');
      if (!ctx.flags.command && !ctx.interactive) throw new UsageError('no command after -- and no terminal for a shell (e.g. k8s:exec --app x -- ls /config)');
    },
    async plan(ctx: TaskContext): Promise<Step[]> {
      const { namespace, pod, others } = await pickPod(ctx.kubectl, { app: ctx.flags.app as string | undefined, pod: ctx.flags.pod as string | undefined, namespace: ctx.flags.namespace as string | undefined });
      const command = (ctx.flags.command as string[] | undefined) ?? [];
      const shell = command.length === 0;
      const name = pod.metadata.name;
      // kubectl.kubernetes.io/default-container: kubernetes/kubectl pkg/cmd/util/podcmd/podcmd.go
      const container = (ctx.flags.container as string | undefined) ?? pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'] ?? pod.spec?.containers?.[0]?.name;
      ctx.data.pod = `${namespace}/${name}`;
      ctx.data.container = container;
      return [{
        title: `${shell ? 'shell' : quoteArgv(command)} in ${namespace}/${name}${container ? ` (container ${container})` : ''}${others ? ` (${others} other pod(s) of the app; --pod picks one)` : ''}`,
        mutating: true,
        async run() {
          const { failure } = await execInPod(ctx, { namespace, pod: name, ...(container ? { container } : {}), command, shell: [ctx.flags.shell as string], timeoutMs: ctx.flags.timeout as number, timeoutHint: 'a longer --timeout' });
          if (failure) throw failure;
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'a command (after --) or a shell in an app\'s running pod, found by its labels',
  example: 'npx tsx tasks k8s:exec --cluster home --app sonarr -- ls -la /config',
  flags: {
    app: { type: 'string', pattern: DNS_LABEL, hint: 'an app name', description: 'the app (its pods\' app.kubernetes.io/name, .../instance or app label)' },
    pod: { type: 'string', pattern: DNS_SUBDOMAIN, hint: 'a pod name', description: 'this pod instead (needs --namespace)' },
    namespace: { type: 'string', pattern: DNS_LABEL, hint: 'a namespace', description: 'the app\'s namespace (default: where its pods are)' },
    container: { type: 'string', pattern: DNS_LABEL, hint: 'a container name', description: 'the container (default: the pod\'s default container)' },
    shell: { type: 'string', default: 'sh', description: 'the shell when no command is given' },
    timeout: { type: 'duration', default: 4 * 3_600_000, description: 'deadline for the command or session' },
    command: { type: 'list', rest: true, description: 'the command to run after -- (default: a shell, which needs a terminal)' },
  },
  destructive: false,
  cluster: true,
  impl: execInApp,
});
