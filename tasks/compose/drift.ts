// compose:drift — read-only: on each Docker host (in parallel), the running Compose projects and their containers,
// compared field by field with their compose files in Git; each difference at its severity (critical, warning,
// info) with host, project, service, field, the running value and Git's (secrets by hash). JSON + Markdown report.
// Exit 0 no drift, 1 drift.
import { join, resolve } from 'node:path';
import { defineTask } from '../../lib/engine/define.ts';
import { StepFailure, type TaskContext } from '../../lib/engine/types.ts';
import { composeSsh, loadCompose, repoReaders } from '../../lib/compose/config.ts';
import { driftHost, type HostDrift } from '../../lib/compose/drift.ts';
import { SEVERITIES, sortFindings, writeDriftReport, type DriftReport } from '../../lib/compose/report.ts';
import { drillPool } from '../../lib/dr/pool.ts';
import { ACCEPT_NEW_HOST_KEY } from '../../lib/k3s/checks.ts';
import { table } from '../../lib/table.ts';

function drift() {
  return {
    async plan(ctx: TaskContext) {
      const compose = await loadCompose(ctx, ctx.flags.host as string | undefined);
      return [{
        title: `read ${compose.hosts.length} Docker host(s) (${compose.hosts.map((h) => h.name).join(', ')}) and compare with Git`,
        mutating: false,
        async run(rt: { output(t: string): void }) {
          const startedAt = new Date().toISOString();
          const ssh = composeSsh(ctx);
          const repos = repoReaders(ctx, compose);
          const results: HostDrift[] = [];
          // hosts side by side (each its own "repository" for the pool: never two reads of one host at once)
          await drillPool(compose.hosts, Math.max(1, ctx.flags.parallel as number), async (h) => h.name, async (h) => {
            const r = await driftHost(ctx, ssh, h, repos, compose.secretKeys);
            results.push(r);
            rt.output(`${h.name}: ${r.projects.length} project(s), ${r.findings.length ? `${r.findings.length} difference(s)` : 'no drift'}`);
          });
          results.sort((a, b) => compose.hosts.findIndex((h) => h.name === a.host) - compose.hosts.findIndex((h) => h.name === b.host));
          const all = results.flatMap((r) => r.findings);
          const counts = Object.fromEntries(SEVERITIES.map((s) => [s, all.filter((f) => f.severity === s).length])) as DriftReport['counts'];
          const report: DriftReport = { kind: 'rackhand.dev/compose-drift-report', startedAt, finishedAt: new Date().toISOString(), hosts: results, counts };
          const dir = resolve(ctx.cwd, (ctx.flags['report-dir'] as string | undefined) ?? join(ctx.stateDir, 'compose'));
          const paths = await writeDriftReport(dir, report);
          ctx.data.drift = { ...report, report: paths };
          ctx.artifact('drift report', `${paths.markdown} (and ${paths.json})`);
          if (all.length) {
            ctx.out(table(['SEVERITY', 'HOST', 'PROJECT', 'SERVICE', 'FIELD', 'RUNNING', 'GIT', 'DETAIL'], sortFindings(all).map((f) => [f.severity, f.host, f.project, f.service, f.field, f.running ?? '-', f.git ?? '-', f.message])));
            throw new StepFailure(`drift on ${results.filter((r) => r.findings.length).map((r) => r.host).join(', ')}: ${counts.critical} critical, ${counts.warning} warning, ${counts.info} info`,
              `read ${paths.markdown}; put what should stay into Git, or bring the host back to Git (docker compose up -d in the project's folder)`);
          }
          ctx.out(`no drift on ${results.length} host(s): ${results.flatMap((r) => r.projects.map((p) => `${r.host}/${p.name}`)).join(', ')}`);
        },
      }];
    },
  };
}

export default defineTask({
  summary: 'Docker Compose hosts against Git: each running service compared field by field with its compose file, differences by severity (secrets by hash); read-only',
  description: [
    'Reads every container of each compose: host over SSH (docker ps, inspect, image inspect), maps each project to its',
    'folder in Git through the host\'s sources, loads the compose files from Git (.env interpolation, merged files,',
    'extends, env_file, profiles) and compares image, environment, labels, ports, volumes, networks, restart policy,',
    'healthcheck and limits. Writes a JSON + Markdown report. Exit 1 on any drift.',
  ].join('\n'),
  example: 'npx tsx tasks compose:drift --host docker1',
  flags: {
    host: { type: 'string', pattern: /^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/, hint: 'a host of compose.hosts', description: 'only this host' },
    parallel: { type: 'number', default: 10, description: 'hosts read at once' },
    'report-dir': { type: 'string', description: 'where the report goes (default .rackhand/compose)' },
    'accept-new-host-key': ACCEPT_NEW_HOST_KEY,
  },
  destructive: false,
  cluster: false,
  impl: drift,
});
