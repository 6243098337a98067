// `helmfile sync` and `helmfile apply` (pkg/app/app.go sync/apply, pkg/state SyncReleases, pkg/helmexec):
// - the selected releases run in `needs:` DAG order, group by group (releases of a group concurrently, at most
//   --concurrency); a failed release stops the groups after it, so releases that need it are not installed;
// - sync upgrades every release ("Affected releases are:" first); apply runs helm-diff first ("Comparing release=")
//   and upgrades only releases whose chart, version or values changed (and ones whose last revision failed -- the
//   lab retries them, helm-diff on a failed release is approximate), printing nothing more when nothing changed
//   ("No affected releases" with --detailed-exitcode, which exits 2 when changes were synced);
// - each upgrade logs "Upgrading release=N, chart=C", helm's status block on stdout, then "Listing releases matching
//   ^N$" and the `helm list` row; at the end the UPDATED/FAILED RELEASES tables; a failure ends with
//   `in <file>: failed processing release <name>: command "helm" exited with non-zero status: ...` and exit 1.
// - `installed: false` releases that exist are uninstalled (DELETED RELEASES).
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { chartName, chartVersion, appVersion, renderChart } from './charts.js';
import { addRepos, chartRelease, checkChartSource, type Ctx, info, out, releaseValues } from './command.js';
import { noMatch } from './cmd-template.js';
import { currentContext, unreachable } from './kube.js';
import { affectedReleases, exitError, listRow, type AffectedRelease } from './output.js';
import { HelmfileError, inFile, loadStateFiles, planGroups, releaseId, selectReleases, type Release, type StateFile } from './state.js';

interface Job {
  r: Release;
  digest: string;
  values: Record<string, unknown>;
  files: string[];
}

/** the helm argv helmfile runs for an upgrade (pkg/state/state.go flagsForUpgrade; order approximate) */
function upgradeArgs(f: StateFile, j: Job, c: Ctx, wait: boolean, timeout: number, createNs: boolean): string[] {
  const tmp = (p: string) => `/tmp/helmfile${createHash('sha1').update(p).digest('hex').slice(0, 9)}/${j.r.namespace}-${j.r.name}-values-${createHash('sha1').update(p).digest('hex').slice(0, 8)}`;
  return ['helm', 'upgrade', '--install', j.r.name, j.r.chart, ...(j.r.version ? ['--version', j.r.version] : []),
    ...(wait ? ['--wait'] : []), '--timeout', `${timeout}s`, ...(createNs ? ['--create-namespace'] : []), '--namespace', j.r.namespace,
    ...j.files.flatMap((p) => ['--values', tmp(p)]), ...(c.flags['kube-context'] ? ['--kube-context', c.flags['kube-context']] : []),
    ...f.defaults.args, ...(c.flags['hide-notes'] ? ['--hide-notes'] : []), '--history-max', String(f.defaults.historyMax)];
}

/** helm-diff's output for a release (databus23/helm-diff manifest diff; approximate): one block per object */
function diffText(j: Job, installed: boolean): string {
  const head = installed ? '' : '********************\n\n\tRelease was not present in Helm.  Diff will show entire contents as new.\n\n********************\n';
  return head + renderChart(chartRelease(j.r, j.values)).map(({ source, object }) => {
    const group = object.apiVersion!.includes('/') ? ` (${object.apiVersion!.split('/')[0]})` : '';
    const body = `# Source: ${source}\n${stringify(object, { lineWidth: 0 })}`.trimEnd().split('\n').map((l) => `${installed ? ' ' : '+'} ${l}`).join('\n');
    return `${object.metadata.namespace ?? ''}, ${object.metadata.name}, ${object.kind}${group} ${installed ? 'has changed' : 'has been added'}:\n${body}\n\n`;
  }).join('');
}

export async function syncOrApply(c: Ctx, cmd: 'sync' | 'apply'): Promise<number> {
  const files = loadStateFiles(c.cwd, c.flags.file, c.stdin, c.flags.environment);
  addRepos(c, files);
  let matched = false;
  let changed = false;
  for (const f of files) {
    let r: FileRun;
    try {
      r = await runFile(c, cmd, f);
    } catch (e) {
      throw inFile(f.file, e);
    }
    matched ||= r.matched;
    changed ||= r.changed;
    if (r.failed) return 1;
  }
  if (!matched && c.flags.selector.length && !c.flags['allow-no-matching-release']) return noMatch(c);
  return cmd === 'apply' && c.flags['detailed-exitcode'] && changed ? 2 : 0;
}

interface FileRun { matched: boolean; changed: boolean; failed?: boolean }

