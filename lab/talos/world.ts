// The Talos world of a lab: the machines, their faults, and what machined does on them -- reboots, the legacy
// (<= v1.12) upgrade sequence with its node-side cordon/drain, resets, apply-config, etcd bootstrap and membership.
// In an empty lab (every machine in maintenance) nothing runs until `talosctl bootstrap`: configured control planes
// join etcd once it is bootstrapped, and kubelets register their Nodes once the API server answers.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../controllers/clock.js';
import type { NodeController } from '../controllers/nodes.js';
import type { Kube } from './kube.js';
import { Machine, memberFor } from './machine.js';

export class RpcError extends Error {
  constructor(readonly code: string, readonly desc: string) {
    super(`rpc error: code = ${code} desc = ${desc}`);
  }
}

export interface WorldDeps {
  kube: Kube;
  nodes: NodeController;
  clock: Clock;
  record(type: string, object: string, detail?: string): void;
  rebootMs: number;
  /** lab time compression: real talosctl/Talos durations (5 m drain cap, 5 s retry, 30 m timeouts) are multiplied by it */
  timeScale: number;
  /** registers a machine's Kubernetes Node (a maintenance machine that just got its config) */
  registerNode(name: string): void;
  /** the cluster name a machine config must carry in cluster.clusterName (default: not checked) */
  cluster?: string;
  /** schematic id => the official extensions it installs (the lab's Image Factory) */
  schematics?: Record<string, string[]>;
  /** whether kube-apiserver answers yet (default: always) */
  apiUp?(): boolean;
  /** etcd was just bootstrapped on m: the lab brings kube-apiserver up a little later */
  onBootstrap?(m: Machine): void;
  /** no control plane has etcd data any more: kube-apiserver stops answering */
  onEtcdLost?(): void;
  /** the admin kubeconfig a control plane hands out (`talosctl kubeconfig`), as a kubeconfig document */
  adminKubeconfig?(): Record<string, unknown>;
}

export interface Faults {
  neverReady: Set<string>;
  upgradeFails: Map<string, string>;
  etcdUnhealthy: Map<string, string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

export class TalosWorld {
  readonly faults: Faults = { neverReady: new Set(), upgradeFails: new Map(), etcdUnhealthy: new Map() };
  /** etcd has data (false only in an empty lab, until `talosctl bootstrap`) */
  bootstrapped: boolean;
  stopped = false;

  constructor(readonly machines: Machine[], readonly clientVersion: string, readonly deps: WorldDeps, opts: { bootstrapped?: boolean } = {}) {
    this.bootstrapped = opts.bootstrapped ?? true;
  }

  /**
   * What `talosctl get extensions` lists on a machine: an Image Factory installer adds an extension named
   * `schematic` whose version is the schematic id (siderolabs/image-factory, "schematic" system extension), then
   * the schematic's official extensions by their short name (metadata.name is the manifest's name, e.g. i915).
   */
  extensions(m: Machine): { name: string; version: string; image: string }[] {
    const official = this.deps.schematics?.[m.schematic] ?? [];
    const factory = m.installer.startsWith('factory.talos.dev/');
    return [
      ...official.map((e, i) => ({ name: e.split('/').pop()!, version: m.version, image: `${String(i).padStart(3, '0')}-${e.replace('/', '-')}.sqsh` })),
      ...(factory ? [{ name: 'schematic', version: m.schematic, image: '' }] : []),
    ];
  }

  apiUp(): boolean {
    return this.deps.apiUp?.() ?? true;
  }

  /** a -n/-e target: an address or a hostname */
  find(target: string): Machine | undefined {
    return this.machines.find((m) => m.address === target || m.name === target);
  }

  /** scaled real duration (ms) */
  scaled(ms: number): number {
    return Math.max(1, Math.round(ms * this.deps.timeScale));
  }

  /** the gRPC error a client gets from a machine that does not answer, or undefined when it answers */
  unreachable(target: string, m: Machine | undefined): RpcError | undefined {
    if (!m) {
      const ip = /^\d+\.\d+\.\d+\.\d+$/.test(target);
      return new RpcError('Unavailable', `connection error: desc = "transport: Error while dialing: dial tcp ${ip ? `${target}:50000: connect: no route to host` : `: lookup ${target}: no such host`}"`);
    }
    if (m.off || m.stage === 'rebooting') {
      return new RpcError('Unavailable', `connection error: desc = "transport: Error while dialing: dial tcp ${m.address}:50000: connect: connection refused"`);
    }
    return undefined;
  }

