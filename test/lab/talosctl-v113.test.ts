// A v1.13 lab with a v1.13 talosctl: the client drains, reboots, waits and uncordons; deprecated flags warn;
// apply-config's maintenance/configured rules; upgrade-k8s; reboot and reset.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/lab.js';
import { closeLab, json, openLab, rows, until } from './kubectl.js';
import { concatenatedJson, eventsOf, IMAGE, talosctl } from './talosctl.js';

let lab: Lab;
beforeAll(async () => { lab = await openLab({ topology: join(process.cwd(), 'test', 'lab', 'talos.topology.yaml'), rebootMs: 250, timeScale: 0.002 }); });
afterAll(async () => closeLab(lab));

const node = (n: string) => lab.store.get('nodes', undefined, n);

describe('fake talosctl, v1.13 generation', () => {
  it('reports v1.13 and the v1.13 etcd status columns', async () => {
    expect((await talosctl(lab, 'version', '--client', '--short')).stdout).toBe('Client:\nTalos v1.13.2\n');
    expect(rows((await talosctl(lab, '-n', '10.5.0.11', 'etcd', 'status')).stdout)[0]).toEqual(['NODE', 'MEMBER', 'DB SIZE', 'IN USE', 'LEADER', 'RAFT INDEX', 'RAFT TERM', 'RAFT APPLIED INDEX', 'LEARNER', 'PROTOCOL', 'STORAGE', 'ERRORS']);
  });

  it('upgrade blocks through cordon, drain (honouring the PDB), reboot and uncordon', async () => {
    const r = await talosctl(lab, '-n', '10.5.0.21', 'upgrade', '--image', IMAGE('v1.13.3'));
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('w1: cordoning node\nw1: node cordoned\nw1: draining node\n');
    expect(r.stderr).toContain('w1: node drained\n');
    expect(r.stderr).toMatch(/w1: uncordoning node\nw1: node uncordoned\n$/);
    const types = eventsOf(lab, 'w1');
    const order = ['talos-upgrade-start', 'node-cordoned', 'node-drained', 'node-reboot-start', 'node-ready', 'talos-upgrade-done', 'node-uncordoned'];
    await until('uncordon observed', () => eventsOf(lab, 'w1').includes('node-uncordoned'));
    expect(eventsOf(lab, 'w1').filter((t) => order.includes(t))).toEqual(order);
    expect(types).not.toContain('talos-drain-warning');
    expect(node('w1').spec.unschedulable).toBeUndefined();
    expect(node('w1').metadata.annotations?.['talos.dev/cordoned']).toBeUndefined();
    expect(concatenatedJson((await talosctl(lab, '-n', 'w1', 'get', 'version', '-o', 'json')).stdout)[0].spec.version).toBe('v1.13.3');
  }, 30_000);

  it('a drain that cannot finish within --drain-timeout fails and leaves the node cordoned', async () => {
    await json(lab, 'get', 'pdb', 'web');
    const { execa } = await import('execa');
    await execa('/usr/bin/kubectl', ['patch', 'pdb', 'web', '--type=json', '-p', '[{"op":"replace","path":"/spec/maxUnavailable","value":0}]'], { env: lab.env });
    await until('PDB allows nothing', () => lab.store.get('poddisruptionbudgets.policy', 'default', 'web').status?.disruptionsAllowed === 0);
    const target = lab.store.list('pods', { labelSelector: 'app=web' }).items[0]!.spec.nodeName as string;
    const ip = lab.talos.find(target)!.address;
    const r = await talosctl(lab, '-n', ip, 'upgrade', '--image', IMAGE('v1.13.3'), '--drain-timeout', '1s');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`error draining node "${target}": error when evicting pods/"web-[^"]+" -n "default": global timeout reached: 1s\n`));
    expect(node(target).spec.unschedulable).toBe(true);
    await execa('/usr/bin/kubectl', ['uncordon', target], { env: lab.env });
    await execa('/usr/bin/kubectl', ['patch', 'pdb', 'web', '--type=json', '-p', '[{"op":"replace","path":"/spec/maxUnavailable","value":1}]'], { env: lab.env });
  }, 30_000);

  it('deprecated legacy flags print pflag\'s notice; a v1.12 server makes the client fall back to legacy', async () => {
    const r = await talosctl(lab, '-n', '10.5.0.22', 'upgrade', '--image', IMAGE('v1.13.2'), '--force', '--drain=false', '--wait=false', '--legacy');
    expect(r.stderr).toContain('Flag --force has been deprecated, legacy flag for MachineService.Upgrade fallback, to be removed in Talos 1.18\n');
    expect(r.stderr).toContain('WARNING: Forcing use of legacy upgrade method.');
    expect(r.stdout).toMatch(/^NODE {8}ACK {24}STARTED\n/);
    await until('w2 back', () => eventsOf(lab, 'w2').includes('talos-upgrade-done'), 10_000);
    const down = await talosctl(lab, '-n', '10.5.0.22', 'upgrade', '--image', IMAGE('v1.12.1'), '--drain=false', '--wait=false', '--legacy');
    expect(down.exitCode).toBe(0);
    await until('w2 at v1.12.1', () => lab.talos.find('w2')!.version === 'v1.12.1' && lab.talos.find('w2')!.busy === undefined, 10_000);
    await until('w2 ready', () => lab.talos.machineStatus(lab.talos.find('w2')!).ready, 10_000);
    const fallback = await talosctl(lab, '-n', '10.5.0.22', 'upgrade', '--image', IMAGE('v1.13.2'));
    expect(fallback.exitCode).toBe(0);
    expect(fallback.stderr).toContain('New upgrade API is not available, falling back to legacy\n');
    expect(fallback.stderr).toContain('"10.5.0.22": post check passed\n');
  }, 40_000);

  it('apply-config: a maintenance machine needs --insecure, a configured one refuses it; dry-run changes nothing', async () => {
    const cfg = join(lab.dir, 'worker.yaml');
    await writeFile(cfg, 'version: v1alpha1\nmachine:\n    type: worker\ncluster:\n    controlPlane:\n        endpoint: https://10.5.0.10:6443\n');
    const noInsecure = await talosctl(lab, '-n', '10.5.0.23', 'apply-config', '-f', 'worker.yaml');
    expect(noInsecure.exitCode).toBe(1);
    expect(noInsecure.stderr).toBe('error applying new configuration: rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"\n');
    const secured = await talosctl(lab, '-n', '10.5.0.21', 'apply-config', '--insecure', '-f', 'worker.yaml');
    expect(secured.stderr).toBe('error applying new configuration: rpc error: code = Unavailable desc = connection error: desc = "error reading server preface: remote error: tls: certificate required"\n');
    expect((await talosctl(lab, '-n', '10.5.0.23', 'get', 'machineconfig')).exitCode).toBe(1);
    expect(concatenatedJson((await talosctl(lab, '-n', '10.5.0.23', 'get', 'machinestatus', '-o', 'json', '--insecure')).stdout)[0].spec.stage).toBe('maintenance');
    const dry = await talosctl(lab, '-n', '10.5.0.21', 'apply-config', '-f', 'worker.yaml', '--dry-run');
    expect(dry.stderr).toMatch(/^Dry run summary:\nApplied configuration without a reboot \(skipped in dry-run\)\.\n\nConfig diff:\n\n/);
    expect(eventsOf(lab, 'w1')).not.toContain('talos-apply-config');
    const applied = await talosctl(lab, '-n', '10.5.0.23', 'apply-config', '--insecure', '-f', cfg);
    expect(applied).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
    await until('w3 joined and Ready', () => lab.talos.machineStatus(lab.talos.find('w3')!).ready && !!lab.store.find('nodes', undefined, 'w3'), 10_000);
    expect((await talosctl(lab, '-n', '10.5.0.23', 'get', 'machineconfig')).exitCode).toBe(0);
    expect(eventsOf(lab, 'w3')).toContain('talos-apply-config');
  }, 30_000);

  it('upgrade-k8s changes every kubelet and the API server version; --dry-run changes nothing', async () => {
    const dry = await talosctl(lab, '-n', '10.5.0.11', 'upgrade-k8s', '--to', '1.32.3', '--dry-run');
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toContain('automatically detected the lowest Kubernetes version 1.31.4\n');
    expect(node('w1').status.nodeInfo.kubeletVersion).toBe('v1.31.4');
    const r = await talosctl(lab, '-n', '10.5.0.11', 'upgrade-k8s', '--to', '1.32.3');
    expect(r.exitCode).toBe(0);
    expect(lab.store.list('nodes').items.map((n) => n.status.nodeInfo.kubeletVersion)).toEqual(Array(6).fill('v1.32.3'));
    expect((await json(lab, 'version')).serverVersion.gitVersion).toBe('v1.32.3');
  });

  it('reboot waits for the node; reset --reboot brings a control plane back in maintenance, out of etcd', async () => {
    const boot = node('w2').status.nodeInfo.bootID;
    const r = await talosctl(lab, '-n', '10.5.0.22', 'reboot');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/"10\.5\.0\.22": post check passed\n$/);
    expect(node('w2').status.nodeInfo.bootID).not.toBe(boot);
    const reset = await talosctl(lab, '-n', '10.5.0.13', 'reset', '--reboot', '--graceful=false');
    expect(reset.exitCode).toBe(0);
    expect(lab.talos.find('cp3')!.stage).toBe('maintenance');
    const members = rows((await talosctl(lab, '-n', '10.5.0.11', 'etcd', 'members')).stdout).slice(1).map((row) => row[2]);
    expect(members).toEqual(['cp1', 'cp2']);
    expect((await talosctl(lab, '-n', '10.5.0.13', 'version', '--insecure')).stdout).toContain('\tNODE:        10.5.0.13\n');
  }, 30_000);
});
