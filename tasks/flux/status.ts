// flux:status — every Flux object that is not Ready (Kustomizations, HelmReleases, sources), with its reason and
// message, and the suspended ones. Read-only; exit 1 when anything is not Ready (for cron and alerts); --json gives
// the same list in the run record. Better than `flux get all -A | grep -v True`: one table of only what needs
// attention, a Ready condition from an older generation counts as not Ready (as kstatus reads it), and an exit code.
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, type TaskContext } from '../../lib/engine/types.ts';
import { fluxObjects } from '../../lib/flux/ready.ts';
import { table } from '../../lib/table.ts';

function status() {
  return {
    async plan(ctx: TaskContext) {
      return [{
        title: 'read every Flux object',
        mutating: false,
        async run() {
          const all = (await fluxObjects(ctx, undefined, ctx.flags.namespace as string | undefined)).map((x) => x.state);
          const bad = all.filter((s) => !s.ready);
          const suspended = all.filter((s) => s.suspended);
          ctx.data.flux = { total: all.length, notReady: bad, suspended: suspended.map((s) => `${s.kind} ${s.namespace}/${s.name}`) };
          const rows = all.filter((s) => !s.ready || s.suspended)
            .map((s) => [s.kind, s.namespace, s.name, s.ready ? 'True' : 'False', s.suspended ? 'yes' : '-', s.reason, s.message.replace(/\s+/g, ' ').slice(0, 120)]);
          ctx.out(rows.length ? `${table(['KIND', 'NAMESPACE', 'NAME', 'READY', 'SUSPENDED', 'REASON', 'MESSAGE'], rows)}\n` : '');
          ctx.out(`${all.length - bad.length} of ${all.length} Flux objects Ready${suspended.length ? `, ${suspended.length} suspended` : ''}\n`);
          if (bad.length) {
            const first = bad[0]!;
            throw new StepFailure(`${bad.length} Flux object(s) not Ready: ${bad.map((s) => `${s.kind} ${s.namespace}/${s.name} (${s.reason})`).join(', ')}`,
              first.suspended ? `npx tsx tasks flux:resume --cluster ${ctx.cluster.name} --kind ${first.kind} --name ${first.namespace}/${first.name}` : `npx tsx tasks flux:reconcile --cluster ${ctx.cluster.name}`);
          }
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'every Flux object that is not Ready, with its reason, and the suspended ones; exit 1 when any is not Ready',
  example: 'npx tsx tasks flux:status --cluster home --json',
  flags: { namespace: { type: 'string', pattern: /^[a-z0-9][a-z0-9-]*$/, hint: 'a namespace', description: 'only this namespace' } },
  destructive: false,
  cluster: true,
  impl: status,
});
