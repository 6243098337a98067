// talos:verify-machine-ca — is the talosconfig still good for this cluster: its CA is the machines' CA (talhelper's
// talsecret certs.os.crt, decrypted with the age key from 1Password, or a machine config's machine.ca.crt), its client
// certificate was issued and signed by that CA, is valid (a warning within --warn-within, default 30 days) and
// carries os:admin; then one authenticated `talosctl version` proves the nodes accept it (--offline skips that).
// Read-only; exit 1 when any check fails. Better than finding out from "x509: certificate signed by unknown
// authority" halfway through an upgrade after a CA rotation.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, UsageError, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { sopsDecryptor } from '../../lib/config/sops.ts';
import { table } from '../../lib/table.ts';
import { checkClientCerts, type CertCheck } from '../../lib/talos/client-certs.ts';
import { requireTalos, talosconfigPath, talosctlFor } from '../../lib/talos/driver.ts';

/** The file the machine CA comes from: --file, else talhelper's talsecret next to talconfig.yaml. */
function caSource(ctx: TaskContext): string {
  if (ctx.flags.file) return resolve(ctx.cwd, ctx.flags.file as string);
  const dir = ctx.cluster.talconfig ? dirname(ctx.cluster.talconfig) : undefined;
  const found = dir && ['talsecret.sops.yaml', 'talsecret.sops.yml', 'talsecret.yaml', 'talsecret.yml'].map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!found) throw new UsageError('--file: expected a talsecret file or a machine config holding the machine CA (no talsecret next to the talconfig)');
  return found;
}

async function machineCa(ctx: TaskContext, file: string): Promise<string> {
  const text = await readFile(file, 'utf8');
  type Doc = { certs?: { os?: { crt?: string; key?: string } }; machine?: { ca?: { crt?: string; key?: string } } };
  // a SOPS file (talsecret.sops.yaml) is decrypted in memory, the age key from 1Password (lib/config/sops.ts)
  const doc = (/^sops:\s*$/m.test(text)
    ? await sopsDecryptor(ctx.exec, ctx.env)(file, ctx.cluster.sopsAgeKey).catch((err: Error) => { throw new StepFailure(err.message, 'npx tsx tasks op:check'); })
    : parse(text) ?? {}) as Doc;
  for (const k of [doc.certs?.os?.key, doc.machine?.ca?.key]) if (k) ctx.exec.registerSecret(k);
  const ca = doc.certs?.os?.crt ?? doc.machine?.ca?.crt;
  if (!ca) throw new StepFailure(`${file} holds no machine CA (certs.os.crt of a talsecret, or machine.ca.crt of a machine config)`);
  return ca;
}

function verify() {
  return {
    validate(ctx: TaskContext) { requireTalos(ctx); caSource(ctx); },
    async plan(ctx: TaskContext): Promise<Step[]> {
      const talosconfig = talosconfigPath(ctx.cluster, ctx.env);
      const file = caSource(ctx);
      return [{
        title: `check ${talosconfig} against the machine CA in ${file}`,
        mutating: false,
        async run() {
          const tc = (parse(await readFile(talosconfig, 'utf8').catch(() => { throw new StepFailure(`no talosconfig at ${talosconfig}`); })) ?? {}) as { context?: string; contexts?: Record<string, { ca?: string; crt?: string; key?: string }> };
          const name = (ctx.flags.context as string | undefined) ?? tc.context ?? '';
          const c = tc.contexts?.[name];
          if (!c) throw new StepFailure(`${talosconfig} has no context "${name}" (contexts: ${Object.keys(tc.contexts ?? {}).join(', ') || 'none'})`);
          if (c.key) ctx.exec.registerSecret(c.key);
          const checks: CertCheck[] = checkClientCerts({ ca: c.ca, crt: c.crt, machineCa: await machineCa(ctx, file), machineCaFrom: file, warnWithinMs: ctx.flags['warn-within'] as number });
          if (!ctx.flags.offline) {
            const cp = ctx.cluster.nodes.find((n) => n.role === 'controlplane')!;
            const r = await ctx.exec.run(talosctlFor(ctx).argv(['--nodes', cp.address, 'version', '--short']), { mutating: false, timeoutMs: 30_000 });
            checks.push({ name: `${cp.name} accepts it (talosctl version)`, ok: r.exitCode === 0, message: r.exitCode === 0 ? 'authenticated' : ctx.exec.redactor.redact((r.stderr || r.stdout).trim().split('\n').pop() ?? `exit ${r.exitCode}`) });
          }
          ctx.data.checks = checks;
          ctx.out(table(['CHECK', 'RESULT', 'DETAIL'], checks.map((x) => [x.name, x.ok ? (x.warning ? 'WARN' : 'ok') : 'FAIL', x.message])));
          const failed = checks.filter((x) => !x.ok);
          if (failed.length) throw new StepFailure(`${failed.length} check(s) failed: ${failed.map((x) => x.name).join(', ')}`, 'a talosconfig from the current secrets: talhelper gensecret / talosctl config new, then op:push');
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'check the talosconfig against the machine CA: same CA, a client certificate it signed, valid, os:admin; nodes accept it',
  example: 'npx tsx tasks talos:verify-machine-ca --cluster home',
  flags: {
    file: { type: 'string', description: 'the talsecret or machine config holding the machine CA (default: talsecret next to the talconfig)' },
    context: { type: 'string', description: 'the talosconfig context (default: its current one)' },
    'warn-within': { type: 'duration', default: 30 * 86_400_000, description: 'warn when the client certificate expires sooner than this' },
    offline: { type: 'boolean', description: 'no talosctl call: the files only' },
  },
  destructive: false,
  cluster: true,
  lock: false,
  identityFrom: 'config',
  impl: verify,
});
