// talos:image — the Image Factory references for the configured schematic and version: schematic id, installer
// image (what talos:upgrade-node installs) and ISO URL, per node when nodes have their own (talosImageURL or a
// schematic in talconfig). Read-only; runs no command and needs no reachable cluster (identity from rackhand.yaml).
import type { TaskImpl } from '../../lib/engine/types.ts';
import { UsageError } from '../../lib/engine/types.ts';
import { requireTalos } from '../../lib/talos/driver.ts';
import { installerImage, isoUrl, VANILLA_SCHEMATIC } from '../../lib/talos/images.ts';
import { defineTask } from '../../lib/engine/define.ts';
import { VERSION } from '../../lib/engine/flag-kit.ts';

function image(): TaskImpl {
  return {
    validate(ctx) {
      requireTalos(ctx);
      if (!ctx.flags.version && !ctx.cluster.versions.talos) throw new UsageError(`--version: expected a version like v1.12.3 (clusters.${ctx.cluster.name}.versions.talos is not set)`);
    },
    async plan(ctx) {
      return [{
        title: `Image Factory references for ${ctx.cluster.name}`,
        mutating: false,
        async run() {
          const version = (ctx.flags.version as string | undefined) ?? ctx.cluster.versions.talos!;
          const schematic = ctx.cluster.installer?.schematic ?? VANILLA_SCHEMATIC;
          const refs = { schematic, version, installer: installerImage(ctx.cluster, version), iso: isoUrl(schematic, version, String(ctx.flags.arch)) };
          Object.assign(ctx.data, refs);
          // nodes with an installer of their own (talconfig talosImageURL, nodes[].installer) upgrade to that one
          const own = ctx.cluster.nodes.filter((n) => n.installer);
          if (own.length) ctx.data.nodeInstallers = Object.fromEntries(own.map((n) => [n.name, installerImage(ctx.cluster, version, n)]));
          const ext = (n: typeof own[number]) => (n.extensions ? ` (${n.extensions.length ? n.extensions.join(', ') : 'no extensions'})` : '');
          const vanilla = ctx.cluster.installer?.schematic ? '' : own.length === ctx.cluster.nodes.length ? ' (vanilla; every node has its own)' : ' (vanilla: no installer.schematic configured)';
          ctx.out(`schematic: ${refs.schematic}${vanilla}\nversion:   ${version}\ninstaller: ${refs.installer}${own.length ? ' (nodes without one of their own)' : ''}\niso:       ${refs.iso}`
            + own.map((n) => `\n${`${n.name}:`.padEnd(11)}${installerImage(ctx.cluster, version, n)}${ext(n)}`).join(''));
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'schematic id, installer image and ISO URL for the configured schematic and version',
  example: 'npx tsx tasks talos:image --cluster lab --version v1.12.2',
  flags: {
    version: { ...VERSION, description: 'Talos version (default: versions.talos from rackhand.yaml)' },
    arch: { type: 'string', description: 'ISO architecture', choices: ['amd64', 'arm64'], default: 'amd64' },
  },
  destructive: false,
  cluster: true,
  // computed from rackhand.yaml and talconfig alone: no reachable cluster needed
  identityFrom: 'config',
  impl: image,
});
