// The cluster lock: a coordination.k8s.io/v1 Lease that stops two destructive runs on one cluster.
// - acquire: `kubectl create` (atomic: AlreadyExists when held); a lease whose holder stopped renewing is taken over
//   with `kubectl replace` on its resourceVersion (optimistic concurrency: two takers cannot both win);
// - expiry is judged on the lease's own renewTime + leaseDurationSeconds against the API SERVER's clock (read from the
//   creationTimestamp of a server-side dry-run create), never the local clock: a laptop with a skewed clock must
//   neither steal a live lock nor wait on a dead one;
// - renewal replaces the lease on the resourceVersion we last wrote and checks the holder first: if another run took
//   it, or renewals kept failing for a whole lease duration, `onLost` stops the run;
// - release deletes with preconditions (uid + resourceVersion, DeleteOptions via `kubectl delete --raw -f -`), so a
//   lease someone else holds by now is never deleted;
// - force-unlock refuses a holder that renewed within two renewal intervals (it is alive).
import { hostname, userInfo } from 'node:os';
import type { Kubectl } from '../tools/kubectl.ts';
import { ToolError } from '../tools/tool-error.ts';

export const LOCK_NAMESPACE = 'kube-system';
export const LOCK_NAME = 'rackhand-lock';
export const LEASE_SECONDS = 120;
const RENEW_MS = 20_000;
const LEASE = 'leases.coordination.k8s.io';
const PATH = `/apis/coordination.k8s.io/v1/namespaces/${LOCK_NAMESPACE}/leases/${LOCK_NAME}`;

export interface Lease {
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string; annotations?: Record<string, string> };
  spec?: { holderIdentity?: string; acquireTime?: string; renewTime?: string; leaseDurationSeconds?: number };
}

export class LockHeld extends Error {
  constructor(readonly holder: string, readonly since: string, detail = '') {
    super(`another run holds the cluster lock: ${holder}, since ${since}${detail}`);
    this.name = 'LockHeld';
  }
}

