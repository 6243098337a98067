// restic wrapper, version-aware (Debian bookworm ships 0.14; current is 0.19): repository and password travel in the
// environment (never argv) and the password is registered with the redactor. Upstream: restic/restic cmd/restic/*.go,
// doc/075_scripting.rst (exit codes, JSON shapes); cli-facts.md "restic".
import type { Executor, ExecResult } from '../exec.ts';
import { CliTool } from './cli-tool.ts';
import { compareSemver, parseSemver, type Semver } from './talosctl.ts';
import type { FailureRule } from './tool-error.ts';

/** RESTIC_REPOSITORY, RESTIC_PASSWORD and any backend credentials (AWS_*, ...), exactly as VolSync's Secret holds them. */
export type RepoEnv = Record<string, string>;

// Exit codes 10 (no repository), 11 (lock failed) from 0.17.0, 12 (wrong password) from 0.17.1; before, 1 with
// these texts (cmd/restic/main.go, internal/repository/key.go ErrNoKeyFound, internal/restic/lock.go).
const RULES: FailureRule[] = [
  [/wrong password or no key found/, 'Auth'],
  [/repository is already locked|unable to create lock/, 'Locked'],
  [/Is there a repository at the following location\?|unable to open config file|repository does not exist/, 'NotFound'],
];

/** A lock file's content (restic internal/restic/lock.go Lock: time, exclusive, hostname, username, pid, uid, gid). */
export interface ResticLock { id: string; time: string; exclusive: boolean; hostname: string; username?: string; pid: number }

export interface Snapshot { id: string; short_id: string; time: string; hostname: string; paths: string[]; tags?: string[]; summary?: { total_bytes_processed?: number; total_files_processed?: number } }
export interface Stats { total_size: number; total_file_count: number }

export function parseResticVersion(text: string): Semver | undefined {
  return parseSemver(/restic (\d+\.\d+\.\d+)/.exec(text)?.[1] ?? '');
}

/** What VolSync's mover restores: newest first, skip to the first at or before restoreAsOf, then `previous` more
 *  (backube/volsync mover-restic/entry.sh select_restic_snapshot_to_restore). The mover keeps snapshots of /data,
 *  which it always takes with --host volsync: rackhand filters on that host. */
export function selectSnapshot(snapshots: Snapshot[], o: { previous?: number; asOf?: string; host?: string }): Snapshot | undefined {
  const host = o.host ?? 'volsync';
  const asOf = o.asOf ? Date.parse(o.asOf) : Infinity;
  const eligible = snapshots.filter((s) => s.hostname === host && Date.parse(s.time) <= asOf)
    .sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
  return eligible[o.previous ?? 0];
}

export class Restic extends CliTool {
  private version: Semver | undefined;

  constructor(exec: Executor, private readonly repo: RepoEnv, timeoutMs = 10 * 60_000) {
    super(exec, 'restic', RULES, timeoutMs);
    for (const [k, v] of Object.entries(repo)) if (/PASSWORD|SECRET|TOKEN|KEY/.test(k) && !/KEY_ID$/.test(k)) exec.registerSecret(v);
  }

  /** where the repository is (RESTIC_REPOSITORY): two drills must not work on one at once */
  get repository(): string { return this.repo.RESTIC_REPOSITORY ?? ''; }

  protected prefix(): string[] { return []; }
  protected override env(): Record<string, string> { return this.repo; }

  async resticVersion(): Promise<Semver> {
    if (!this.version) {
      const out = await this.read(['version'], 15_000);
      this.version = parseResticVersion(out) ?? { major: 0, minor: 0, patch: 0 };
    }
    return this.version;
  }

  async atLeast(v: string): Promise<boolean> {
    return compareSemver(await this.resticVersion(), parseSemver(v)!) >= 0;
  }

  private readonly listed = new Map<string, Promise<Snapshot[]>>();

  /** The snapshot list, read once per wrapper (a run): a check and a step that both need it pay for one repository
   *  open (restic's key derivation alone takes about half a second). */
  snapshots(o: { host?: string } = {}): Promise<Snapshot[]> {
    const key = o.host ?? '';
    let p = this.listed.get(key);
    if (!p) {
      p = this.read(['snapshots', '--json', '--no-lock', ...(o.host ? ['--host', o.host] : [])]).then((out) => (JSON.parse(out || '[]') as Snapshot[] | null) ?? []);
      p.catch(() => this.listed.delete(key));
      this.listed.set(key, p);
    }
    return p;
  }

