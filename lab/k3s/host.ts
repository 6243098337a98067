// One k3s lab node as the machine behind its sshd: a root folder that stands for its filesystem (the files k3s and
// its install script write live there, at their real paths), what is installed and which service runs.
// Paths: k3s-io/k3s install.sh (BIN_DIR /usr/local/bin, SYSTEMD_DIR /etc/systemd/system, FILE_K3S_SERVICE
// <name>.service, FILE_K3S_ENV <name>.service.env) and docs.k3s.io/datastore/backup-restore (server/db, snapshots).
import { mkdirSync, existsSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

export const DATA_DIR = '/var/lib/rancher/k3s';
export const DB_DIR = `${DATA_DIR}/server/db`;
export const SNAPSHOT_DIR = `${DB_DIR}/snapshots`;
export const KUBECONFIG_FILE = '/etc/rancher/k3s/k3s.yaml';
export const BIN = '/usr/local/bin/k3s';

export type K3sRole = 'server' | 'agent';

export class K3sHost {
  /** installed k3s version (the binary), undefined before the install script ran */
  version?: string;
  /** the systemd unit: k3s (server) or k3s-agent */
  unit?: 'k3s' | 'k3s-agent';
  active = false;
  /** why the unit failed to start (journal text), when it did */
  failed?: string;
  /** the etcd cluster generation this server's db/ belongs to (a cluster-reset starts a new one) */
  dbEpoch?: number;
  /** OS side: packages with updates, and whether a reboot is required */
  upgradable: string[] = [];
  /** powered off / sshd down */
  down = false;

  constructor(readonly name: string, readonly address: string, readonly role: K3sRole, readonly root: string) {
    mkdirSync(root, { recursive: true });
  }

  /** a node path inside the root (never outside it) */
  path(p: string): string {
    if (!p.startsWith('/')) throw new Error(`not an absolute path: ${p}`);
    const n = normalize(p);
    return join(this.root, n);
  }

  exists(p: string): boolean { return existsSync(this.path(p)); }
  read(p: string): Buffer { return readFileSync(this.path(p)); }
  write(p: string, data: string | Buffer, mode = 0o644): void {
    const f = this.path(p);
    mkdirSync(dirname(f), { recursive: true });
    writeFileSync(f, data, { mode });
  }
  remove(p: string): void { rmSync(this.path(p), { recursive: true, force: true }); }

  get installed(): boolean { return this.version !== undefined; }
}
