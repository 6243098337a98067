// Builds the k3s side of a lab (topology `distribution: k3s`): one host folder and one real sshd per node, the
// k3s world, its installed state, the node shell behind sshd, rackhand.yaml's k3s cluster and the lab's faults.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Topology } from '../topology.js';
import { K3sHost } from './host.js';
import { K3sWorld, type K3sWorldDeps } from './world.js';
import { runNodeShell } from './shell.js';
import { labClientKey, startSshd, type LabSshd } from '../ssh/sshd.js';
import { startShellServer } from './shell-server.js';
import { fileURLToPath } from 'node:url';

export const LAB_K3S_TOKEN_REF = 'op://homelab/k3s/token';
/** the password of the snapshot repository (topology k3s.snapshotRepository) */
export const LAB_SNAPSHOT_REPO_PASSWORD_REF = 'op://homelab/k3s-snapshots/password';

export interface LabK3s {
  world: K3sWorld;
  /** node name => its sshd (port, host key) */
  sshd: Map<string, LabSshd>;
  /** the private key rackhand.yaml names */
  clientKey: string;
  user: string;
  /** the known_hosts file rackhand.yaml names (empty at start: learn keys with --accept-new-host-key or trustHostKeys) */
  knownHosts: string;
  /** writes every node's real host key into knownHosts */
  trustHostKeys(): Promise<void>;
  host(name: string): K3sHost;
  stop(): Promise<void>;
}

export interface K3sSetup {
  world: K3sWorld;
  /** starts the node-shell server and one sshd per node */
  start(): Promise<LabK3s>;
}

const NODE_SHELL = fileURLToPath(new URL('../ssh/node-shell.sh', import.meta.url));

export function k3sSetup(t: Topology, dir: string, o: { empty: boolean; token: string; deps: Omit<K3sWorldDeps, 'stableVersion'> }): K3sSetup {
  const hosts = t.nodes.map((n) => new K3sHost(n.name, n.address, n.role === 'controlplane' ? 'server' : 'agent', join(dir, 'k3s-nodes', n.name)));
  const world = new K3sWorld(hosts, { ...o.deps, stableVersion: t.k3s.stable ?? t.k3s.version });
  if (!o.empty) {
    const first = t.nodes.find((n) => n.role === 'controlplane' && n.k3s?.installed !== false);
    for (const n of t.nodes) {
      if (n.k3s?.installed === false) continue;
      const h = world.find(n.name)!;
      const role = h.role;
      const isFirst = n === first;
      const args = n.k3s?.args ?? [...(isFirst && t.k3s.datastore === 'etcd' ? ['--cluster-init'] : []), ...t.k3s.args[role]];
      world.preinstall(h, {
        version: n.k3s?.version ?? t.k3s.version, args, env: { ...t.k3s.env[role], ...(isFirst ? {} : { K3S_TOKEN_FILE: '/etc/rancher/k3s/join-token' }) },
        first: isFirst, etcd: t.k3s.datastore === 'etcd', token: o.token, serverUrl: `https://${first?.address ?? '127.0.0.1'}:6443`,
      });
      if (!isFirst) h.write('/etc/rancher/k3s/join-token', `${o.token}\n`, 0o600);
    }
  }
  for (const n of t.nodes) {
    const h = world.find(n.name)!;
    h.upgradable = n.k3s?.upgradable ?? [];
    if (n.k3s?.rebootRequired) h.write('/var/run/reboot-required', '*** System restart required ***\n');
  }
  const byName = new Map(hosts.map((h) => [h.name, h]));
  return {
    world,
    async start() {
      const client = await labClientKey(dir);
      // what sshd's ForceCommand (node-shell.sh) hands over: the command the ssh client sent, run by the node's shell
      const shell = await startShellServer(async (req) => {
        const h = byName.get(req.node);
        if (!h) return { stdout: '', stderr: `lab: no k3s node ${req.node}\n`, exitCode: 255 };
        if (!req.command) return { stdout: '', stderr: 'This lab node takes commands only (ssh HOST COMMAND); no interactive login.\n', exitCode: 1 };
        // a machine that is rebooting drops the connection a shared (ControlMaster) session still holds
        if (h.down) return { stdout: '', stderr: `Connection to 127.0.0.1 closed by remote host.\n`, exitCode: 255 };
        return runNodeShell(world, h, { command: req.command, stdin: req.stdin, user: req.user });
      });
      const sshd = new Map<string, LabSshd>();
      try {
        for (const h of hosts) sshd.set(h.name, await startSshd(dir, h.name, { authorizedKey: client.publicKey, forceCommand: ['/bin/bash', NODE_SHELL, String(shell.port), h.name] }));
      } catch (err) {
        await Promise.all([...sshd.values()].map((s) => s.stop()));
        await shell.stop();
        throw err;
      }
      world.deps.hostDown = async (name, down) => { const s = sshd.get(name); if (s) await (down ? s.pause() : s.start()); };
      const knownHosts = join(dir, 'known_hosts');
      await writeFile(knownHosts, '', { mode: 0o600 });
      return {
        world, sshd, clientKey: client.keyFile, user: client.user, knownHosts,
        host: (name) => { const h = byName.get(name); if (!h) throw new Error(`lab: no k3s node ${name}`); return h; },
        trustHostKeys: async () => {
          // known_hosts(5): "[host]:port keytype key" for a non-default port
          await writeFile(knownHosts, [...sshd.values()].map((s) => `[127.0.0.1]:${s.port} ${s.hostKey.split(' ').slice(0, 2).join(' ')}\n`).join(''), { mode: 0o600 });
        },
        stop: async () => { world.stopped = true; await Promise.all([...sshd.values()].map((s) => s.stop())); await shell.stop(); },
      };
    },
  };
}