async function runFile(c: Ctx, cmd: 'sync' | 'apply', f: StateFile): Promise<FileRun> {
  const world = c.h.world;
  const selected = selectReleases(f.releases, c.flags.selector);
  if (!selected.length) return { matched: false, changed: false };
  const groups = planGroups(f.releases, selected, { includeNeeds: c.flags['include-needs'], transitive: c.flags['include-transitive-needs'] });
  const jobs = new Map<string, Job>();
  for (const r of groups.flat()) {
    if (!r.installed) continue;
    const missing = checkChartSource(f, r);
    if (missing) throw new HelmfileError(`failed processing release ${r.name}: Error: ${missing}`);
    const v = releaseValues(r);
    jobs.set(releaseId(r), { r, digest: v.digest, values: v.merged, files: v.files });
  }
  const down = unreachable(c.h, c.cwd, c.env, { kubeconfig: c.flags.kubeconfig, kubeContext: c.flags['kube-context'] });
  // what a hook's bare `kubectl` would use: the current context of the caller's KUBECONFIG
  world.note('helmfile-hook-context', f.file, `${currentContext(c.cwd, c.env) ?? '(none)'} ${c.env.KUBECONFIG ?? ''}`);
  const first = groups.flat()[0]!;
  if (down) {
    // the first helm call fails: helm-diff (apply) or helm upgrade (sync)
    info(c, cmd === 'apply' ? `Comparing release=${first.name}, chart=${first.chart}` : `Upgrading release=${first.name}, chart=${first.chart}`);
    const args = cmd === 'apply' ? ['helm', 'diff', 'upgrade', '--allow-unreleased', first.name, first.chart, '--namespace', first.namespace] : ['helm', 'upgrade', '--install', first.name, first.chart, '--namespace', first.namespace];
    c.io.stderr += `in ${f.file}: failed processing release ${first.name}: ${exitError(args, `Error: ${down}\n`, `Error: ${down}\n`)}\n`;
    return { matched: true, changed: false, failed: true };
  }
  // which releases to upgrade, which to uninstall
  const toDelete = groups.flat().filter((r) => !r.installed && world.latest(r.namespace, r.name));
  const toUpdate = new Set<string>();
  for (const [id, j] of jobs) {
    const last = world.latest(j.r.namespace, j.r.name);
    const isNew = !last || last.info.status === 'uninstalled';
    const differs = isNew || last.labDigest !== j.digest || last.info.status !== 'deployed';
    if (cmd === 'apply') {
      info(c, `Comparing release=${j.r.name}, chart=${j.r.chart}`);
      if (differs && !c.flags['suppress-diff'] && !(isNew && c.flags['skip-diff-on-install'])) out(c, diffText(j, !isNew));
    }
    if (cmd === 'sync' || differs) toUpdate.add(id);
  }
  if (cmd === 'apply' && !toUpdate.size && !toDelete.length) {
    if (c.flags['detailed-exitcode']) info(c, '\nNo affected releases');
    return { matched: true, changed: false };
  }
  if (cmd === 'sync') {
    const names = [...[...toUpdate].map((id) => `  ${jobs.get(id)!.r.name} (${jobs.get(id)!.r.chart}) UPDATED`), ...toDelete.map((r) => `  ${r.name} (${r.chart}) DELETED`)].sort();
    info(c, `Affected releases are:\n${names.join('\n')}\n`);
  }
  const deleted: string[] = [];
  for (const r of [...toDelete].reverse()) {
    info(c, `Deleting ${r.name}`);
    out(c, world.uninstall(r.namespace, r.name));
    deleted.push(r.name);
  }
  const updated: AffectedRelease[] = [];
  const failed: AffectedRelease[] = [];
  let failure: string | undefined;
  for (const group of groups) {
    const batch = group.map((r) => jobs.get(releaseId(r))).filter((j): j is Job => !!j && toUpdate.has(releaseId(j.r)));
    const limit = c.flags.concurrency > 0 ? c.flags.concurrency : batch.length || 1;
    for (let i = 0; i < batch.length; i += limit) {
      await Promise.all(batch.slice(i, i + limit).map(async (j) => {
        const wait = c.flags.wait || (j.r.wait ?? f.defaults.wait);
        const timeout = c.flags.timeout > 0 ? c.flags.timeout : j.r.timeout ?? f.defaults.timeout;
        const createNs = j.r.createNamespace ?? f.defaults.createNamespace;
        const started = Date.now();
        info(c, `Upgrading release=${j.r.name}, chart=${j.r.chart}`);
        const cr = chartRelease(j.r, j.values);
        const row: AffectedRelease = { name: j.r.name, namespace: j.r.namespace, chart: j.r.chart, version: j.r.version ?? '', durationMs: 0 };
        // helm upgrade does not know template-only flags: the 00-crds.yaml helmfile is not meant for sync/apply
        const bad = f.defaults.args.find((a) => a === '--include-crds');
        const outcome = bad
          ? { revision: 0, stdout: '', error: `Error: unknown flag: ${bad}\n` }
          : await world.sync(cr, { digest: j.digest, wait, timeoutSec: timeout, createNamespace: createNs, skipCrds: !!c.flags['skip-crds'] });
        row.durationMs = Date.now() - started;
        out(c, outcome.stdout);
        if (outcome.error) {
          failed.push(row);
          failure ??= `in ${f.file}: failed processing release ${j.r.name}: ${exitError(upgradeArgs(f, j, c, wait, timeout, createNs), outcome.error, outcome.stdout + outcome.error)}`;
          return;
        }
        updated.push(row);
        info(c, `Listing releases matching ^${j.r.name}$`);
        out(c, `${listRow({ name: j.r.name, namespace: j.r.namespace, revision: outcome.revision, updated: new Date(), status: 'deployed', chart: `${chartName(j.r.chart)}-${chartVersion(cr)}`, appVersion: appVersion(cr) })}\n\n`);
      }));
    }
    if (failure) break;
  }
  const summary = affectedReleases(updated, failed, deleted);
  if (summary) info(c, summary.replace(/\n$/, ''));
  if (failure) c.io.stderr += `${failure}\n`;
  return { matched: true, changed: true, failed: !!failure };
}
