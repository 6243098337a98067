// The k3s side of a lab: hosts, the install script's effects, the k3s / k3s-agent units, the datastore (embedded etcd
// with its members and generations, or sqlite), etcd snapshots as files and cluster-reset. Kubernetes follows: a
// started unit registers or restarts its Node (NotReady for restartMs, then Ready at the new kubelet version), and
// kube-apiserver answers while a server runs.
// Sources: k3s-io/k3s install.sh (env, service files), pkg/etcd/etcd.go and pkg/etcd/snapshot.go (reset, snapshots),
// docs.k3s.io/datastore/backup-restore and docs.k3s.io/upgrades/manual.
import { createHash, randomBytes } from 'node:crypto';
import { DB_DIR, K3sHost, KUBECONFIG_FILE, SNAPSHOT_DIR } from './host.js';
import { restoreSnapshot, takeSnapshot, type DatastoreDump } from '../store/dump.js';
import { CorruptSnapshot, decodeEtcdSnapshot, encodeEtcdSnapshot } from '../store/etcd-file.js';
import type { Store } from '../store/store.js';

export interface K3sWorldDeps {
  store: Store;
  record(type: string, object: string, detail?: string): void;
  /** creates the Node object a kubelet registers (first start) */
  registerNode(name: string, version: string, server: boolean): void;
  /** the Node goes away for ms (a unit restart), then reports Ready at `version` */
  restartNode(name: string, ms: number, version: string): Promise<void>;
  setNodeReady(name: string, ready: boolean): void;
  /** kube-apiserver answers (a server runs) and reports this version */
  setApi(up: boolean, version?: string): void;
  /** the admin kubeconfig a server writes to /etc/rancher/k3s/k3s.yaml */
  kubeconfig(): string;
  restartMs: number;
  /** a host goes down (reboot) or comes back: its sshd stops or starts answering */
  hostDown?(name: string, down: boolean): Promise<void>;
  /** the version the stable channel resolves to when INSTALL_K3S_VERSION is not given */
  stableVersion: string;
}

export interface K3sFaults {
  /** the install script fails on these nodes (message) */
  installFails: Map<string, string>;
  /** after its next start the node's kubelet never reports Ready */
  neverReady: Set<string>;
  /** sudo asks for a password on these nodes */
  sudoPassword: Set<string>;
  /** snapshots saved on these nodes are damaged on disk right after they are written */
  snapshotCorrupt: Set<string>;
}

const now = () => Math.floor(Date.now() / 1000);

export class K3sWorld {
  readonly faults: K3sFaults = { installFails: new Map(), neverReady: new Set(), sudoPassword: new Set(), snapshotCorrupt: new Set() };
  datastore?: 'etcd' | 'sqlite';
  /** the etcd cluster generation; a cluster-reset starts a new one */
  epoch = 0;
  token?: string;
  stopped = false;

  constructor(readonly hosts: K3sHost[], readonly deps: K3sWorldDeps) {}

  find(target: string): K3sHost | undefined {
    return this.hosts.find((h) => h.name === target || h.address === target);
  }

  servers(): K3sHost[] { return this.hosts.filter((h) => h.unit === 'k3s'); }
  activeServers(): K3sHost[] { return this.servers().filter((h) => h.active); }

  /** the lab topology's installed state: hosts already running `version` with these args (no script run) */
  preinstall(h: K3sHost, o: { version: string; args: string[]; env: Record<string, string>; first: boolean; etcd: boolean; token: string; serverUrl: string }): void {
    if (o.first) {
      this.datastore = o.etcd ? 'etcd' : 'sqlite';
      this.epoch = 1;
      this.token = o.token;
    }
    const cmd = h.role;
    const env = { ...o.env, ...(o.first ? {} : { K3S_URL: o.serverUrl }) };
    this.writeUnit(h, cmd, o.args, env, o.version);
    if (cmd === 'server') this.initServerFiles(h);
    h.active = true;
  }