  machineStatus(m: Machine): { stage: string; ready: boolean; unmetConditions: { name: string; reason: string }[] } {
    const unmet: { name: string; reason: string }[] = [];
    if (m.stage === 'running' && this.deps.kube.node(m.name) && !this.deps.kube.ready(m.name)) unmet.push({ name: 'nodeReady', reason: 'node not ready' });
    if (m.stage !== 'running' && m.stage !== 'maintenance') unmet.push({ name: 'services', reason: 'some services are not healthy' });
    return { stage: m.stage, ready: (m.stage === 'running' || m.stage === 'maintenance') && unmet.length === 0, unmetConditions: unmet };
  }

  /** Reboots a machine; resolves when it has booted (Kubernetes readiness is waitReady's business). */
  async reboot(m: Machine, why: string): Promise<void> {
    const { nodes, kube, record } = this.deps;
    m.stage = 'rebooting';
    m.touch();
    if (this.faults.neverReady.delete(m.name) && kube.node(m.name)) nodes.setReady(m.name, false);
    if (kube.node(m.name) && !nodes.isRebooting(m.name)) nodes.reboot(m.name).catch(() => undefined);
    else record('node-reboot-start', m.name, why);
    await new Promise<void>((r) => this.deps.clock.after(this.deps.rebootMs, r));
    if (this.stopped) return;
    m.bootId = randomUUID();
    if (m.pending) {
      Object.assign(m, m.pending);
      m.pending = undefined;
      const n = kube.node(m.name);
      if (n) kube.setOsImage(m.name, `Talos (${m.version})`);
    }
    m.stage = m.configured ? 'running' : 'maintenance';
    // a configured control plane whose etcd data was wiped joins the running cluster again on boot
    if (m.configured && m.controlPlane && !m.etcd && this.bootstrapped && this.machines.some((x) => x !== m && x.etcd)) m.etcd = memberFor(m.name, m.address);
    m.touch();
    if (!kube.node(m.name)) record('node-reboot-end', m.name);
  }

  /** the etcd service as `talosctl service etcd` shows it */
  etcdService(m: Machine): 'Running' | 'Preparing' | 'Waiting' {
    if (m.etcd) return 'Running';
    return m.controlPlane && m.configured && m.stage === 'running' ? 'Preparing' : 'Waiting';
  }

  /** until the machine runs and its Kubernetes node is Ready (or it has none); false at the deadline */
  async waitReady(m: Machine, deadline: number): Promise<boolean> {
    while (!this.stopped) {
      if (m.stage === 'running' && (!this.deps.kube.node(m.name) || this.deps.kube.ready(m.name))) return true;
      if (Date.now() >= deadline) return false;
      await sleep(20);
    }
    return false;
  }

  lock(m: Machine, what: string): void {
    if (m.busy) throw new RpcError('FailedPrecondition', `failed to acquire lock: ${m.busy} sequence is already running`);
    m.busy = what;
  }

  /**
   * The legacy MachineService.Upgrade sequence (machined <= v1.12): cordon (talos.dev/cordoned) + drain from the
   * node, retrying PDB-blocked evictions every 5 s for at most 5 min (scaled), then CONTINUE anyway; install;
   * reboot; on the way up uncordon only if Talos cordoned it. Returns the actor id at once; `done` settles when the
   * machine is back (never, when the node never becomes Ready).
   */
  upgradeLegacy(m: Machine, parts: { installer: string; schematic: string; version: string }, image: string): { actorId: string; done: Promise<void> } {
    const fail = this.faults.upgradeFails.get(m.name);
    if (fail !== undefined) throw new RpcError('Internal', fail);
    this.lock(m, 'upgrade');
    const { kube, record } = this.deps;
    record('talos-upgrade-start', m.name, image);
    const done = (async () => {
      try {
        m.stage = 'upgrading';
        m.touch();
        kube.cordon(m.name, true);
        const failed = await kube.drain(m.name, this.scaled(5_000), Date.now() + this.scaled(300_000), (pod, err) => {
          if (err) record('talos-drain-warning', m.name, `WARNING: failed to evict pod: failed to evict pod ${pod.metadata.namespace}/${pod.metadata.name}: ${err}`);
        });
        record('node-drained', m.name, failed.length ? `gave up on ${failed.map((f) => `${f.pod.metadata.namespace}/${f.pod.metadata.name}`).join(', ')}` : 'all pods evicted');
        m.pending = parts;
        await this.reboot(m, 'upgrade');
        await this.waitReady(m, Number.POSITIVE_INFINITY);
        if (this.stopped) return;
        kube.uncordonIfTalos(m.name);
        record('talos-upgrade-done', m.name, m.version);
      } finally {
        m.busy = undefined;
      }
    })();
    done.catch(() => undefined);
    return { actorId: randomUUID(), done };
  }

