// op:pull — writes this cluster's kubeconfig (and, for Talos, its talosconfig) from its 1Password Document, byte for
// byte, mode 0600, replacing the file atomically; the file it replaces is kept next to it as <file>.<time>.bak (0600)
// and put back if the pulled kubeconfig does not reach the cluster rackhand.yaml names. The plan shows what each side
// points at (contexts and servers, never credentials); a file that already matches is left alone. Better than
// `op document get kubeconfig > ~/.kube/config`: no half-written file, no world-readable credentials, the old one kept,
// and a kubeconfig for the wrong cluster refused.
import { existsSync } from 'node:fs';
import { chmod, copyFile, readFile, rename } from 'node:fs/promises';
import { writeFileAtomic } from '../../lib/atomic-write.ts';
import { identityMatchesConfig } from '../../lib/checks/identity.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { clientConfigs, describeClientConfig } from '../../lib/secrets/client-configs.ts';
import { OpDocuments, sha256 } from '../../lib/secrets/documents.ts';

function pull() {
  return {
    validate(ctx: TaskContext) { clientConfigs(ctx.cluster, ctx.env, ctx.flags.what as string, ctx.flags.vault as string | undefined); },
    async plan(ctx: TaskContext): Promise<Step[]> {
      const docs = new OpDocuments(ctx.exec);
      const steps: Step[] = [];
      for (const f of clientConfigs(ctx.cluster, ctx.env, ctx.flags.what as string, ctx.flags.vault as string | undefined)) {
        const where = `1Password ${f.vault}/${f.title}`;
        const remote = await docs.get(f.vault, f.title);
        if (remote === undefined) throw new StepFailure(`no Document "${f.title}" in vault ${f.vault}`, `npx tsx tasks op:push --cluster ${ctx.cluster.name}`);
        const local = await readFile(f.path, 'utf8').catch(() => undefined);
        ctx.log.info(`${where}: ${Buffer.byteLength(remote)} bytes, sha256 ${sha256(remote).slice(0, 12)}, ${describeClientConfig(f.kind, remote)}`);
        ctx.log.info(local === undefined ? `${f.path}: does not exist yet` : `${f.path} (replaced): ${Buffer.byteLength(local)} bytes, sha256 ${sha256(local).slice(0, 12)}, ${describeClientConfig(f.kind, local)}`);
        let backup: string | undefined;
        const putBack = async () => {
          if (backup) { await rename(backup, f.path); backup = undefined; }
        };
        steps.push({
          title: `write ${f.path} (0600) from ${where}${local !== undefined ? ', keeping the old file as a .bak' : ''}`,
          isDone: async () => (local === remote ? `${f.path} already holds exactly ${where}` : false),
          byHand: local !== undefined ? [`ls -l ${f.path}.*.bak   # the file this run replaced`] : [],
          async run() {
            if (ctx.dryRun) { ctx.log.info(`[dry-run] would write ${Buffer.byteLength(remote)} bytes to ${f.path} (0600)`); return; }
            if (local !== undefined && existsSync(f.path)) {
              backup = `${f.path}.${new Date().toISOString().replace(/[:.]/g, '-')}.bak`;
              await copyFile(f.path, backup);
              await chmod(backup, 0o600);
              ctx.artifact(`previous ${f.kind}`, backup);
            }
            await writeFileAtomic(f.path, remote, 0o600);
            if (f.kind !== 'kubeconfig') return;
            // the pulled kubeconfig must reach the cluster rackhand.yaml names; if not, the old file goes back
            await ctx.kubectl.configView(true).catch(() => undefined);
            const r = await identityMatchesConfig.run(ctx);
            if (!r.ok) {
              await putBack();
              await ctx.kubectl.configView(true).catch(() => undefined);
              throw new StepFailure(`the kubeconfig in ${where} does not match rackhand.yaml (${r.message}); ${local !== undefined ? 'the previous file was put back' : 'it was written anyway'}`, r.remedy);
            }
          },
          undo: putBack,
        });
      }
      return steps;
    },
  };
}

export default defineTask({
  summary: 'write the cluster\'s kubeconfig and talosconfig from 1Password, byte for byte, 0600, old file kept; identity-checked',
  example: 'npx tsx tasks op:pull --cluster home',
  flags: {
    what: { type: 'string', choices: ['both', 'kubeconfig', 'talosconfig'], default: 'both', description: 'which client config (both: the talosconfig too on Talos)' },
    vault: { type: 'string', description: 'the 1Password vault (default: clusters.<name>.onepassword.vault)' },
  },
  destructive: true,
  cluster: true,
  lock: false,
  identityFrom: 'config',
  impl: pull,
});
