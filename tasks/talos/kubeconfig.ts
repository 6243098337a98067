// talos:kubeconfig — fetches the admin kubeconfig from a control plane into the kubeconfig rackhand.yaml names, under
// the configured context name, mode 0600, and checks that it reaches the configured API server and cluster before
// calling it done. A file that already matches is left alone unless its client certificate expires within
// --renew-within (default 30 days) or --force; the expiry is printed. Better than `talosctl kubeconfig`: no stray
// `admin@cluster-1` contexts, the identity checked, and a warning a month before kubectl starts answering Unauthorized.
import { toolPresent } from '../../lib/checks/tools.ts';
import { kubeconfigStep } from '../../lib/bootstrap/talos-stages.ts';
import { defineTask } from '../../lib/engine/define.ts';
import type { Step, TaskContext } from '../../lib/engine/types.ts';
import { formatDuration } from '../../lib/patterns.ts';
import { requireTalos } from '../../lib/talos/driver.ts';
import { clientCertExpiry } from '../../lib/talos/kubeconfig-cert.ts';

function fetchKubeconfig() {
  return {
    validate(ctx: TaskContext) { requireTalos(ctx); },
    preflight: () => [toolPresent('talosctl', ['version', '--client', '--short'])],
    async plan(ctx: TaskContext): Promise<Step[]> {
      const path = ctx.cluster.kubeconfig;
      const report: Step = {
        title: `report the client certificate of context ${ctx.cluster.context}`,
        mutating: false,
        async run(rt) {
          const expires = await clientCertExpiry(path, ctx.cluster.context);
          ctx.data.clientCertificateExpires = expires?.toISOString() ?? null;
          if (!expires) { rt.output('no client certificate (a token or exec user)'); return; }
          const left = expires.getTime() - Date.now();
          const line = `client certificate of ${ctx.cluster.context} expires ${expires.toISOString()} (${left > 0 ? `in ${formatDuration(left)}` : 'EXPIRED'})`;
          if (left < (ctx.flags['renew-within'] as number)) ctx.log.warning(line); else ctx.out(line);
        },
      };
      return [kubeconfigStep(ctx, { force: ctx.flags.force === true, renewWithinMs: ctx.flags['renew-within'] as number }), report];
    },
  };
}

export default defineTask({
  summary: 'fetch the admin kubeconfig (configured context name, 0600, identity-checked); renewed when its certificate nears expiry',
  example: 'npx tsx tasks talos:kubeconfig --cluster home',
  flags: {
    force: { type: 'boolean', description: 'fetch even when the file matches and its certificate is fresh' },
    'renew-within': { type: 'duration', default: 30 * 86_400_000, description: 'fetch a new one when the client certificate expires sooner than this' },
    timeout: { type: 'duration', default: 5 * 60_000, description: 'deadline for a control plane to hand it out' },
  },
  destructive: false,
  cluster: true,
  lock: false,
  identityFrom: 'config',
  impl: fetchKubeconfig,
});