  private writeUnit(h: K3sHost, cmd: 'server' | 'agent', args: string[], env: Record<string, string>, version: string): void {
    const unit = cmd === 'server' ? 'k3s' : 'k3s-agent';
    h.unit = unit;
    h.version = version;
    h.write('/usr/local/bin/k3s', `#!/bin/sh\n# lab k3s ${version}\n`, 0o755);
    h.write(`/etc/systemd/system/${unit}.service`, serviceFile(cmd, args));
    // install.sh create_env_file: `env | grep '^K3S_' | $SUDO tee ${FILE_K3S_ENV}` then chmod 0600
    const k3sEnv = Object.entries(env).filter(([k]) => k.startsWith('K3S_')).map(([k, v]) => `${k}='${v}'`).join('\n');
    h.write(`/etc/systemd/system/${unit}.service.env`, k3sEnv ? `${k3sEnv}\n` : '', 0o600);
    h.write(`/usr/local/bin/${unit === 'k3s' ? 'k3s-uninstall.sh' : 'k3s-agent-uninstall.sh'}`, `#!/bin/sh\n# lab ${unit} uninstall\n`, 0o755);
    h.write('/usr/local/bin/k3s-killall.sh', '#!/bin/sh\n# lab k3s killall\n', 0o755);
  }

  private initServerFiles(h: K3sHost): void {
    const token = this.token!;
    // server/token holds the full token: K10<sha256 of the cluster CA>::server:<secret> (docs.k3s.io/cli/token)
    const full = `K10${createHash('sha256').update(`ca/${token}`).digest('hex')}::server:${token}`;
    h.write('/var/lib/rancher/k3s/server/token', `${full}\n`, 0o600);
    h.write('/var/lib/rancher/k3s/server/node-token', `${full}\n`, 0o600);
    h.write(KUBECONFIG_FILE, this.deps.kubeconfig(), 0o600);
    if (this.datastore === 'etcd') {
      h.dbEpoch = this.epoch;
      h.write(`${DB_DIR}/etcd/member/generation`, `${this.epoch}\n`, 0o600);
    } else h.write(`${DB_DIR}/state.db`, 'SQLite format 3 (lab)\n', 0o600);
  }

  /** what the install script does with its env and arguments (install.sh: setup_env, create_systemd_service_file,
   *  systemd_start); returns its stdout/stderr and exit code */
  async install(h: K3sHost, env: Record<string, string>, positional: string[]): Promise<{ out: string; err: string; code: number }> {
    const version = env.INSTALL_K3S_VERSION || this.deps.stableVersion;
    let out = `[INFO]  Using ${version} as release\n[INFO]  Downloading hash https://github.com/k3s-io/k3s/releases/download/${version}/sha256sum-amd64.txt\n`;
    if (!/^v\d+\.\d+\.\d+\+k3s\d+$/.test(version)) {
      return { out, err: `[ERROR]  Download failed\n`, code: 1 };
    }
    const fail = this.faults.installFails.get(h.name);
    if (fail) return { out, err: `[ERROR]  ${fail}\n`, code: 1 };
    // install.sh: the command is the first word of INSTALL_K3S_EXEC or of the arguments unless it is a flag; else
    // `agent` when K3S_URL is set, `server` otherwise
    const exec = (env.INSTALL_K3S_EXEC ?? '').split(/\s+/).filter(Boolean);
    const words = [...exec, ...positional];
    let cmd: 'server' | 'agent' = env.K3S_URL ? 'agent' : 'server';
    if (words[0] === 'server' || words[0] === 'agent') cmd = words.shift() as 'server' | 'agent';
    const args = words;
    const first = cmd === 'server' && !env.K3S_URL && !args.some((a) => a === '--server' || a.startsWith('--server='));
    const tokenFrom = (): string | undefined => {
      if (env.K3S_TOKEN) return env.K3S_TOKEN;
      if (env.K3S_TOKEN_FILE && h.exists(env.K3S_TOKEN_FILE)) return h.read(env.K3S_TOKEN_FILE).toString('utf8').trim();
      const i = args.findIndex((a) => a === '--token' || a.startsWith('--token='));
      if (i >= 0) return args[i]!.includes('=') ? args[i]!.split('=').slice(1).join('=') : args[i + 1];
      return undefined;
    };
    out += `[INFO]  Installing k3s to /usr/local/bin/k3s\n[INFO]  env: Creating environment file /etc/systemd/system/${cmd === 'server' ? 'k3s' : 'k3s-agent'}.service.env\n`;
    const wasInstalled = h.installed;
    this.writeUnit(h, cmd, args, env, version);
    this.deps.record('k3s-install', h.name, `${cmd} ${version}${args.length ? ` ${args.join(' ')}` : ''}`);
    if (env.INSTALL_K3S_SKIP_START === 'true') return { out, err: '', code: 0 };
    out += `[INFO]  systemd: Starting ${h.unit}\n`;
    const started = await this.start(h, { first, token: tokenFrom(), clusterInit: args.includes('--cluster-init'), restart: wasInstalled });
    if (!started.ok) return { out, err: `Job for ${h.unit}.service failed because the control process exited with error code.\nSee "systemctl status ${h.unit}.service" and "journalctl -xeu ${h.unit}.service" for details.\n`, code: 1 };
    return { out, err: '', code: 0 };
  }

