// media:vpn-check — is the download client's traffic in the VPN, and only its? Gluetun's status and public IP, what
// qBittorrent's peers see, what an IP echo answers from inside the download pod and from a throwaway pod elsewhere in
// the cluster: a download address equal to the cluster's own is a LEAK (exit 1). Also: the download pod shares the VPN
// container's network namespace, and no media server runs a VPN container. The throwaway Job is deleted afterwards,
// on failure and on Ctrl-C.
import { defineTask } from '../../lib/engine/define.ts';
import type { TaskContext } from '../../lib/engine/types.ts';
import { failOnFindings, reportFindings } from '../../lib/health/report.ts';
import { runApiProxy } from '../../lib/k8s/api-proxy.ts';
import { loadStack } from '../../lib/media/stack.ts';
import { deleteEgressJob, egressJobName, vpnFindings } from '../../lib/media/vpn.ts';
import { quoteArgv } from '../../lib/shell-quote.ts';
import { DEFAULT_VERIFY_IMAGE } from '../../lib/dr/verify-job.ts';
import { mediaConfig } from '../../lib/media/config.ts';

const VPN_KINDS = new Set(['gluetun', 'qbittorrent', 'jellyfin', 'plex', 'jellyseerr', 'overseerr', 'sonarr', 'radarr', 'lidarr', 'prowlarr']);

function vpnCheck() {
  return {
    validate(ctx: TaskContext) { mediaConfig(ctx); },
    async plan(ctx: TaskContext) {
      const m = mediaConfig(ctx);
      const q = Object.entries(m.services).find(([n, s]) => (s.kind ?? n) === 'qbittorrent')?.[1];
      const ns = q?.service?.includes('/') ? q.service.split('/')[0]! : m.namespace ?? 'media';
      const job = { namespace: ns, name: egressJobName() };
      return [{
        title: `check the VPN of the download client (egress compared with a throwaway Job ${ns}/${job.name})`,
        mutating: true,
        byHand: [quoteArgv(['kubectl', 'delete', 'job', job.name, '--namespace', ns])],
        cleanup: async () => { await deleteEgressJob(ctx, ns, job.name); },
        async run() {
          const proxy = await runApiProxy(ctx, ctx.flags.timeout as number);
          const stack = await loadStack(ctx, m, proxy.base, (_n, kind) => VPN_KINDS.has(kind));
          let findings;
          try {
            findings = await vpnFindings(ctx, stack, { ipEcho: m.ipEcho ?? 'https://ipinfo.io/ip', image: m.image ?? DEFAULT_VERIFY_IMAGE, timeoutMs: 120_000, job });
          } finally { ctx.data.http = stack.http.log; }
          reportFindings(ctx, findings, { all: !!ctx.flags.all, headers: ['AREA', 'CHECK'] });
          failOnFindings(findings, `npx tsx tasks k8s:logs --app qbittorrent --cluster ${ctx.cluster.name}`);
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'check that only the download client uses the VPN and that it does not leak the home address; exit 1 on a leak',
  example: 'npx tsx tasks media:vpn-check --cluster home',
  flags: {
    all: { type: 'boolean', description: 'show the passing checks too' },
    timeout: { type: 'duration', default: 300_000, description: 'deadline for the whole check' },
  },
  destructive: false,
  cluster: true,
  impl: vpnCheck,
});
