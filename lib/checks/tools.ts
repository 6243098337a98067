// A wrapped CLI must be on PATH before a task starts; the message says how to get it.
import type { Check } from '../engine/types.ts';

const INSTALL: Record<string, string> = {
  kubectl: 'https://kubernetes.io/docs/tasks/tools/',
  talosctl: 'https://www.talos.dev/latest/talos-guides/install/talosctl/',
  flux: 'https://fluxcd.io/flux/installation/#install-the-flux-cli',
  helmfile: 'https://helmfile.readthedocs.io/en/latest/#installation',
  restic: 'Debian/Ubuntu: sudo apt-get install restic; Fedora: sudo dnf install restic; macOS: brew install restic (https://restic.readthedocs.io/en/stable/020_installation.html)',
  op: 'https://developer.1password.com/docs/cli/get-started/',
};

/** `<tool> <versionArgs>` must run and exit 0. */
export function toolPresent(tool: string, versionArgs: string[]): Check {
  return {
    name: `${tool} present`,
    async run(ctx) {
      const r = await ctx.exec.run([tool, ...versionArgs], { mutating: false, timeoutMs: 15_000 });
      if (r.notFound) return { ok: false, message: `${tool} not found on PATH`, remedy: `install ${tool}: ${INSTALL[tool] ?? 'see its documentation'}` };
      if (r.exitCode !== 0) return { ok: false, message: `${tool} ${versionArgs.join(' ')} failed: ${r.stderr.trim().split('\n').pop()}` };
      return { ok: true, message: r.stdout.trim().split('\n')[0] ?? tool };
    },
  };
}
