// node:os-updates on a k3s lab: pending updates and the reboot-required flag per node over SSH; --reboot reboots
// only the node that asks for it, drained and uncordoned again, and a re-run has nothing to do.
import { cp, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

const SINGLE = fileURLToPath(new URL('../../lab/topologies/k3s.yaml', import.meta.url));

describe('node:os-updates, and a node that cannot be reached', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => {
    lab = await withLab({ topology: SINGLE, rebootMs: 300 });
    await lab.k3s!.trustHostKeys();
  });
  afterAll(async () => { await lab?.stop(); });

  it('reports updates and reboot-required per node; --reboot reboots only a1, drained and uncordoned; a re-run does nothing', async () => {
    const report = await lab.run(['node:os-updates', '--cluster', 'lab']);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/^a1\s+2\s+openssl, libssl3t64\s+yes$/m);
    expect(report.stdout).toMatch(/^a2\s+0\s+-\s+no$/m);
    expect(lab.events.filter((e) => e.type === 'host-reboot')).toEqual([]);

    const bootBefore = lab.store.find('nodes', undefined, 'a1')!.status.nodeInfo.bootID;
    const r = await lab.run(['node:os-updates', '--cluster', 'lab', '--reboot', '--yes', '--timeout', '30s']);
    expect(r.code, r.stderr).toBe(0);
    expect(lab.events.filter((e) => e.type === 'host-reboot').map((e) => e.object)).toEqual(['a1']);
    const a1 = lab.store.find('nodes', undefined, 'a1')!;
    expect(a1.status.nodeInfo.bootID).not.toBe(bootBefore);
    expect(a1.spec?.unschedulable).toBeFalsy();
    const order = lab.events.filter((e) => e.object === 'a1' && /node-cordoned|host-reboot|node-uncordoned/.test(e.type)).map((e) => e.type);
    expect(order).toEqual(['node-cordoned', 'host-reboot', 'node-uncordoned']);
    expect(lab.k3s!.host('a1').exists('/var/run/reboot-required')).toBe(false);

    const again = await lab.run(['node:os-updates', '--cluster', 'lab', '--reboot', '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(lab.events.filter((e) => e.type === 'host-reboot')).toHaveLength(1);
  });

  it('the os-updates runbook runs through runbook:run (each step a task with its own record, under one lock)', async () => {
    // the repository's runbook, as an operator's checkout would have it next to rackhand.yaml
    await mkdir(join(lab.dir, 'runbooks'), { recursive: true });
    await cp(join(process.cwd(), 'runbooks', 'os-updates.md'), join(lab.dir, 'runbooks', 'os-updates.md'));
    const r = await lab.run(['runbook:run', 'os-updates', '--cluster', 'lab', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.record!.steps.map((s) => `${s.title.split(' ').slice(0, 2).join(' ')} ${s.status}`)).toEqual([
      'take the done', '1. node:os-updates done', '2. [manual] done', '3. node:os-updates done', '4. cluster:status done', 'release the done',
    ]);
    expect((r.record!.data.records as string[]).length).toBe(3);
    expect(lab.store.find('leases.coordination.k8s.io', 'kube-system', 'rackhand-lock')).toBeUndefined();
  });

  it('a node whose sshd refuses is refused in preflight (exit 3) naming the node; nothing changes', async () => {
    await lab.faults.sshRefused('a2');
    const refused = await lab.run(['k3s:upgrade', '--cluster', 'lab', '--all', '--to', 'v1.31.4+k3s1', '--yes']);
    expect(refused.code).toBe(3);
    // a new connection is refused; one rackhand still shared (ControlMaster) is closed by the remote end
    expect(refused.stderr).toMatch(/a2: ssh to root@127\.0\.0\.1 port \d+ failed: .*(Connection refused|closed by remote host)/);
    lab.faults.clearFaults();
    await lab.k3s!.sshd.get('a2')!.start();
    lab.faults.clearFaults();
    expect(lab.events.filter((e) => e.type === 'k3s-install')).toEqual([]);
  });
});
