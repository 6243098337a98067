import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { withLab } from '../helpers/lab.ts';
import { armHold, testRegistry } from '../fixtures/tasks.ts';

describe('the cluster lock (a Lease) against the lab', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  let env: Record<string, string | undefined>;
  const run = (argv: string[]) => cli(argv, { env, cwd: lab.dir, registry: testRegistry });
  const lease = async () => {
    const r = await execa('kubectl', ['get', 'lease', '-n', 'kube-system', 'rackhand-lock', '-o', 'json', '--ignore-not-found'], { env: { ...process.env, ...lab.env } });
    return r.stdout.trim() ? JSON.parse(r.stdout) as { spec: { holderIdentity: string; acquireTime: string; renewTime: string; leaseDurationSeconds: number } } : undefined;
  };
  beforeAll(async () => {
    lab = await withLab();
    env = { ...process.env, ...lab.env, RACKHAND_STATE_DIR: `${lab.dir}/.rackhand`, CI: 'true' };
  });
  afterAll(async () => { await lab?.stop(); });

  it('a second destructive run exits 4 naming the holder and since when; the lease is gone after the first ends', async () => {
    const gate = armHold();
    const first = run(['test:hold', '--yes']);
    await gate.entered;
    const held = await lease();
    expect(held?.spec.holderIdentity).toMatch(/pid \d+ \(test:hold\)$/);
    expect(held?.spec.leaseDurationSeconds).toBe(120);
    const second = await run(['test:hold', '--yes']);
    expect(second.code).toBe(4);
    expect(second.stderr).toContain(`another run holds the cluster lock: ${held!.spec.holderIdentity}, since ${held!.spec.acquireTime}`);
    expect(second.stderr).toContain('--force-unlock');
    expect(second.record?.commands.filter((c) => c.mutating && c.argv.includes('true'))).toEqual([]);
    gate.release();
    expect((await first).code).toBe(0);
    expect(await lease()).toBeUndefined();
  });

  it('--dry-run does not take the lock but warns that it is held', async () => {
    const gate = armHold();
    const first = run(['test:hold', '--yes']);
    await gate.entered;
    const dry = await run(['test:hold', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain('the cluster lock is held by');
    expect(dry.stderr).toContain('[dry-run] true');
    gate.release();
    await first;
  });

  it('a lease left by a run that died is taken over once expired, and --force-unlock removes a live one', async () => {
    const stale = {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'rackhand-lock', namespace: 'kube-system' },
      spec: { holderIdentity: 'ghost@old-laptop pid 1 (talos:upgrade-node)', acquireTime: '2026-01-01T00:00:00.000000Z', renewTime: '2026-01-01T00:00:00.000000Z', leaseDurationSeconds: 120 },
    };
    await execa('kubectl', ['create', '--validate=false', '-f', '-'], { input: JSON.stringify(stale), env: { ...process.env, ...lab.env } });
    const g1 = armHold();
    const p = run(['test:hold', '--yes']);
    await g1.entered;
    expect((await lease())?.spec.holderIdentity).toMatch(/\(test:hold\)$/);
    g1.release();
    expect((await p).code).toBe(0);

    // a holder that renewed just now is alive: --force-unlock refuses it (exit 4) and says why
    const at = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace('Z', '000Z');
    const fresh = { ...stale, spec: { ...stale.spec, acquireTime: at(0), renewTime: at(0) } };
    await execa('kubectl', ['create', '--validate=false', '-f', '-'], { input: JSON.stringify(fresh), env: { ...process.env, ...lab.env } });
    expect((await run(['test:hold', '--yes'])).code).toBe(4);
    const alive = await run(['test:hold', '--yes', '--force-unlock']);
    expect(alive.code).toBe(4);
    expect(alive.stderr).toContain('it is alive: --force-unlock only takes a lock whose holder stopped renewing');
    expect((await lease())?.spec.holderIdentity).toBe(stale.spec.holderIdentity);
    // a holder that stopped renewing 60 s ago (the lease has not expired yet): --force-unlock takes it
    await execa('kubectl', ['delete', 'lease', '-n', 'kube-system', 'rackhand-lock'], { env: { ...process.env, ...lab.env } });
    const dead = { ...stale, spec: { ...stale.spec, acquireTime: at(60_000), renewTime: at(60_000) } };
    await execa('kubectl', ['create', '--validate=false', '-f', '-'], { input: JSON.stringify(dead), env: { ...process.env, ...lab.env } });
    const refused = await run(['test:hold', '--yes']);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/next: wait for it to finish .*npx tsx tasks test:hold --yes --force-unlock$/m);
    const g2 = armHold();
    const forced = run(['test:hold', '--yes', '--force-unlock']);
    await g2.entered;
    g2.release();
    expect((await forced).code).toBe(0);
    expect(await lease()).toBeUndefined();
  });

  it('renewal notices a lease taken by another run and stops it; release never deletes a lease that is not its own', async () => {
    const { Executor } = await import('../../lib/exec.ts');
    const { Kubectl } = await import('../../lib/tools/kubectl.ts');
    const { ClusterLock } = await import('../../lib/engine/lock.ts');
    const kubectl = new Kubectl(new Executor({ env }), { kubeconfig: lab.kubeconfigPath, context: 'admin@lab' });
    const lost: string[] = [];
    const mine = new ClusterLock(kubectl, 'test:renew', (why) => lost.push(why));
    await mine.acquire();
    await mine.renew();
    expect(lost).toEqual([]);
    const renewed = await lease();
    expect(Date.parse(renewed!.spec.renewTime)).toBeGreaterThanOrEqual(Date.parse(renewed!.spec.acquireTime));
    // someone deletes it by hand and another run takes it
    await execa('kubectl', ['delete', 'lease', '-n', 'kube-system', 'rackhand-lock'], { env: { ...process.env, ...lab.env } });
    const other = new ClusterLock(kubectl, 'test:other');
    await other.acquire();
    await mine.renew();
    expect(lost).toEqual([expect.stringMatching(/the cluster lock was taken by .*\(test:other\)/)]);
    await mine.release(); // lost: must not touch the other run's lease
    expect((await lease())?.spec.holderIdentity).toMatch(/\(test:other\)$/);
    await other.release();
    expect(await lease()).toBeUndefined();
  });
});

describe('lease expiry is judged on the server clock', () => {
  it('a lease renewed 100 s before the SERVER time is live, 130 s before it is expired, whatever the local clock says', async () => {
    const { expired, sinceRenewal } = await import('../../lib/engine/lock.ts');
    const server = Date.parse('2026-12-03T10:00:00Z');
    const lease = (agoMs: number) => ({ metadata: { name: 'rackhand-lock' }, spec: { renewTime: new Date(server - agoMs).toISOString(), leaseDurationSeconds: 120 } });
    expect(expired(lease(100_000), server)).toBe(false);
    expect(expired(lease(130_000), server)).toBe(true);
    expect(sinceRenewal(lease(100_000), server)).toBe(100_000);
    expect(expired({ metadata: { name: 'x' }, spec: {} }, server)).toBe(true); // no time at all: free
  });
});
