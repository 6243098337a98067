// health:cluster as Prometheus metrics for node_exporter's textfile collector (prom-client renders them; the file is
// replaced atomically so the collector never reads half of it) or pushed to a Pushgateway: rackhand_health_findings{cluster,area,status} counts,
// rackhand_health_ok{cluster} 1 when nothing failed, and rackhand_health_last_run_timestamp_seconds{cluster}.
import { Gauge, Pushgateway, Registry } from 'prom-client';
import { writeFileAtomic } from '../atomic-write.ts';
import { summary, type Finding } from './findings.ts';

export async function writeHealthTextfile(path: string, cluster: string, findings: Finding[], at = Date.now()): Promise<void> {
  await writeFileAtomic(path, await healthRegistry(cluster, findings, at).metrics(), 0o644);
}

/** The same metrics pushed to a Pushgateway (job rackhand_health, grouped by cluster), replacing the group's previous
 *  values: PUT semantics (github.com/prometheus/pushgateway#put-method), so an area that is gone does not linger. */
export async function pushHealth(url: string, cluster: string, findings: Finding[], timeoutMs = 10_000, at = Date.now()): Promise<void> {
  await new Pushgateway(url, { timeout: timeoutMs }, healthRegistry(cluster, findings, at)).push({ jobName: 'rackhand_health', groupings: { cluster } });
}

function healthRegistry(cluster: string, findings: Finding[], at: number): Registry {
  const registry = new Registry();
  const counts = new Gauge({ name: 'rackhand_health_findings', help: 'Objects health:cluster looked at, by area and status (ok, warn, fail).', labelNames: ['cluster', 'area', 'status'], registers: [registry] });
  const healthy = new Gauge({ name: 'rackhand_health_ok', help: 'Whether the last health:cluster run found no failure (1) or not (0).', labelNames: ['cluster'], registers: [registry] });
  const last = new Gauge({ name: 'rackhand_health_last_run_timestamp_seconds', help: 'Unix time of the last health:cluster run.', labelNames: ['cluster'], registers: [registry] });
  for (const [area, c] of Object.entries(summary(findings))) for (const status of ['ok', 'warn', 'fail'] as const) counts.set({ cluster, area, status }, c[status]);
  healthy.set({ cluster }, findings.some((f) => f.status === 'fail') ? 0 : 1);
  last.set({ cluster }, Math.floor(at / 1000));
  return registry;
}
