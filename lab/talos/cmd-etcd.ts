// `talosctl etcd members|status|snapshot` and `talosctl bootstrap`.
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { DatastoreDump } from '../store/dump.js';
import { decodeEtcdSnapshot, encodeEtcdSnapshot, snapshotStatus } from '../store/etcd-file.js';
import { resolve } from 'node:path';
import { CliError, type Command, type Ctx, out, reach, singleNode, targets } from './command.js';
import { failWith } from './cmd-info.js';
import type { Machine } from './machine.js';
import { humanizeBytes, tabwrite } from './output.js';
import { RpcError } from './world.js';

const ETCD_ON_WORKER = 'failed to create etcd client: error building etcd client TLS config: open /system/secrets/etcd/admin.crt: no such file or directory';
// a control plane whose etcd has not started (not bootstrapped, or not joined yet); internal/pkg/etcd's endpoint lookup
// (recalled, approximate)
const ETCD_NOT_RUNNING = 'failed to create etcd client: no controlplane endpoints discovered yet';

/** an answering control plane with a running etcd member, or the error the node answers with */
function etcdNode(c: Ctx, node: string): { machine?: Machine; message?: string } {
  const r = reach(c, node);
  if (r.error) return { message: r.error.message };
  if (!r.machine!.etcd) return { message: new RpcError('Unknown', r.machine!.controlPlane ? ETCD_NOT_RUNNING : ETCD_ON_WORKER).message };
  return { machine: r.machine! };
}

export const etcdMembersCmd: Command = {
  path: 'etcd members',
  args: { exact: 0 },
  flags: [],
  // etcd.go etcdMemberListCmd: tabwriter "NODE\tID\tHOSTNAME\tPEER URLS\tCLIENT URLS\tLEARNER", ID = FormatMemberID (%016x)
  async run(c) {
    const failures: { node: string; message: string }[] = [];
    let table = 'NODE\tID\tHOSTNAME\tPEER URLS\tCLIENT URLS\tLEARNER\n';
    for (const node of targets(c)) {
      const r = etcdNode(c, node);
      if (!r.machine) { failures.push({ node, message: r.message! }); continue; }
      for (const m of c.world.etcdMembers()) {
        const e = m.etcd!;
        table += `${node}\t${e.id}\t${e.hostname}\t${e.peerUrls.join(',')}\t${e.clientUrls.join(',')}\t${e.learner}\n`;
      }
    }
    if (c.gen13 || failures.length < targets(c).length) out(c, tabwrite(table));
    failWith(c, failures, c.gen13 ? 'error' : 'error getting members');
  },
};

const dbSize = (c: Ctx) => 20_000_000 + c.world.deps.kube.objectCount() * 4096;

export const etcdStatusCmd: Command = {
  path: 'etcd status',
  args: { exact: 0 },
  flags: [],
  // etcd.go etcdStatusCmd: <= v1.12 "NODE MEMBER DB SIZE IN USE LEADER RAFT INDEX RAFT TERM RAFT APPLIED INDEX LEARNER
  // ERRORS"; >= v1.13 adds PROTOCOL and STORAGE before ERRORS. IN USE = "%s (%.2f%%)"; sizes via humanize.Bytes.
  async run(c) {
    const failures: { node: string; message: string }[] = [];
    const cols = ['NODE', 'MEMBER', 'DB SIZE', 'IN USE', 'LEADER', 'RAFT INDEX', 'RAFT TERM', 'RAFT APPLIED INDEX', 'LEARNER', ...(c.gen13 ? ['PROTOCOL', 'STORAGE'] : []), 'ERRORS'];
    let table = `${cols.join('\t')}\n`;
    const leader = c.world.etcdMembers().find((m) => !m.off && m.stage !== 'rebooting')?.etcd?.id ?? '0000000000000000';
    const raft = c.world.deps.kube.resourceVersion();
    for (const node of targets(c)) {
      const r = etcdNode(c, node);
      if (!r.machine) { failures.push({ node, message: r.message! }); continue; }
      const size = dbSize(c);
      const inUse = Math.round(size * 0.44);
      const errors = c.world.faults.etcdUnhealthy.get(r.machine.name) ?? '';
      table += [node, r.machine.etcd!.id, humanizeBytes(size), `${humanizeBytes(inUse)} (${((inUse / size) * 100).toFixed(2)}%)`, leader, raft, 2, raft, false, ...(c.gen13 ? ['3.6.0', '3.6.0'] : []), errors].join('\t') + '\n';
    }
    if (c.gen13 || failures.length < targets(c).length) out(c, tabwrite(table));
    failWith(c, failures, c.gen13 ? 'error' : 'error getting status');
  },
};