/** rackhand.yaml's k3s cluster: every node at 127.0.0.1 on its own sshd port, the lab's client key and known_hosts. */
export async function writeK3sRackhandConfig(path: string, t: Topology, url: string, k: LabK3s, snapshotsDir: string, restic?: Record<string, string>): Promise<void> {
  mkdirSync(snapshotsDir, { recursive: true });
  const cluster = {
    distribution: 'k3s',
    kubeconfig: './kubeconfig',
    context: 'default',
    apiServer: url,
    versions: { k3s: t.k3s.version },
    ssh: { user: k.user, key: k.clientKey, knownHosts: k.knownHosts },
    k3s: {
      token: LAB_K3S_TOKEN_REF,
      datastore: t.k3s.datastore,
      server: { args: t.k3s.args.server, ...(Object.keys(t.k3s.env.server).length ? { env: t.k3s.env.server } : {}) },
      agent: { args: t.k3s.args.agent, ...(Object.keys(t.k3s.env.agent).length ? { env: t.k3s.env.agent } : {}) },
    },
    snapshots: { dir: snapshotsDir, keep: 5, ...(restic ? { restic } : {}) },
    nodes: t.nodes.map((n) => ({ name: n.name, address: '127.0.0.1', role: n.role === 'controlplane' ? 'server' : 'agent', ssh: { port: k.sshd.get(n.name)!.port } })),
  };
  await writeFile(path, `# written by the rackhand lab (lab/k3s/setup.ts): every node is a real sshd on 127.0.0.1\n${stringify({ clusters: { [t.cluster]: cluster } })}`, { mode: 0o644 });
}

/** /etc/rancher/k3s/k3s.yaml as a k3s server writes it: cluster, user and context "default", server https://127.0.0.1:6443 */
export function k3sKubeconfig(token: string): string {
  return stringify({
    apiVersion: 'v1', kind: 'Config', preferences: {},
    clusters: [{ name: 'default', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from('lab dummy CA').toString('base64') } }],
    contexts: [{ name: 'default', context: { cluster: 'default', user: 'default' } }],
    'current-context': 'default',
    users: [{ name: 'default', user: { token } }],
  });
}

export const randomToken = () => `labk3s_${randomBytes(18).toString('base64url')}`;
