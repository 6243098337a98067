// k8s:view-secret — what a Secret holds without showing it: each key with its size and a short sha256 (enough to see
// whether two Secrets or a Secret and 1Password agree). Values only with --reveal (or --reveal --key K for one), to
// stdout and nowhere else: never in the run record, the log or --json output. Better than `kubectl get secret -o
// yaml | base64 -d` in a terminal's scrollback: nothing is shown unless asked, and then only what was asked for.
import { createHash } from 'node:crypto';
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, UsageError, type TaskContext } from '../../lib/engine/types.ts';
import { table } from '../../lib/table.ts';
import type { KubeObject } from '../../lib/tools/kube-types.ts';

type Secret = KubeObject & { type?: string; data?: Record<string, string> };

function viewSecret() {
  return {
    validate(ctx: TaskContext) {
      if (ctx.flags.key && !ctx.flags.reveal) throw new UsageError('--key: only with --reveal (without it every key is listed, never a value)');
    },
    async plan(ctx: TaskContext) {
      const name = ctx.flags.name as string;
      const ns = ctx.flags.namespace as string;
      return [{
        title: `read Secret ${ns}/${name}`,
        mutating: false,
        async run() {
          const s = await ctx.kubectl.get<Secret>('secrets', name, ns);
          if (!s) throw new StepFailure(`no Secret ${ns}/${name}`, `kubectl get secrets -n ${ns}`);
          const entries = Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')] as const).sort((a, b) => a[0].localeCompare(b[0]));
          // every value is a secret for the rest of this run: no log line or error can show it
          for (const [, v] of entries) if (v.length >= 4) ctx.exec.registerSecret(v.toString('utf8'));
          ctx.data.secret = { name: `${ns}/${name}`, type: s.type ?? 'Opaque', keys: entries.map(([k, v]) => ({ key: k, bytes: v.length })) };
          if (!ctx.flags.reveal) {
            ctx.out(`${table(['KEY', 'BYTES', 'SHA256'], entries.map(([k, v]) => [k, String(v.length), `${createHash('sha256').update(v).digest('hex').slice(0, 12)}…`]))}\n`);
            return;
          }
          const key = ctx.flags.key as string | undefined;
          if (key) {
            const hit = entries.find(([k]) => k === key);
            if (!hit) throw new StepFailure(`Secret ${ns}/${name} has no key ${key} (keys: ${entries.map(([k]) => k).join(', ')})`);
            ctx.out(hit[1].toString('utf8'));
            return;
          }
          ctx.out(entries.map(([k, v]) => `${k}=${v.toString('utf8')}`).join('\n'));
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'a Secret\'s keys with sizes and short sha256s; values only with --reveal, to stdout only (never the run record)',
  example: 'npx tsx tasks k8s:view-secret --cluster home --namespace media --name sonarr-secret',
  flags: {
    namespace: { type: 'string', required: true, pattern: /^[a-z0-9][a-z0-9-]*$/, hint: 'a namespace', description: 'the Secret\'s namespace' },
    name: { type: 'string', required: true, pattern: /^[a-z0-9][a-z0-9.-]*$/, hint: 'a Secret name', description: 'the Secret' },
    reveal: { type: 'boolean', description: 'print the values (to stdout only)' },
    key: { type: 'string', description: 'with --reveal: only this key\'s value, as it is' },
  },
  destructive: false,
  cluster: true,
  impl: viewSecret,
});
