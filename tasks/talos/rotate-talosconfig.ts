// talos:rotate-talosconfig — a fresh client certificate for the talosconfig: a control plane issues it (`talosctl
// config new` with --roles and --crt-ttl: siderolabs/talos cmd/talosctl/cmd/talos/config.go) into a private temp
// file next to the talosconfig, the new one must authenticate (`talosctl version`) before it replaces the old file
// (atomically, 0600; the old one kept as <file>.<time>.bak and put back if anything after fails); --push stores it
// in 1Password (op:push --what talosconfig). The old certificate stays valid until it expires (Talos has no
// revocation; rotating the CA is what ends it). Better than `talosctl config new` by hand: never a talosconfig that
// does not work in place of one that does.
import { chmod, copyFile, rename, rm } from 'node:fs/promises';
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, type Step, type TaskContext } from '../../lib/engine/types.ts';
import { requireTalos, talosconfigPath } from '../../lib/talos/driver.ts';
import { Talosctl } from '../../lib/tools/talosctl.ts';

function rotate() {
  return {
    validate(ctx: TaskContext) { requireTalos(ctx); },
    async plan(ctx: TaskContext): Promise<Step[]> {
      const path = talosconfigPath(ctx.cluster, ctx.env);
      const fresh = `${path}.rackhand-new`;
      const backup = `${path}.${new Date().toISOString().replace(/[:.]/g, '-')}.bak`;
      const cp = ctx.cluster.nodes.find((n) => n.role === 'controlplane')!;
      const roles = (ctx.flags.roles as string[] | undefined) ?? ['os:admin'];
      const current = new Talosctl(ctx.exec, { talosconfig: path });
      const next = new Talosctl(ctx.exec, { talosconfig: fresh });
      let replaced = false;
      const steps: Step[] = [
        {
          title: `a new client certificate (${roles.join(', ')}, ${String(ctx.flags['crt-ttl'])}) from ${cp.name}, checked against ${cp.name}`,
          // a temp file left by an interrupted run is removed first and on failure
          cleanup: async () => { await rm(fresh, { force: true }); },
          async run() {
            await rm(fresh, { force: true });
            await current.mutate(['--nodes', cp.address, 'config', 'new', fresh, '--roles', roles.join(','), '--crt-ttl', String(ctx.flags['crt-ttl'])]);
            if (ctx.dryRun) return;
            await chmod(fresh, 0o600);
            const r = await ctx.exec.run(next.argv(['--nodes', cp.address, 'version', '--short']), { mutating: false, timeoutMs: 30_000 });
            if (r.exitCode !== 0) throw new StepFailure(`the new talosconfig does not authenticate with ${cp.name}: ${(r.stderr || r.stdout).trim().split('\n').pop()}; the old one is untouched`);
          },
        },
        {
          title: `replace ${path} with it (0600), the old one kept as ${backup}`,
          async run() {
            if (ctx.dryRun) return;
            await copyFile(path, backup);
            await chmod(backup, 0o600);
            await rename(fresh, path);
            replaced = true;
            ctx.artifact('previous talosconfig', backup);
          },
          async undo() { if (replaced) await copyFile(backup, path); },
          byHand: [`cp ${backup} ${path}`],
        },
      ];
      if (ctx.flags.push) {
        steps.push({
          title: 'store it in 1Password (op:push --what talosconfig)',
          async run() {
            const rec = await ctx.runTask('op:push', ['--cluster', ctx.cluster.name, '--what', 'talosconfig', '--yes', ...(ctx.dryRun ? ['--dry-run'] : [])]);
            if (rec.exitCode !== 0) throw new StepFailure(`op:push exited ${rec.exitCode}: ${rec.error?.message ?? 'see its run record'}`);
          },
        });
      }
      return steps;
    },
    changes: (ctx: TaskContext) => [`the talosconfig gets a new client certificate; the old file is kept as a .bak${ctx.flags.push ? ', and 1Password\'s copy is replaced' : ''} (the old certificate stays valid until it expires)`],
  };
}

export default defineTask({
  summary: 'a new client certificate in the talosconfig, checked before it replaces the old one (kept as .bak); --push to 1Password',
  example: 'npx tsx tasks talos:rotate-talosconfig --cluster home --push',
  flags: {
    roles: { type: 'list', pattern: /^os:[a-z:]+$/, hint: 'a Talos role like os:admin', description: 'a role of the new certificate (repeatable; default os:admin)' },
    'crt-ttl': { type: 'string', default: '8760h', pattern: /^\d+h$/, hint: 'hours like 8760h', description: 'lifetime of the new certificate' },
    push: { type: 'boolean', description: 'store the new talosconfig in 1Password (op:push)' },
  },
  destructive: true,
  cluster: true,
  lock: false,
  identityFrom: 'config',
  impl: rotate,
});