export const etcdSnapshotCmd: Command = {
  path: 'etcd snapshot',
  args: { exact: 1 },
  flags: [],
  // etcd.go etcdSnapshotCmd: single node; writes <path>.part, requires size % 512 == sha256.Size (the hash etcd
  // appends), renames, prints `etcd snapshot saved to %q (%d bytes)` then `snapshot info: hash %08x, revision %d,
  // total keys %d, total size %d`
  async run(c) {
    const node = singleNode(c, 'etcd snapshot');
    const r = etcdNode(c, node);
    if (!r.machine) throw new CliError(`error reading file: ${r.message}`);
    // a real etcd snapshot (lab/store/etcd-file.ts): bbolt pages with etcd's sha256 appended
    const file = await encodeEtcdSnapshot(c.world.deps.kube.dump());
    const info = await snapshotStatus(file);
    const path = c.args[0]!;
    const abs = resolve(c.cwd, path);
    try {
      // the snapshot is created with the caller's umask (os.Create: 0666 &^ umask), not a private mode of its own
      await writeFile(`${abs}.part`, file, { mode: 0o666 & ~c.umask });
    } catch (e) {
      throw new CliError(`error creating temporary file: open ${path}.part: ${(e as Error).message.replace(/^\w+: /, '').replace(/, open .*$/, '')}`);
    }
    await rename(`${abs}.part`, abs);
    out(c, `etcd snapshot saved to ${JSON.stringify(path)} (${file.length} bytes)\n`);
    out(c, `snapshot info: hash ${info.hash.toString(16).padStart(8, '0')}, revision ${info.revision}, total keys ${info.totalKey}, total size ${info.totalSize}\n`);
  },
};

export const bootstrapCmd: Command = {
  path: 'bootstrap',
  args: { exact: 0 },
  flags: [
    { name: 'recover-from', type: 'string', usage: 'recover etcd cluster from the snapshot' },
    { name: 'recover-skip-hash-check', type: 'bool', usage: 'skip integrity check when recovering etcd (use when recovering from data directory copy)' },
  ],
  // bootstrap.go: "error executing bootstrap: %s". machined's Bootstrap (internal/app/machined/internal/server/v1alpha1/
  // v1alpha1_server.go) checks in this order: IsBootstrapAllowed => FailedPrecondition "bootstrap is not available yet";
  // a worker => FailedPrecondition "bootstrap can only be performed on a control plane node"; time sync; a non-empty
  // etcd data directory => AlreadyExists "etcd data directory is not empty".
  async run(c) {
    const node = singleNode(c, 'bootstrap');
    const r = reach(c, node);
    if (r.error) throw new CliError(`error executing bootstrap: ${r.error.message}`);
    const m = r.machine!;
    const fail = (code: string, desc: string) => new CliError(`error executing bootstrap: ${new RpcError(code, desc).message}`);
    if (m.stage !== 'running') throw fail('FailedPrecondition', 'bootstrap is not available yet');
    if (!m.controlPlane) throw fail('FailedPrecondition', 'bootstrap can only be performed on a control plane node');
    if (c.world.bootstrapped || m.etcd) throw fail('AlreadyExists', 'etcd data directory is not empty');
    const from = c.flags['recover-from'] as string | undefined;
    if (from) {
      // talosctl uploads the snapshot; machined checks the sha256 etcd appends unless --recover-skip-hash-check, then
      // etcd starts from it (talos.dev/v1.12/advanced/disaster-recovery; the lab's error texts are approximations)
      let file: Buffer;
      try { file = await readFile(resolve(c.cwd, from)); } catch { throw new CliError(`error opening snapshot file: open ${from}: no such file or directory`); }
      const body = file.subarray(0, file.length - 32);
      if (c.flags['recover-skip-hash-check'] !== true && !createHash('sha256').update(body).digest().equals(file.subarray(file.length - 32))) {
        throw fail('InvalidArgument', 'snapshot hash mismatch: the file is not an etcd snapshot, or it was damaged');
      }
      let dump: DatastoreDump;
      try { dump = await decodeEtcdSnapshot(file, { skipHashCheck: c.flags['recover-skip-hash-check'] === true }); } catch {
        throw fail('InvalidArgument', 'failed to recover from snapshot: snapshot file is corrupt');
      }
      c.world.deps.kube.restore(dump);
      c.world.deps.record('talos-etcd-recover', m.name, from);
    }
    c.world.bootstrap(m);
  },
};

export const serviceCmd: Command = {
  path: 'service',
  args: { exact: 1 },
  flags: [],
  // service.go serviceInfoCmd: key/value lines NODE, ID, STATE, HEALTH, EVENTS for one service on each node
  async run(c) {
    if (c.args[0] !== 'etcd') throw new CliError(`the lab's talosctl service knows etcd only (got ${c.args[0]})`);
    for (const node of targets(c)) {
      const r = reach(c, node);
      if (r.error) throw new CliError(`error listing services: ${r.error.message}`);
      const state = c.world.etcdService(r.machine!);
      out(c, `NODE     ${node}\nID       etcd\nSTATE    ${state}\nHEALTH   ${state === 'Running' ? 'OK' : '?'}\nEVENTS   [${state}]: ${state === 'Preparing' ? 'Running pre state' : state === 'Running' ? 'Health check successful' : 'Waiting for service "cri" to be "up"'} (1s ago)\n`);
    }
  },
};
