// The cluster lock: a coordination.k8s.io/v1 Lease that stops two destructive runs on one cluster. Created with
// `kubectl create` (atomic: AlreadyExists when held), renewed while the run lasts, deleted at the end. A lease whose
// holder stopped renewing (crash, kill -9) expires after LEASE_SECONDS and is taken over with `kubectl replace`
// (optimistic concurrency on resourceVersion, so two takers cannot both win).
import { hostname, userInfo } from 'node:os';
import type { Kubectl } from '../tools/kubectl.ts';
import { ToolError } from '../tools/tool-error.ts';

export const LOCK_NAMESPACE = 'kube-system';
export const LOCK_NAME = 'rackhand-lock';
const LEASE_SECONDS = 120;

interface Lease {
  metadata: { name: string; namespace?: string; resourceVersion?: string; annotations?: Record<string, string> };
  spec?: { holderIdentity?: string; acquireTime?: string; renewTime?: string; leaseDurationSeconds?: number };
}

export class LockHeld extends Error {
  constructor(readonly holder: string, readonly since: string) {
    super(`another run holds the cluster lock: ${holder}, since ${since}`);
    this.name = 'LockHeld';
  }
}

/** MicroTime: RFC 3339 with microseconds (k8s.io/apimachinery pkg/apis/meta/v1/micro_time.go RFC3339Micro). */
function microTime(d = new Date()): string { return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z'); }

function leaseDoc(holder: string, task: string, resourceVersion?: string): string {
  const now = microTime();
  return JSON.stringify({
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
    metadata: { name: LOCK_NAME, namespace: LOCK_NAMESPACE, ...(resourceVersion ? { resourceVersion } : {}), annotations: { 'rackhand.dev/task': task } },
    spec: { holderIdentity: holder, acquireTime: now, renewTime: now, leaseDurationSeconds: LEASE_SECONDS },
  });
}

function expired(l: Lease, now = Date.now()): boolean {
  const renewed = Date.parse(l.spec?.renewTime ?? l.spec?.acquireTime ?? '');
  return Number.isNaN(renewed) || renewed + (l.spec?.leaseDurationSeconds ?? LEASE_SECONDS) * 1000 < now;
}

export class ClusterLock {
  readonly holder: string;
  private timer: NodeJS.Timeout | undefined;
  private held = false;

  constructor(private readonly kubectl: Kubectl, private readonly task: string) {
    this.holder = `${userInfo().username}@${hostname()} pid ${process.pid} (${task})`;
  }

  /** Who holds the lock now, if anyone (expired leases count as free). */
  async current(): Promise<Lease | undefined> {
    const l = await this.kubectl.get<Lease & { metadata: { name: string } }>('leases.coordination.k8s.io', LOCK_NAME, LOCK_NAMESPACE);
    return l && !expired(l) ? l : undefined;
  }

  async acquire(o: { force?: boolean } = {}): Promise<void> {
    if (o.force) await this.kubectl.mutate(['delete', 'lease', LOCK_NAME, '--namespace', LOCK_NAMESPACE, '--ignore-not-found', '--wait=false']);
    try {
      await this.kubectl.mutate(['create', '--validate=false', '-f', '-'], { input: leaseDoc(this.holder, this.task) });
    } catch (err) {
      if (!(err instanceof ToolError) || err.kind !== 'AlreadyExists') throw err;
      const l = await this.kubectl.get<Lease & { metadata: { name: string } }>('leases.coordination.k8s.io', LOCK_NAME, LOCK_NAMESPACE);
      if (l && !expired(l)) throw new LockHeld(l.spec?.holderIdentity ?? 'unknown', l.spec?.acquireTime ?? 'unknown');
      // Expired: take it over; a Conflict means someone else was faster.
      try {
        await this.kubectl.mutate(['replace', '--validate=false', '-f', '-'], { input: leaseDoc(this.holder, this.task, l?.metadata.resourceVersion) });
      } catch (e) {
        if (e instanceof ToolError && (e.kind === 'Conflict' || e.kind === 'NotFound')) throw new LockHeld('another run (took over the expired lock first)', microTime());
        throw e;
      }
    }
    this.held = true;
    this.timer = setInterval(() => { void this.renew(); }, (LEASE_SECONDS / 3) * 1000);
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    if (!this.held) return;
    await this.kubectl.mutate(['patch', 'lease', LOCK_NAME, '--namespace', LOCK_NAMESPACE, '--type', 'merge',
      '-p', JSON.stringify({ spec: { renewTime: microTime() } })]).catch(() => undefined);
  }

  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (!this.held) return;
    this.held = false;
    const l = await this.kubectl.get<Lease & { metadata: { name: string } }>('leases.coordination.k8s.io', LOCK_NAME, LOCK_NAMESPACE).catch(() => undefined);
    if (l?.spec?.holderIdentity === this.holder) {
      await this.kubectl.mutate(['delete', 'lease', LOCK_NAME, '--namespace', LOCK_NAMESPACE, '--ignore-not-found', '--wait=false']);
    }
  }
}