  /** systemctl start/restart of the host's unit */
  async start(h: K3sHost, o: { first?: boolean; token?: string; clusterInit?: boolean; restart?: boolean } = {}): Promise<{ ok: boolean }> {
    if (!h.unit) return { ok: false };
    const failWith = (why: string) => {
      h.active = false;
      h.failed = why;
      this.deps.record('k3s-start-failed', h.name, why);
      return { ok: false };
    };
    h.failed = undefined;
    const token = o.token ?? this.tokenOnHost(h);
    if (h.unit === 'k3s') {
      const fresh = !h.exists(DB_DIR) && h.dbEpoch === undefined;
      if (o.first && this.datastore === undefined) {
        this.datastore = o.clusterInit ? 'etcd' : 'sqlite';
        this.epoch = 1;
        this.token = token ?? randomBytes(16).toString('hex');
        this.initServerFiles(h);
      } else if (fresh) {
        // joining server
        if (this.datastore !== 'etcd') return failWith('failed to join: the cluster\'s datastore is not embedded etcd (a sqlite server cannot take more servers)');
        if (!this.activeServers().length) return failWith('failed to get CA certs: Get "https://server:6443/cacerts": connect: connection refused');
        if (!token || token !== this.token) return failWith('failed to validate token: token CA hash does not match the Cluster CA certificate hash');
        this.initServerFiles(h);
      } else if (this.datastore === 'etcd') {
        // an existing server: its db/ must belong to the cluster's current generation (after a cluster-reset the
        // others' old db/ must be removed before they rejoin: k3s-io/k3s issues 2337 and 13085)
        if (h.exists(`${DB_DIR}/reset-flag`)) h.remove(`${DB_DIR}/reset-flag`);
        if (h.dbEpoch !== this.epoch) {
          if (h.dbEpoch === undefined && !h.exists(`${DB_DIR}/etcd`)) {
            if (!this.activeServers().length) return failWith('failed to get CA certs: connect: connection refused');
            this.initServerFiles(h);
          } else return failWith('etcd: this member was removed from the cluster (its data is from before a cluster reset): remove /var/lib/rancher/k3s/server/db and rejoin');
        }
      }
    } else {
      if (!this.activeServers().length) return failWith('failed to get CA certs: Get "https://server:6443/cacerts": connect: connection refused');
      if (!token || token !== this.token) return failWith('failed to validate token: token CA hash does not match the Cluster CA certificate hash');
    }
    h.active = true;
    this.deps.record(o.restart ? 'k3s-restart' : 'k3s-start', h.name, h.version);
    this.refreshApi();
    const exists = !!this.deps.store.find('nodes', undefined, h.name);
    if (!exists) {
      if (h.unit === 'k3s' || this.activeServers().length) this.deps.registerNode(h.name, h.version!, h.unit === 'k3s');
    } else {
      void this.deps.restartNode(h.name, this.deps.restartMs, h.version!).then(() => {
        if (this.faults.neverReady.has(h.name)) this.deps.setNodeReady(h.name, false);
      });
    }
    if (this.faults.neverReady.has(h.name) && !exists) this.deps.setNodeReady(h.name, false);
    return { ok: true };
  }

