// Prometheus metrics of DR drills, rendered by prom-client: a textfile for node_exporter's textfile collector
// (written to a temp file and renamed, so the collector never reads half a file) and/or a push to a Pushgateway.
// dr_drill_last_success_timestamp_seconds is only ever set by a success: a failed drill keeps the previous value
// (the textfile from the per-target state kept in .rackhand/drills/; the Pushgateway because POST replaces only the
// metric names it receives, https://github.com/prometheus/pushgateway#post-method), so "no success for 8 days"
// alerts keep working.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Gauge, Pushgateway, Registry } from 'prom-client';

export interface DrillSample {
  cluster: string;
  namespace: string;
  app: string;
  success: boolean;
  /** unix seconds of this drill's end */
  at: number;
  rtoSeconds?: number;
  restoreSeconds?: number;
  dataAgeSeconds?: number;
  latestSnapshotSeconds?: number;
  rtoTargetSeconds?: number;
  rpoTargetSeconds?: number;
}

interface Series extends DrillSample { lastSuccess?: number }

const HELP = {
  dr_drill_success: 'Whether the last DR drill restored and verified the app\'s data (1) or not (0).',
  dr_drill_last_success_timestamp_seconds: 'Unix time of the last successful DR drill of the app.',
  dr_drill_rto_seconds: 'Time from the start of the last drill of the app until its restored data was verified.',
  dr_drill_restore_duration_seconds: 'Time the VolSync mover took to restore the app\'s volume in the last drill.',
  dr_drill_data_age_seconds: 'Age of the restored snapshot when the last drill verified it (the recovery point actually reached).',
  backup_latest_snapshot_timestamp_seconds: 'Unix time of the newest snapshot in the app\'s restic repository.',
  dr_drill_rto_target_seconds: 'The RTO the app\'s drill is held to (backups.rto in rackhand.yaml): alert when dr_drill_rto_seconds exceeds it.',
  dr_drill_rpo_target_seconds: 'The RPO the app\'s drill is held to (backups.rpo): alert when dr_drill_data_age_seconds exceeds it.',
} as const;
type Name = keyof typeof HELP;
const LABELS = ['cluster', 'namespace', 'app'] as const;

function registry(series: Series[]): Registry {
  const reg = new Registry();
  const g = Object.fromEntries(Object.entries(HELP).map(([name, help]) => [name, new Gauge({ name, help, labelNames: LABELS, registers: [reg] })])) as Record<Name, Gauge>;
  for (const s of series) {
    const l = { cluster: s.cluster, namespace: s.namespace, app: s.app };
    g.dr_drill_success.set(l, s.success ? 1 : 0);
    if (s.lastSuccess !== undefined) g.dr_drill_last_success_timestamp_seconds.set(l, s.lastSuccess);
    if (s.rtoSeconds !== undefined) g.dr_drill_rto_seconds.set(l, s.rtoSeconds);
    if (s.restoreSeconds !== undefined) g.dr_drill_restore_duration_seconds.set(l, s.restoreSeconds);
    if (s.dataAgeSeconds !== undefined) g.dr_drill_data_age_seconds.set(l, s.dataAgeSeconds);
    if (s.latestSnapshotSeconds !== undefined) g.backup_latest_snapshot_timestamp_seconds.set(l, s.latestSnapshotSeconds);
    if (s.rtoTargetSeconds !== undefined) g.dr_drill_rto_target_seconds.set(l, s.rtoTargetSeconds);
    if (s.rpoTargetSeconds !== undefined) g.dr_drill_rpo_target_seconds.set(l, s.rpoTargetSeconds);
  }
  return reg;
}

const key = (s: DrillSample) => `${s.cluster}/${s.namespace}/${s.app}`;

/** Merges this run's samples into the kept state (other apps' series stay) and writes the textfile atomically. */
export async function writeTextfile(path: string, stateFile: string, samples: DrillSample[]): Promise<string> {
  const state: Record<string, Series> = await readFile(stateFile, 'utf8').then((t) => JSON.parse(t) as Record<string, Series>, () => ({}));
  for (const s of samples) {
    const prev = state[key(s)];
    state[key(s)] = { ...s, ...(s.success ? { lastSuccess: s.at } : prev?.lastSuccess !== undefined ? { lastSuccess: prev.lastSuccess } : {}) };
  }
  await mkdir(dirname(stateFile), { recursive: true });
  await writeFile(stateFile, JSON.stringify(state, null, 2), { mode: 0o600 });
  const text = await registry(Object.values(state)).metrics();
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${process.pid}.${Date.now()}.prom.tmp`);
  await writeFile(tmp, text, { mode: 0o644 });
  await rename(tmp, path);
  return text;
}

/** One Pushgateway group per app (job rackhand_dr_drill), pushed with POST: a failed drill sends no
 *  last-success sample, so the gateway keeps the previous one. */
export async function push(url: string, samples: DrillSample[], timeoutMs = 10_000): Promise<void> {
  for (const s of samples) {
    const reg = registry([{ ...s, ...(s.success ? { lastSuccess: s.at } : {}) }]);
    const gw = new Pushgateway(url, { timeout: timeoutMs }, reg);
    await gw.pushAdd({ jobName: 'rackhand_dr_drill', groupings: { cluster: s.cluster, namespace: s.namespace, app: s.app } });
  }
}
