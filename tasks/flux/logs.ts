// flux:logs — what the Flux controllers logged about an object, an app or everything: the JSON lines of the
// kustomize-, helm- and source-controller pods (in --flux-namespace, found by their app label as Flux's install
// manifests set it), filtered by the object they are about (controller-runtime's structured fields: controllerKind,
// name, namespace) and --level, over --since, merged in time order. Read-only. Better than `kubectl logs -n
// flux-system deploy/kustomize-controller | grep gatus`: the right controller for each kind, every replica, an app's
// Kustomization and HelmRelease together, and errors with their error field.
import { defineTask } from '../../lib/engine/define.ts';
import type { TaskContext } from '../../lib/engine/types.ts';
import { selectTargets, TARGET_FLAGS, validateTarget } from '../../lib/flux/select.ts';
import { table } from '../../lib/table.ts';
import type { KubeObject } from '../../lib/tools/kube-types.ts';

const CONTROLLERS: Record<string, string> = {
  Kustomization: 'kustomize-controller', HelmRelease: 'helm-controller',
  GitRepository: 'source-controller', OCIRepository: 'source-controller', HelmRepository: 'source-controller', HelmChart: 'source-controller', Bucket: 'source-controller',
};

interface Line { level?: string; ts?: string | number; msg?: string; error?: string; controllerKind?: string; name?: string; namespace?: string }

function logs() {
  return {
    validate(ctx: TaskContext) { validateTarget(ctx, { required: false }); },
    async plan(ctx: TaskContext) {
      return [{
        title: 'read the Flux controllers\' logs',
        mutating: false,
        async run() {
          const targets = await selectTargets(ctx);
          const wanted = targets && new Set(targets.map((t) => `${t.ref.kind}/${t.ref.namespace}/${t.ref.name}`));
          const controllers = [...new Set(targets ? targets.map((t) => CONTROLLERS[t.ref.kind]!) : Object.values(CONTROLLERS))];
          const fluxNs = ctx.flags['flux-namespace'] as string;
          const rows: { at: string; line: Line; controller: string }[] = [];
          for (const controller of controllers) {
            const pods = await ctx.kubectl.list<KubeObject>('pods', { namespace: fluxNs, labels: `app=${controller}` });
            if (!pods.length) ctx.log.warning(`no ${controller} pod in ${fluxNs} (label app=${controller})`);
            for (const pod of pods) {
              const text = await ctx.kubectl.read(['logs', pod.metadata.name, '--namespace', fluxNs, `--since=${Math.ceil((ctx.flags.since as number) / 1000)}s`, '--tail=-1']);
              for (const raw of text.split('\n')) {
                if (!raw.startsWith('{')) continue;
                let line: Line;
                try { line = JSON.parse(raw) as Line; } catch { continue; }
                if (wanted && !wanted.has(`${line.controllerKind}/${line.namespace}/${line.name}`)) continue;
                if (ctx.flags.level === 'error' && line.level !== 'error') continue;
                const at = typeof line.ts === 'number' ? new Date(line.ts * 1000).toISOString() : String(line.ts ?? '');
                rows.push({ at, line, controller });
              }
            }
          }
          rows.sort((a, b) => a.at.localeCompare(b.at));
          ctx.data.lines = rows.map((r) => ({ at: r.at, level: r.line.level, object: `${r.line.controllerKind}/${r.line.namespace}/${r.line.name}`, msg: r.line.msg, error: r.line.error }));
          if (!rows.length) { ctx.out('no matching log line'); return; }
          ctx.out(table(['TIME', 'LEVEL', 'OBJECT', 'MESSAGE'], rows.map((r) => [
            r.at.replace(/\.\d+Z$/, 'Z'), r.line.level ?? '', `${r.line.controllerKind ?? '?'}/${r.line.namespace ?? ''}/${r.line.name ?? ''}`,
            `${r.line.msg ?? ''}${r.line.error && r.line.error !== r.line.msg ? `: ${r.line.error}` : ''}`.replace(/\s+/g, ' ').slice(0, 200),
          ])));
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'what the Flux controllers logged about an object, an app or everything, merged in time order; --level error, --since',
  example: 'npx tsx tasks flux:logs --cluster home --app gatus --level error',
  flags: {
    ...TARGET_FLAGS,
    level: { type: 'string', choices: ['all', 'error'], default: 'all', description: 'only errors, or every line' },
    since: { type: 'duration', default: 3_600_000, description: 'only lines newer than this' },
    'flux-namespace': { type: 'string', default: 'flux-system', pattern: /^[a-z0-9][a-z0-9-]*$/, hint: 'a namespace', description: 'where the Flux controllers run' },
  },
  destructive: false,
  cluster: true,
  impl: logs,
});
