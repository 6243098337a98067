// The Talos side of a lab node: version, installer image, stage, configured-or-maintenance, boot id, etcd member.
// One Machine per topology node; the Talos world (world.ts) owns them and plays reboots, upgrades and resets.
import { createHash, randomUUID } from 'node:crypto';

/** runtime.MachineStage values as `get machinestatus` prints them (pkg/machinery/resources/runtime/machine_status.go) */
export type Stage = 'unknown' | 'booting' | 'installing' | 'maintenance' | 'running' | 'rebooting' | 'shutting down' | 'resetting' | 'upgrading';

export interface EtcdMember {
  id: string; // FormatMemberID: %016x
  hostname: string;
  peerUrls: string[];
  clientUrls: string[];
  learner: boolean;
}

export interface MachineInit {
  name: string;
  address: string;
  role: 'controlplane' | 'worker';
  version: string;
  installer: string;
  schematic: string;
  maintenance: boolean;
  /** the cluster the machine's default config names (cluster.clusterName) */
  cluster?: string;
}

export class Machine {
  readonly name: string;
  readonly address: string;
  readonly role: 'controlplane' | 'worker';
  readonly cluster: string;
  version: string;
  installer: string;
  schematic: string;
  /** what an upgrade installed that the next reboot will boot (LifecycleService.Upgrade installs without rebooting) */
  pending?: { version: string; installer: string; schematic: string };
  stage: Stage;
  configured: boolean;
  /** powered off (shutdown, reset without --reboot): unreachable until something powers it on */
  off = false;
  bootId = randomUUID();
  etcd?: EtcdMember;
  /** the machine configuration document last applied (apply-config) */
  config?: string;
  /** one sequence at a time: upgrade, reboot, reset... (machined's sequencer lock) */
  busy?: string;
  readonly created = Date.now();
  updated = Date.now();
  resourceVersion = 1;

  constructor(init: MachineInit) {
    this.name = init.name;
    this.address = init.address;
    this.role = init.role;
    this.cluster = init.cluster ?? 'lab';
    this.version = init.version;
    this.installer = init.installer;
    this.schematic = init.schematic;
    this.configured = !init.maintenance;
    this.stage = init.maintenance ? 'maintenance' : 'running';
    if (this.role === 'controlplane' && this.configured) this.etcd = memberFor(init.name, init.address);
  }

  get controlPlane(): boolean {
    return this.role === 'controlplane';
  }

  /** The installer image this machine was installed from: <registry>/<repo>/<schematic>:<version> */
  get image(): string {
    return `${this.installer}/${this.schematic}:${this.version}`;
  }

  /** resolves when the stage is one of `stages` or the deadline (epoch ms) passes */
  async untilStage(stages: Stage[], deadline: number): Promise<boolean> {
    while (!stages.includes(this.stage)) {
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 10));
    }
    return true;
  }

  touch(): void {
    this.updated = Date.now();
    this.resourceVersion += 1;
  }
}

export function memberFor(name: string, address: string): EtcdMember {
  const id = createHash('sha256').update(`etcd-member/${name}`).digest('hex').slice(0, 16);
  return { id, hostname: name, peerUrls: [`https://${address}:2380`], clientUrls: [`https://${address}:2379`], learner: false };
}

/** `<registry>/<repo...>/<schematic>:<vX.Y.Z>` => parts, or undefined when the image does not look like that */
export function parseInstallerImage(image: string): { installer: string; schematic: string; version: string } | undefined {
  const m = /^(.+)\/([0-9a-f]{64}):(v\d+\.\d+\.\d+)$/.exec(image);
  if (m) return { installer: m[1]!, schematic: m[2]!, version: m[3]! };
  return undefined;
}

export const minor = (v: string): [number, number] => {
  const m = /^v?(\d+)\.(\d+)/.exec(v);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
};

/** a >= b on major.minor */
export const atLeast = (v: string, major: number, min: number): boolean => {
  const [a, b] = minor(v);
  return a > major || (a === major && b >= min);
};
