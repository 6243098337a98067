// op:push — puts this cluster's kubeconfig (and, for Talos, its talosconfig) into 1Password as Documents, byte for
// byte: created when missing, replaced when different (1Password keeps the earlier version in the item's history),
// left alone when 1Password already has exactly this content. The plan names each file, the Document it goes to and
// what each side points at (contexts and servers, never credentials). Better than `op item edit kubeconfig
// data="$(cat kubeconfig)"`: no re-quoted YAML, no secret in a process argument, and no write when nothing changed.
import { readFile } from 'node:fs/promises';
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { clientConfigs, describeClientConfig } from '../../lib/secrets/client-configs.ts';
import { OpDocuments, sha256 } from '../../lib/secrets/documents.ts';

function push() {
  return {
    validate(ctx: TaskContext) { clientConfigs(ctx.cluster, ctx.env, ctx.flags.what as string, ctx.flags.vault as string | undefined); },
    async plan(ctx: TaskContext): Promise<Step[]> {
      const docs = new OpDocuments(ctx.exec);
      const steps: Step[] = [];
      const shown: Record<string, unknown>[] = [];
      for (const f of clientConfigs(ctx.cluster, ctx.env, ctx.flags.what as string, ctx.flags.vault as string | undefined)) {
        const local = await readFile(f.path, 'utf8').catch(() => undefined);
        if (local === undefined) throw new StepFailure(`no ${f.kind} at ${f.path} to push`, f.kind === 'kubeconfig' ? 'npx tsx tasks talos:kubeconfig (or op:pull)' : 'op:pull, or talosctl config');
        const remote = await docs.get(f.vault, f.title);
        const where = `1Password ${f.vault}/${f.title}`;
        shown.push({ file: f.path, document: `${f.vault}/${f.title}`, sha256: sha256(local), remoteSha256: remote === undefined ? null : sha256(remote) });
        ctx.log.info(`${f.kind} ${f.path}: ${Buffer.byteLength(local)} bytes, sha256 ${sha256(local).slice(0, 12)}, ${describeClientConfig(f.kind, local)}`);
        if (remote !== undefined) ctx.log.info(`${where}: ${Buffer.byteLength(remote)} bytes, sha256 ${sha256(remote).slice(0, 12)}, ${describeClientConfig(f.kind, remote)}`);
        steps.push({
          title: `${remote === undefined ? 'create' : 'replace'} Document ${where} with ${f.path}`,
          isDone: async () => (remote !== undefined && remote === local ? `${where} already holds exactly this ${f.kind}` : false),
          async run() {
            if (remote === undefined) await docs.create(f.vault, f.title, f.kind, f.path);
            else await docs.edit(f.vault, f.title, f.kind, f.path);
            if (ctx.dryRun) return;
            // read back: the Document must now hold these bytes
            const back = await docs.get(f.vault, f.title);
            if (back !== local) throw new StepFailure(`${where} does not hold what was pushed (read back ${back === undefined ? 'nothing' : `sha256 ${sha256(back).slice(0, 12)}`})`, `op document get ${f.title} --vault ${f.vault}`);
          },
        });
      }
      ctx.data.files = shown;
      return steps;
    },
  };
}

export default defineTask({
  summary: 'put the cluster\'s kubeconfig and talosconfig into 1Password as Documents, byte for byte; unchanged ones left alone',
  example: 'npx tsx tasks op:push --cluster home',
  flags: {
    what: { type: 'string', choices: ['both', 'kubeconfig', 'talosconfig'], default: 'both', description: 'which client config (both: the talosconfig too on Talos)' },
    vault: { type: 'string', description: 'the 1Password vault (default: clusters.<name>.onepassword.vault)' },
  },
  destructive: true,
  cluster: true,
  lock: false,
  identityFrom: 'config',
  impl: push,
});
