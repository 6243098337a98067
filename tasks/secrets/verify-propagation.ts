// secrets:verify-propagation — does a change in 1Password reach the pods, and how fast? For each ExternalSecret chosen:
// a canary text field of the item it syncs is set to a new value in 1Password, the ExternalSecret is force-synced, and
// rackhand times each hop: 1Password -> Kubernetes Secret -> each consuming pod (a mounted file as the kubelet
// refreshes it; an env variable after a rollout restart with --restart). Every hop is held to --target (default 10m).
// The field's previous value is put back in every case: the step declares that before it changes anything.
import { randomBytes } from 'node:crypto';
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, UsageError, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { consumers, forceSync, secretValue, seenBy, syncedField, type Consumer, type Synced } from '../../lib/secrets/propagation.ts';
import { OpCli } from '../../lib/tools/op.ts';
import { quoteArgv } from '../../lib/shell-quote.ts';
import { table } from '../../lib/table.ts';
import { waitUntil } from '../../lib/wait.ts';

interface Hop { externalSecret: string; hop: string; seconds: number | null; ok: boolean; detail: string }
const secs = (ms: number) => Math.round(ms / 100) / 10;

function verify() {
  const plan: { s: Synced; previous: string; users: Consumer[] }[] = [];
  return {
    validate(ctx: TaskContext) {
      for (const r of ctx.flags['external-secret'] as string[]) if (!/^[a-z0-9-]+\/[a-z0-9.-]+$/.test(r)) throw new UsageError(`--external-secret ${r}: expected namespace/name`);
    },
    async plan(ctx: TaskContext): Promise<Step[]> {
      const op = new OpCli(ctx.exec);
      for (const ref of ctx.flags['external-secret'] as string[]) {
        const s = await syncedField(ctx, ref, ctx.flags.field as string);
        if (typeof s === 'string') throw new UsageError(s);
        const f = (await op.itemFields(s.item, s.vault)).find((x) => x.label === s.field || x.id === s.field);
        if (!f) throw new UsageError(`1Password item ${s.vault}/${s.item} has no field "${s.field}": expected a text field kept for this check`);
        if (f.type !== 'STRING') throw new UsageError(`1Password field ${s.vault}/${s.item}/${s.field} is ${f.type}: expected a text field (its value is put in a command line, so it must not be a secret)`);
        ctx.exec.registerSecret(f.value ?? '');
        plan.push({ s, previous: f.value ?? '', users: await consumers(ctx, s) });
      }
      const hops: Hop[] = [];
      ctx.data.hops = hops;
      const target = ctx.flags.target as number;
      return plan.map(({ s, previous, users }): Step => {
        const es = `${s.namespace}/${s.name}`;
        let changed = false;
        const restore = async () => {
          if (!changed) return;
          await op.setTextField(s.item, s.vault, s.field, previous);
          await forceSync(ctx, s);
          await waitUntil({ what: `Secret ${s.namespace}/${s.secret} to hold the previous value again`, timeoutMs: target, intervalMs: 250, signal: ctx.signal, probe: async () => ((await secretValue(ctx, s)) === previous ? { done: true, value: undefined } : { done: false, seen: 'the canary' }) });
          for (const owner of new Set(users.filter((u) => u.how === 'env' && u.owner && ctx.flags.restart).map((u) => u.owner!))) await ctx.kubectl.mutate(['rollout', 'restart', owner, '--namespace', s.namespace]);
          changed = false;
        };
        return {
          title: `set ${s.vault}/${s.item} ${s.field} to a canary, force-sync ExternalSecret ${es}, time it to Secret ${s.secret} and ${users.length} consumer(s); then put the field back`,
          mutating: true,
          byHand: [quoteArgv(['op', 'item', 'edit', s.item, '--vault', s.vault, `${s.field}[text]=<the previous value>`]), quoteArgv(['kubectl', 'annotate', 'externalsecret', s.name, '--namespace', s.namespace, 'force-sync=now', '--overwrite'])],
          cleanup: restore,
          async run(rt) {
            if (ctx.dryRun) { await op.setTextField(s.item, s.vault, s.field, '<canary>'); await forceSync(ctx, s); return; }
            const canary = `rackhand-canary-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(2).toString('hex')}`;
            changed = true;
            await op.setTextField(s.item, s.vault, s.field, canary);
            const t0 = Date.now();
            await forceSync(ctx, s);
            const hop = (name: string, ok: boolean, ms: number | null, detail: string) => { hops.push({ externalSecret: es, hop: name, seconds: ms === null ? null : secs(ms), ok, detail }); rt.output(`${name}: ${detail}`); };
            try {
              await waitUntil({ what: `Secret ${s.namespace}/${s.secret} key ${s.key} to change`, timeoutMs: target, intervalMs: 250, signal: ctx.signal, probe: async () => ((await secretValue(ctx, s)) === canary ? { done: true, value: undefined } : { done: false, seen: 'the previous value' }) });
              hop(`1Password -> Secret ${s.secret}`, true, Date.now() - t0, `${secs(Date.now() - t0)} s`);
            } catch (err) {
              hop(`1Password -> Secret ${s.secret}`, false, null, `not within ${secs(target)} s: ${(err as Error).message}`);
              await restore();
              return;
            }
            const tSecret = Date.now();
            let watch = users;
            if (ctx.flags.restart) {
              for (const owner of new Set(users.filter((u) => u.how === 'env' && u.owner).map((u) => u.owner!))) {
                await ctx.kubectl.mutate(['rollout', 'restart', owner, '--namespace', s.namespace]);
                await ctx.kubectl.mutate(['rollout', 'status', owner, '--namespace', s.namespace, `--timeout=${Math.ceil(target / 1000)}s`], { timeoutMs: target + 30_000 });
              }
              watch = await consumers(ctx, s);
            }
            for (const c of watch) {
              const name = `Secret -> ${c.pod} ${c.how === 'env' ? `env ${c.name}` : c.name}`;
              if (c.how === 'env' && !ctx.flags.restart) { hop(name, true, null, 'an env variable changes only when the pod restarts: not checked (--restart rolls its workload)'); continue; }
              try {
                await waitUntil({ what: `${c.pod} to see the new value`, timeoutMs: Math.max(1000, target - (tSecret - t0)), intervalMs: 500, signal: ctx.signal, probe: async () => ((await seenBy(ctx, s.namespace, c)) === canary ? { done: true, value: undefined } : { done: false, seen: 'the previous value' }) });
                hop(name, true, Date.now() - tSecret, `${secs(Date.now() - tSecret)} s (${secs(Date.now() - t0)} s from 1Password)`);
              } catch (err) {
                hop(name, false, null, `not within the target: ${(err as Error).message}`);
              }
            }
            await restore();
          },
        };
      }).concat([{
        title: 'report',
        mutating: false,
        async run() {
          if (ctx.dryRun) return;
          ctx.out(table(['EXTERNALSECRET', 'HOP', 'SECONDS', 'STATUS', 'DETAIL'], hops.map((h) => [h.externalSecret, h.hop, h.seconds === null ? '-' : String(h.seconds), h.ok ? 'OK' : 'FAIL', h.detail])));
          const bad = hops.filter((h) => !h.ok);
          if (bad.length) throw new StepFailure(`${bad.length} hop(s) missed the ${secs(target)} s target: ${bad.map((h) => `${h.externalSecret} ${h.hop}`).join('; ')}`, 'kubectl describe externalsecret -n <namespace> <name>; check the ClusterSecretStore and the External Secrets controller logs');
        },
      }]);
    },
  };
}

export default defineTask({
  summary: 'time a 1Password change to the Kubernetes Secret and the pods using it (canary field, force-sync), field put back afterwards',
  example: 'npx tsx tasks secrets:verify-propagation --cluster home --external-secret media/sonarr',
  flags: {
    'external-secret': { type: 'list', required: true, description: 'the ExternalSecrets to test, as namespace/name' },
    field: { type: 'string', default: 'rackhand-canary', description: 'the text field of the 1Password item that is changed and put back (never a secret: it passes a command line)' },
    target: { type: 'duration', default: 600_000, description: 'each hop must take less than this' },
    restart: { type: 'boolean', description: 'also roll the workloads that read the key from env, to see it there (they are rolled again after the field is put back)' },
  },
  destructive: true,
  cluster: true,
  impl: verify,
});