/** MicroTime: RFC 3339 with microseconds (k8s.io/apimachinery pkg/apis/meta/v1/micro_time.go RFC3339Micro). */
export function microTime(d = new Date()): string { return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z'); }

/** Milliseconds since the holder last renewed, on the server's clock (NaN when the lease carries no time). */
export function sinceRenewal(l: Lease, serverNow: number): number {
  return serverNow - Date.parse(l.spec?.renewTime ?? l.spec?.acquireTime ?? '');
}

export function expired(l: Lease, serverNow: number): boolean {
  const age = sinceRenewal(l, serverNow);
  return Number.isNaN(age) || age > (l.spec?.leaseDurationSeconds ?? LEASE_SECONDS) * 1000;
}

export class ClusterLock {
  readonly holder: string;
  private timer: NodeJS.Timeout | undefined;
  private mine: Lease | undefined;
  private lastRenewed = 0;

  /** `onLost` is called (once) when the lease was taken by another run or could not be renewed for a lease duration. */
  constructor(private readonly kubectl: Kubectl, private readonly task: string, private readonly onLost: (why: string) => void = () => undefined) {
    this.holder = `${userInfo().username}@${hostname()} pid ${process.pid} (${task})`;
  }

  get isHeld(): boolean { return this.mine !== undefined; }

  private doc(rv?: string, acquireTime?: string): string {
    const now = microTime();
    return JSON.stringify({
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
      metadata: { name: LOCK_NAME, namespace: LOCK_NAMESPACE, ...(rv ? { resourceVersion: rv } : {}), annotations: { 'rackhand.dev/task': this.task } },
      spec: { holderIdentity: this.holder, acquireTime: acquireTime ?? now, renewTime: now, leaseDurationSeconds: LEASE_SECONDS },
    });
  }

  private read(): Promise<Lease | undefined> { return this.kubectl.get<Lease & { metadata: { name: string } }>(LEASE, LOCK_NAME, LOCK_NAMESPACE); }

  /** The API server's clock: the creationTimestamp it stamps on a server-side dry-run create (nothing is stored;
   *  dry-run: kubernetes.io/docs/reference/using-api/api-concepts/#dry-run). Falls back to the local clock. */
  async serverNow(): Promise<number> {
    try {
      const out = await this.kubectl.read(['create', '--dry-run=server', '--validate=false', '--output', 'jsonpath={.metadata.creationTimestamp}', '-f', '-'], undefined,
        JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rackhand-clock', namespace: LOCK_NAMESPACE } }));
      const t = Date.parse(out.trim());
      return Number.isNaN(t) ? Date.now() : t + 500; // creationTimestamp has whole seconds
    } catch {
      return Date.now();
    }
  }

  /** Who holds the lock now, if anyone (expired leases count as free). */
  async current(): Promise<Lease | undefined> {
    const l = await this.read();
    return l && !expired(l, await this.serverNow()) ? l : undefined;
  }

  async acquire(o: { force?: boolean } = {}): Promise<void> {
    try {
      await this.kubectl.mutate(['create', '--validate=false', '--output', 'json', '-f', '-'], { input: this.doc() }).then((r) => { this.mine = JSON.parse(r.stdout) as Lease; });
    } catch (err) {
      if (!(err instanceof ToolError) || err.kind !== 'AlreadyExists') throw err;
      const l = await this.read();
      const now = await this.serverNow();
      if (l && !expired(l, now)) {
        const age = sinceRenewal(l, now);
        if (!o.force || age < 2 * RENEW_MS) {
          throw new LockHeld(l.spec?.holderIdentity ?? 'unknown', l.spec?.acquireTime ?? 'unknown',
            `; last renewed ${Math.max(0, Math.round(age / 1000))} s ago${o.force ? ' (it is alive: --force-unlock only takes a lock whose holder stopped renewing)' : ''}`);
        }
      }
      // Expired, or forced on a holder that stopped renewing: take it over; a Conflict means someone else was faster.
      try {
        const r = await this.kubectl.mutate(['replace', '--validate=false', '--output', 'json', '-f', '-'], { input: this.doc(l?.metadata.resourceVersion) });
        this.mine = JSON.parse(r.stdout) as Lease;
      } catch (e) {
        if (e instanceof ToolError && (e.kind === 'Conflict' || e.kind === 'NotFound')) throw new LockHeld('another run (took over the free lock first)', microTime());
        throw e;
      }
    }
    this.lastRenewed = Date.now();
    this.timer = setInterval(() => { void this.renew(); }, RENEW_MS);
    this.timer.unref();
  }

  private lost(why: string): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.mine = undefined;
    this.onLost(why);
  }

  /** One renewal: the holder must still be us, and the replace is conditional on the resourceVersion we wrote. */
  async renew(): Promise<void> {
    if (!this.mine) return;
    try {
      const cur = await this.read();
      if (!cur || cur.metadata.uid !== this.mine.metadata.uid || cur.spec?.holderIdentity !== this.holder) {
        return this.lost(`the cluster lock was taken by ${cur?.spec?.holderIdentity ?? 'nobody (it was deleted)'}`);
      }
      const r = await this.kubectl.mutate(['replace', '--validate=false', '--output', 'json', '-f', '-'], { input: this.doc(this.mine.metadata.resourceVersion, this.mine.spec?.acquireTime) });
      this.mine = JSON.parse(r.stdout) as Lease;
      this.lastRenewed = Date.now();
    } catch (err) {
      if (err instanceof ToolError && err.kind === 'Conflict') return this.lost('the cluster lock was changed by another run');
      if (Date.now() - this.lastRenewed > LEASE_SECONDS * 1000) this.lost(`the cluster lock could not be renewed for ${LEASE_SECONDS} s: ${(err as Error).message}`);
    }
  }

  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const mine = this.mine;
    if (!mine) return;
    this.mine = undefined;
    // DeleteOptions.preconditions: the server refuses (409) unless uid and resourceVersion still match
    // (kubectl delete --raw sends the file as the body: kubernetes/kubectl pkg/cmd/delete/delete.go RawDelete).
    const body = { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: mine.metadata.uid, resourceVersion: mine.metadata.resourceVersion } };
    try {
      await this.kubectl.mutate(['delete', '--raw', PATH, '-f', '-'], { input: JSON.stringify(body) });
    } catch (err) {
      if (err instanceof ToolError && (err.kind === 'NotFound' || err.kind === 'Conflict')) return; // gone, or not ours any more
      throw err;
    }
  }
}