  /** Restore size and file count of one snapshot (`stats --json` default mode restore-size). */
  async stats(snapshotId: string): Promise<Stats> {
    return JSON.parse(await this.read(['stats', '--json', '--no-lock', snapshotId])) as Stats;
  }

  /** File count and bytes of a snapshot from `restic ls --json`: node lines carry struct_type "node" (0.14-0.16) or
   *  message_type "node" (0.17+) (restic cmd/restic/cmd_ls.go). */
  async contents(snapshotId: string): Promise<{ files: number; bytes: number }> {
    const out = await this.read(['ls', '--json', '--no-lock', snapshotId]);
    let files = 0;
    let bytes = 0;
    for (const line of out.split('\n')) {
      if (!line.trim()) continue;
      const n = JSON.parse(line) as { struct_type?: string; message_type?: string; type?: string; size?: number };
      if ((n.struct_type ?? n.message_type) === 'node' && n.type === 'file') { files += 1; bytes += n.size ?? 0; }
    }
    return { files, bytes };
  }

  /** `check --read-data-subset n/t` (0.14+): reads that share of the pack files too. */
  async check(subset?: string): Promise<ExecResult> {
    const r = await this.exec.run(this.argv(['check', ...(subset ? ['--read-data-subset', subset] : [])]), { mutating: false, timeoutMs: this.timeoutMs, env: this.repo });
    return r;
  }

  /** Restores into a local folder (not the cluster): read-only for the repository, so without a lock (`--no-lock`: "do not lock the
   *  repository, this allows some operations on read-only repositories", restic(1) global options; restore is a
   *  shared-lock command, check an exclusive one), which lets it run beside `check`. `--verify` (0.14+) re-reads what was written. */
  async restoreTo(snapshotId: string, target: string): Promise<ExecResult> {
    const r = await this.exec.run(this.argv(['restore', snapshotId, '--target', target, '--verify', '--no-lock']), { mutating: false, timeoutMs: this.timeoutMs, env: this.repo });
    if (r.exitCode !== 0) throw this.fail(r);
    return r;
  }

  /** The repository's locks, read without taking one: `restic list locks` gives their ids, `restic cat lock <id>` their
   *  JSON (both in restic 0.14+, cmd/restic/cmd_list.go and cmd_cat.go). A lock that vanished between the two calls
   *  (its holder finished) is skipped. */
  async locks(): Promise<ResticLock[]> {
    const ids = (await this.read(['list', 'locks', '--no-lock'], 60_000)).split('\n').map((l) => l.trim()).filter((l) => /^[0-9a-f]{64}$/.test(l));
    const out: ResticLock[] = [];
    for (const id of ids) {
      // a short deadline: a lock removed since it was listed makes restic retry loading it for minutes (its backend
      // retries failed loads with backoff); such a lock is gone, not a problem
      const r = await this.exec.run(this.argv(['cat', 'lock', id, '--no-lock']), { mutating: false, timeoutMs: 5_000, env: this.repo });
      if (r.exitCode !== 0) continue;
      out.push({ id, ...(JSON.parse(r.stdout) as Omit<ResticLock, 'id'>) });
    }
    return out;
  }

  /** Snapshots carrying every one of `tags` (`--tag a,b` is "a and b"; separate --tag flags would be "or",
   *  restic doc/045_working_with_repos.rst). */
  async tagged(tags: readonly string[]): Promise<Snapshot[]> {
    return (JSON.parse(await this.read(['snapshots', '--json', '--no-lock', '--tag', tags.join(',')]) || '[]') as Snapshot[] | null) ?? [];
  }

