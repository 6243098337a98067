// talos:shutdown-node — powers one node off (Talos cordons and drains it first unless --force) and waits until it
// stops answering. Destructive; a node that is already off is "nothing to do".
import { toolPresent } from '../../lib/checks/tools.ts';
import { drainAllowedByPdbs } from '../../lib/checks/pdbs.ts';
import type { TaskImpl } from '../../lib/engine/types.ts';
import { shutdownStep, targetNode } from '../../lib/talos/power.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { IGNORE_PDBS, NODE } from '../../lib/engine/flag-kit.ts';

function shutdownNode(): TaskImpl {
  return {
    changes: (ctx) => { const n = targetNode(ctx); return [`node ${n.name} (${n.address}, ${n.role}) powers off${ctx.flags.force ? ' without a drain' : ' after Talos drains it'}`]; },
    validate(ctx) { targetNode(ctx); },
    preflight: (ctx) => [toolPresent('talosctl', ['version', '--client', '--short']),
      // --force skips Talos's cordon/drain: nothing to block then
      ...(ctx.flags.force ? [] : [drainAllowedByPdbs(() => [targetNode(ctx).name], { ignore: ctx.flags['ignore-pdbs'] === true, what: 'Talos drains the node before it powers off' })])],
    async plan(ctx) { return [shutdownStep(ctx, targetNode(ctx))]; },
  };
}

export default defineTask({
  summary: 'power one node off (Talos cordons and drains it unless --force) and wait until it is off',
  example: 'npx tsx tasks talos:shutdown-node --cluster lab --node w2',
  flags: {
    node: { ...NODE, description: 'the node to shut down', required: true },
    force: { type: 'boolean', description: 'no cordon/drain (talosctl shutdown --force)' },
    timeout: { type: 'duration', description: 'deadline for the node to power off', default: 10 * 60_000 },
    'ignore-pdbs': IGNORE_PDBS,
  },
  destructive: true,
  cluster: true,
  impl: shutdownNode,
});
