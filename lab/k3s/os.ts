// The general-purpose OS of a k3s lab node (Debian/Ubuntu): pending updates, the reboot-required flag, reboot,
// journalctl for a failed unit, and the uninstall scripts install.sh leaves in /usr/local/bin.
// systemd-run(1) --on-active; apt(8) "list --upgradable" format: `name/suite version arch [upgradable from: old]`; unattended-upgrades writes
// /var/run/reboot-required when a package asks for a reboot (update-notifier-common).
import type { K3sHost } from './host.js';
import type { K3sWorld } from './world.js';
import type { ShellResult } from './shell.js';

export function runOsCommand(world: K3sWorld, h: K3sHost, cmd: string, args: string[], o: { root: boolean }): ShellResult | undefined {
  const ok = (stdout = ''): ShellResult => ({ stdout, stderr: '', exitCode: 0 });
  switch (cmd) {
    case 'apt':
      if (args[0] === 'list' && args.includes('--upgradable')) {
        return { stdout: `Listing...\n${h.upgradable.map((p) => `${p}/stable-security 1.0.1 amd64 [upgradable from: 1.0.0]\n`).join('')}`, stderr: '\nWARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n\n', exitCode: 0 };
      }
      return undefined;
    case 'systemd-run': {
      // systemd-run --on-active=SECONDS systemctl reboot: a transient timer, so the ssh session ends cleanly first
      const delay = Number(/^--on-active=(\d+)s?$/.exec(args[0] ?? '')?.[1] ?? NaN);
      if (!o.root) return { stdout: '', stderr: 'Failed to start transient timer unit: Interactive authentication required.\n', exitCode: 1 };
      if (Number.isNaN(delay) || args[1] !== 'systemctl' || args[2] !== 'reboot') return { stdout: '', stderr: 'systemd-run: the lab node knows only --on-active=N systemctl reboot\n', exitCode: 1 };
      setTimeout(() => void world.reboot(h), delay * 1000).unref();
      return { stdout: '', stderr: `Running timer as unit: run-u${Date.now() % 100000}.timer\nWill run service as unit: run-u${Date.now() % 100000}.service\n`, exitCode: 0 };
    }
    case 'journalctl':
      return ok(h.failed ? `${h.name} k3s[1234]: time="${new Date().toISOString()}" level=fatal msg="${h.failed}"\n` : '-- No entries --\n');
    case 'reboot':
    case 'systemctl-reboot':
      if (!o.root) return { stdout: '', stderr: 'Failed to set wall message, ignoring: Interactive authentication required.\nFailed to reboot system via logind: Interactive authentication required.\n', exitCode: 1 };
      void world.reboot(h);
      return ok();
    case '/usr/local/bin/k3s-uninstall.sh':
    case '/usr/local/bin/k3s-agent-uninstall.sh':
    case 'k3s-uninstall.sh':
    case 'k3s-agent-uninstall.sh': {
      const want = cmd.endsWith('k3s-agent-uninstall.sh') ? 'k3s-agent' : 'k3s';
      if (h.unit !== want || !h.exists(`/usr/local/bin/${want === 'k3s' ? 'k3s-uninstall.sh' : 'k3s-agent-uninstall.sh'}`)) return { stdout: '', stderr: `sh: 1: ${cmd}: not found\n`, exitCode: 127 };
      if (!o.root) return { stdout: '', stderr: `${cmd}: must be run as root\n`, exitCode: 1 };
      world.uninstall(h);
      return ok();
    }
    default:
      return undefined;
  }
}