  stop(h: K3sHost): void {
    if (!h.active) return;
    h.active = false;
    this.deps.record('k3s-stop', h.name);
    if (this.deps.store.find('nodes', undefined, h.name)) this.deps.setNodeReady(h.name, false);
    this.refreshApi();
  }

  /** kube-apiserver answers while a server runs; it reports the first running server's version */
  refreshApi(): void {
    const up = this.activeServers();
    this.deps.setApi(up.length > 0, up[0]?.version);
  }

  private tokenOnHost(h: K3sHost): string | undefined {
    const envFile = h.unit ? `/etc/systemd/system/${h.unit}.service.env` : undefined;
    if (!envFile || !h.exists(envFile)) return undefined;
    const env = Object.fromEntries(h.read(envFile).toString('utf8').split('\n').filter(Boolean).map((l) => {
      const i = l.indexOf('=');
      return [l.slice(0, i), l.slice(i + 1).replace(/^'|'$/g, '')];
    }));
    if (env.K3S_TOKEN) return env.K3S_TOKEN;
    if (env.K3S_TOKEN_FILE && h.exists(env.K3S_TOKEN_FILE)) return h.read(env.K3S_TOKEN_FILE).toString('utf8').trim();
    // a server that created the cluster keeps its token in server/token
    if (h.unit === 'k3s' && h.exists('/var/lib/rancher/k3s/server/token')) return h.read('/var/lib/rancher/k3s/server/token').toString('utf8').trim().split(':').pop();
    return undefined;
  }

  /** k3s-uninstall.sh / k3s-agent-uninstall.sh: killall, remove the units, the binary, /etc/rancher and
   *  /var/lib/rancher (install.sh create_uninstall). The Node object stays until someone deletes it. */
  uninstall(h: K3sHost): void {
    this.stop(h);
    for (const p of ['/usr/local/bin/k3s', '/usr/local/bin/k3s-killall.sh', '/usr/local/bin/k3s-uninstall.sh', '/usr/local/bin/k3s-agent-uninstall.sh',
      `/etc/systemd/system/${h.unit}.service`, `/etc/systemd/system/${h.unit}.service.env`, '/etc/rancher', '/var/lib/rancher']) h.remove(p);
    this.deps.record('k3s-uninstall', h.name, h.unit);
    h.version = undefined;
    h.unit = undefined;
    h.dbEpoch = undefined;
    this.refreshApi();
  }

  /** `reboot`: the host goes away (sshd too) for rebootMs, k3s comes back by itself; reboot-required is cleared */
  async reboot(h: K3sHost): Promise<void> {
    this.deps.record('host-reboot', h.name);
    const wasActive = h.active;
    h.down = true;
    await this.deps.hostDown?.(h.name, true);
    if (wasActive) this.stop(h);
    await new Promise((r) => setTimeout(r, this.deps.restartMs));
    h.remove('/var/run/reboot-required');
    h.upgradable = [];
    h.down = false;
    if (this.stopped) return;
    await this.deps.hostDown?.(h.name, false);
    if (wasActive) await this.start(h, { restart: true });
  }