  /** Backs one local file up as `/<filename>` through stdin (`backup --stdin --stdin-filename`, restic 0.9+), so the
   *  snapshot's path does not depend on where the file sits here; returns the new snapshot's id from the JSON
   *  summary line (`message_type: "summary"`, `snapshot_id`; cmd/restic/cmd_backup.go, doc/075_scripting.rst). */
  async backupFile(file: string, filename: string, o: { host: string; tags: readonly string[] }): Promise<string | undefined> {
    const r = await this.exec.run(this.argv(['backup', '--json', '--stdin', '--stdin-filename', filename, '--host', o.host, ...o.tags.flatMap((t) => ['--tag', t])]),
      { mutating: true, timeoutMs: this.timeoutMs, env: this.repo, inputFile: file });
    if (r.dryRun) return undefined;
    if (r.exitCode !== 0) throw this.fail(r);
    return this.snapshotIdOf(r);
  }

  /** Creates the repository unless it already opens (`cat config` answers; restic exit 10 / "Is there a repository at
   *  the following location?" when there is none): the first export to a new place makes it. Returns whether it did. */
  async initIfMissing(): Promise<boolean> {
    const r = await this.exec.run(this.argv(['cat', 'config', '--no-lock']), { mutating: false, timeoutMs: 60_000, env: this.repo });
    if (r.exitCode === 0) return false;
    const e = this.fail(r);
    if (e.kind !== 'NotFound') throw e;
    await this.mutate(['init'], { timeoutMs: this.timeoutMs });
    return true;
  }

  /** Backs a folder up (`backup --json <dir>`), returning the snapshot id of the summary line. */
  async backupDir(dir: string, o: { host: string; tags: readonly string[] }): Promise<string | undefined> {
    const r = await this.exec.run(this.argv(['backup', '--json', dir, '--host', o.host, ...o.tags.flatMap((t) => ['--tag', t])]), { mutating: true, timeoutMs: this.timeoutMs, env: this.repo });
    if (r.dryRun) return undefined;
    if (r.exitCode !== 0) throw this.fail(r);
    return this.snapshotIdOf(r);
  }

  /** Retention over the snapshots with these tags and host (`forget --keep-daily N ... --prune --tag a,b --host h`). */
  forgetPolicy(keep: Record<string, number>, o: { host: string; tags: readonly string[] }): Promise<ExecResult> {
    return this.mutate(['forget', '--prune', '--host', o.host, '--tag', o.tags.join(','), ...Object.entries(keep).flatMap(([k, n]) => [`--keep-${k}`, String(n)])], { timeoutMs: this.timeoutMs });
  }

  /** the new snapshot's id from `backup --json`'s summary line (`message_type: "summary"`, `snapshot_id`) */
  private snapshotIdOf(r: ExecResult): string {
    for (const line of r.stdout.split('\n').reverse()) {
      if (!line.trim().startsWith('{')) continue;
      const m = JSON.parse(line) as { message_type?: string; snapshot_id?: string };
      if (m.message_type === 'summary' && m.snapshot_id) return m.snapshot_id;
    }
    throw this.fail({ ...r, exitCode: 1, stderr: `${r.stderr}\nrestic backup printed no snapshot id` });
  }

  /** Writes one file of a snapshot to `outFile` (`restic dump <id> <path>`, restic 0.10+), without a lock. */
  async dumpTo(snapshotId: string, path: string, outFile: string): Promise<void> {
    const r = await this.exec.run(this.argv(['dump', '--no-lock', snapshotId, path]), { mutating: false, timeoutMs: this.timeoutMs, env: this.repo, stdoutFile: outFile });
    if (r.exitCode !== 0) throw this.fail(r);
  }

  /** Removes these snapshots and the data only they used (`forget <id...> --prune`, an exclusive lock). */
  forget(ids: readonly string[]): Promise<ExecResult> {
    return this.mutate(['forget', '--prune', ...ids], { timeoutMs: this.timeoutMs });
  }

  /** Exit codes 10/11/12 (restic 0.17+, doc/075_scripting.rst "Exit codes") say what failed without reading text. */
  protected override fail(r: ExecResult) {
    const e = super.fail(r);
    const byCode = ({ 10: 'NotFound', 11: 'Locked', 12: 'Auth' } as const)[r.exitCode as 10 | 11 | 12];
    return byCode && e.kind === 'Other' ? Object.assign(e, { kind: byCode }) : e;
  }

  unlock(removeAll = false): Promise<ExecResult> {
    return this.mutate(['unlock', ...(removeAll ? ['--remove-all'] : [])], { timeoutMs: 60_000 });
  }
}