  /** reset: leave etcd, wipe STATE (=> maintenance) and EPHEMERAL, then reboot or power off */
  async reset(m: Machine, opts: { graceful: boolean; reboot: boolean; labels: string[] }): Promise<void> {
    this.lock(m, 'reset');
    try {
      m.stage = 'resetting';
      m.touch();
      this.deps.record('talos-reset', m.name, opts.labels.length ? opts.labels.join(',') : 'all');
      if (m.etcd) m.etcd = undefined;
      const wipeState = opts.labels.length === 0 || opts.labels.includes('STATE');
      if (wipeState) m.configured = false;
      // EPHEMERAL holds etcd's data: when no control plane has any left, etcd waits for a (recovering) bootstrap and
      // kube-apiserver stops answering (talos.dev disaster recovery: etcd service in "Preparing")
      if (this.bootstrapped && !this.machines.some((x) => x.etcd)) {
        this.bootstrapped = false;
        this.deps.onEtcdLost?.();
      }
      if (this.deps.kube.node(m.name)) this.deps.nodes.setReady(m.name, false);
      if (opts.reboot) {
        await this.reboot(m, 'reset');
        // still configured (only EPHEMERAL was wiped): its kubelet comes back with it
        if (m.configured && !this.stopped && this.deps.kube.node(m.name)) this.deps.nodes.setReady(m.name, true);
      } else {
        m.off = true;
        this.deps.record('node-power-off', m.name);
      }
    } finally {
      m.busy = undefined;
    }
  }

  async shutdown(m: Machine): Promise<void> {
    this.lock(m, 'shutdown');
    m.stage = 'shutting down';
    m.touch();
    if (this.deps.kube.node(m.name)) this.deps.nodes.setReady(m.name, false);
    await sleep(this.scaled(10_000));
    m.off = true;
    m.busy = undefined;
    this.deps.record('node-power-off', m.name);
  }

  /**
   * A maintenance machine takes its configuration: installs, reboots, joins etcd (a control plane, once etcd is
   * bootstrapped) and registers its node (once the API server answers; else kubeletsUp does it later).
   */
  async configure(m: Machine): Promise<void> {
    this.lock(m, 'install');
    try {
      m.stage = 'installing';
      m.configured = true;
      m.touch();
      await this.reboot(m, 'install');
      if (this.stopped) return;
      if (m.controlPlane && this.bootstrapped) m.etcd = memberFor(m.name, m.address);
      if (!this.apiUp()) return;
      if (!this.deps.kube.node(m.name)) this.deps.registerNode(m.name);
      else this.deps.nodes.setReady(m.name, true);
    } finally {
      m.busy = undefined;
    }
  }

  /** `talosctl bootstrap` accepted on m: etcd starts there, the other configured control planes join it */
  bootstrap(m: Machine): void {
    this.bootstrapped = true;
    for (const cp of [m, ...this.machines.filter((x) => x !== m && x.controlPlane && x.configured && x.stage === 'running')]) {
      cp.etcd ??= memberFor(cp.name, cp.address);
      cp.touch();
    }
    this.deps.record('talos-bootstrap', m.name);
    this.deps.onBootstrap?.(m);
  }

  /** the API server just came up: every configured, running machine's kubelet registers its Node */
  kubeletsUp(): void {
    for (const m of this.machines) {
      if (m.configured && m.stage === 'running' && !this.deps.kube.node(m.name)) this.deps.registerNode(m.name);
    }
  }

  etcdMembers(): Machine[] {
    return this.machines.filter((m) => m.etcd);
  }
}