  /** `k3s etcd-snapshot save`: pkg/etcd/snapshot.go names on-demand snapshots <name>-<node>-<unix time>; the file is a
   *  real etcd snapshot (lab/store/etcd-file.ts). A corrupt-snapshot fault damages it after it is written, as a
   *  failing disk would: its checksum on the node is that of the damaged file. */
  async saveSnapshot(h: K3sHost, name = 'on-demand', dir = SNAPSHOT_DIR): Promise<{ file: string; name: string; size: number }> {
    const snap = `${name}-${h.name}-${now()}`;
    const dump: DatastoreDump = takeSnapshot(this.deps.store, { epoch: this.epoch, token: createHash('sha256').update(this.token ?? '').digest('hex') });
    const body = await encodeEtcdSnapshot(dump);
    if (this.faults.snapshotCorrupt.has(h.name)) body.fill(0x00, 4096, Math.min(body.length - 64, 4096 * 3));
    h.write(`${dir}/${snap}`, body, 0o600);
    this.deps.record('k3s-snapshot-saved', h.name, snap);
    return { file: `${dir}/${snap}`, name: snap, size: body.length };
  }

  /** `k3s server --cluster-reset [--cluster-reset-restore-path]` on a stopped server (pkg/etcd/etcd.go Reset) */
  async clusterReset(h: K3sHost, restorePath?: string): Promise<{ ok: true } | { ok: false; message: string }> {
    if (h.active) return { ok: false, message: 'starting kubernetes: preparing server: start managed database: listen tcp 127.0.0.1:2380: bind: address already in use' };
    if (h.exists(`${DB_DIR}/reset-flag`)) {
      return { ok: false, message: `Managed etcd cluster membership was previously reset, please remove the cluster-reset flag and start k3s normally. If you need to perform another cluster reset, you must first manually delete the ${DB_DIR}/reset-flag file` };
    }
    if (restorePath) {
      if (!h.exists(restorePath)) return { ok: false, message: `starting kubernetes: preparing server: start managed database: etcd: snapshot path does not exist: ${restorePath}` };
      let dump: DatastoreDump;
      try {
        dump = await decodeEtcdSnapshot(h.read(restorePath));
      } catch (err) {
        // etcd's own words for a file whose appended sha256 does not match (etcdutl/snapshot v3_snapshot.go)
        return { ok: false, message: `starting kubernetes: preparing server: start managed database: ${err instanceof CorruptSnapshot ? err.message : 'snapshot file is corrupt'}` };
      }
      restoreSnapshot(this.deps.store, dump);
      this.deps.record('k3s-restore', h.name, restorePath);
    }
    this.epoch += 1;
    h.dbEpoch = this.epoch;
    h.write(`${DB_DIR}/etcd/member/generation`, `${this.epoch}\n`, 0o600);
    h.write(`${DB_DIR}/reset-flag`, '', 0o600);
    this.deps.record('k3s-cluster-reset', h.name, `generation ${this.epoch}`);
    return { ok: true };
  }
}

/** install.sh create_systemd_service_file: ExecStart=/usr/local/bin/k3s \ then one quoted argument per line */
export function serviceFile(cmd: 'server' | 'agent', args: string[]): string {
  const q = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const exec = [`ExecStart=/usr/local/bin/k3s \\`, `    ${cmd} \\`, ...args.map((a) => `\t${q(a)} \\`)].join('\n');
  return [
    '[Unit]', 'Description=Lightweight Kubernetes', 'Documentation=https://k3s.io', 'Wants=network-online.target', 'After=network-online.target', '',
    '[Install]', 'WantedBy=multi-user.target', '',
    '[Service]', `Type=${cmd === 'server' ? 'notify' : 'exec'}`, 'EnvironmentFile=-/etc/default/%N', 'EnvironmentFile=-/etc/sysconfig/%N',
    `EnvironmentFile=-/etc/systemd/system/${cmd === 'server' ? 'k3s' : 'k3s-agent'}.service.env`, 'KillMode=process', 'Delegate=yes', 'Restart=always', 'RestartSec=5s',
    'ExecStartPre=/bin/sh -xc \'! /usr/bin/systemctl is-enabled --quiet nm-cloud-setup.service 2>/dev/null\'', 'ExecStartPre=-/sbin/modprobe br_netfilter',
    'ExecStartPre=-/sbin/modprobe overlay', exec, '',
  ].join('\n');
}
