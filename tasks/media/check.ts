// media:check — the media stack end to end, read-only: every service in rackhand.yaml's `media:` reached (by URL, or
// through the API server's service proxy with the real kubectl), its key accepted, its own health warnings, root
// folders, download client and indexers tested, download paths the *arr can see, Prowlarr applications and indexers
// in full sync with every *arr, a test search, Jellyseerr connected to the media server and every *arr with current
// keys, libraries reachable for a scan. --e2e walks one request through every hop without downloading anything.
import { defineTask } from '../../lib/engine/define.ts';
import { UsageError, type TaskContext } from '../../lib/engine/types.ts';
import { failOnFindings, reportFindings } from '../../lib/health/report.ts';
import { runApiProxy } from '../../lib/k8s/api-proxy.ts';
import { checkStack } from '../../lib/media/check.ts';
import { e2eFindings } from '../../lib/media/e2e.ts';
import { loadStack } from '../../lib/media/stack.ts';
import { mediaConfig } from '../../lib/media/config.ts';

function check() {
  return {
    validate(ctx: TaskContext) {
      const m = mediaConfig(ctx);
      for (const name of (ctx.flags.service as string[] | undefined) ?? []) if (!m.services[name]) throw new UsageError(`--service ${name}: not in media.services (expected one of ${Object.keys(m.services).join(', ')})`);
    },
    async plan(ctx: TaskContext) {
      const m = mediaConfig(ctx);
      const only = ctx.flags.service as string[] | undefined;
      const needsProxy = Object.entries(m.services).some(([n, s]) => s.service && (!only?.length || only.includes(n)));
      return [{
        title: `check the media stack (${Object.keys(m.services).filter((n) => !only?.length || only.includes(n)).join(', ')})${ctx.flags.e2e ? ' and a request end to end' : ''}`,
        mutating: false,
        async run() {
          const go = async (base: string | undefined) => {
            const stack = await loadStack(ctx, m, base, only?.length ? (n) => only.includes(n) : undefined);
            try {
              const findings = await checkStack(ctx, stack);
              if (ctx.flags.e2e) findings.push(...await e2eFindings(stack, ctx.flags.term as string));
              return findings;
            } finally {
              ctx.data.http = stack.http.log;
            }
          };
          const findings = await go(needsProxy ? (await runApiProxy(ctx, ctx.flags.timeout as number)).base : undefined);
          reportFindings(ctx, findings, { all: !!ctx.flags.all, headers: ['SERVICE', 'CHECK'] });
          failOnFindings(findings, ctx.flags.e2e ? undefined : `npx tsx tasks media:fix --cluster ${ctx.cluster.name}`);
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'check the media stack end to end (*arr, Prowlarr, qBittorrent, Jellyfin/Plex, Jellyseerr): keys, paths, sync; exit 1 on any failure',
  example: 'npx tsx tasks media:check --cluster home --e2e',
  flags: {
    all: { type: 'boolean', description: 'show the passing checks too' },
    service: { type: 'list', description: 'check only these services (names in media.services)' },
    e2e: { type: 'boolean', description: 'also walk a request through every hop (search, lookup, indexers, download client, library) without downloading' },
    term: { type: 'string', default: 'Breaking Bad', description: 'what the --e2e request searches for' },
    timeout: { type: 'duration', default: 300_000, description: 'deadline for the whole check' },
  },
  destructive: false,
  cluster: true,
  impl: check,
});
