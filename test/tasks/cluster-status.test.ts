import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';

describe('cluster:status against the lab, through the real kubectl', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  beforeAll(async () => { lab = await withLab(); });
  afterAll(async () => { await lab?.stop(); });

  it('a healthy lab: every node listed with role, readiness and versions, exit 0', async () => {
    const r = await lab.run(['cluster:status', '--cluster', 'lab']);
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n');
    expect(rows[0]).toMatch(/^NODE +ROLE +READY +SCHEDULABLE +KUBELET +OS +ADDRESS$/);
    expect(rows.slice(1, 6).map((l) => l.split(/\s+/).slice(0, 4).join(' '))).toEqual([
      'cp1 controlplane yes yes', 'cp2 controlplane yes yes', 'cp3 controlplane yes yes', 'w1 worker yes yes', 'w2 worker yes yes',
    ]);
    expect(rows[1]).toContain('v1.31.4');
    expect(rows[1]).toContain('Talos (v1.12.1)');
    expect(r.stdout).toContain('Pods: all Running or Succeeded');
    // the topology's `web` PDB (minAvailable 2 of 2) allows no disruption: reported, not a failure
    expect(r.stdout).toMatch(/PodDisruptionBudgets allowing no disruption \(1\):\nNAMESPACE +PDB +HEALTHY +NEEDED\ndefault +web +2 +2/);
    expect(r.record?.result).toBe('success');
    expect(r.record?.commands.every((c) => !c.mutating && c.argv[0] === 'kubectl')).toBe(true);
  });

  it('--json prints the same data as the run record on stdout, human output on stderr', async () => {
    const r = await lab.run(['cluster:status', '--json']);
    expect(r.code).toBe(0);
    const rec = JSON.parse(r.stdout) as { result: string; data: { healthy: boolean; nodes: { name: string; ready: boolean; role: string }[]; blockingPdbs: { name: string }[] } };
    expect(rec.result).toBe('success');
    expect(rec.data.healthy).toBe(true);
    expect(rec.data.nodes.map((n) => `${n.name}:${n.role}:${n.ready}`)).toEqual(['cp1:controlplane:true', 'cp2:controlplane:true', 'cp3:controlplane:true', 'w1:worker:true', 'w2:worker:true']);
    expect(rec.data.blockingPdbs.map((p) => p.name)).toEqual(['web']);
  });

  it('one NotReady node: listed as not ready, its pods reported, exit 1 naming the node', async () => {
    lab.faults.setNodeReady('w2', false);
    try {
      const r = await lab.run(['cluster:status']);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^w2 +worker +NO /m);
      expect(r.stdout).toMatch(/^default +web-\S+ +Running \(not ready\) +w2 +NodeNotReady$/m);
      expect(r.stderr).toContain('postflight checks failed: nodes Ready, pods healthy');
      expect(r.stderr).toContain('nodes Ready: not Ready: w2');
      expect(r.stderr).toContain('kubectl describe node w2');
      expect(r.record?.result).toBe('failed');
      expect((r.record?.data as { healthy: boolean }).healthy).toBe(false);
    } finally {
      lab.faults.setNodeReady('w2', true);
    }
  });

  it('a cordoned node shows as not schedulable', async () => {
    const { execa } = await import('execa');
    await execa('kubectl', ['cordon', 'w1'], { env: { ...process.env, ...lab.env } });
    try {
      const r = await lab.run(['cluster:status']);
      expect(r.stdout).toMatch(/^w1 +worker +yes +no \(cordoned\)/m);
    } finally {
      await execa('kubectl', ['uncordon', 'w1'], { env: { ...process.env, ...lab.env } });
    }
  });

  it('a kubeconfig pointing at another API server is refused before anything runs (exit 3)', async () => {
    const { readFile, writeFile } = await import('node:fs/promises');
    const text = await readFile(lab.configPath, 'utf8');
    const other = `${lab.dir}/other.yaml`;
    await writeFile(other, text.replace(/apiServer: .*/, 'apiServer: https://10.99.0.1:6443'));
    const r = await lab.run(['cluster:status', '--config', other]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`context admin@lab points at ${lab.url}, but cluster lab in ${other} is https://10.99.0.1:6443`);
    expect(r.record?.commands.map((c) => c.argv.slice(5, 7).join(' '))).toEqual(['config view']);
  });

  it('a node configured by its FQDN that registered its short name is named with the reason (exit 1)', async () => {
    const { readFile, writeFile } = await import('node:fs/promises');
    const cfg = await readFile(lab.configPath, 'utf8');
    try {
      await writeFile(lab.configPath, cfg.replace('{ name: w1, address: 10.5.0.21, role: worker }', '{ name: w1.home.arpa, address: 10.5.0.21, role: worker }'));
      const r = await lab.run(['cluster:status', '--cluster', 'lab']);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('Configured in rackhand.yaml but not in the cluster:\n  w1.home.arpa (the cluster has w1: Talos registers the short hostname unless machine.kubelet.registerWithFQDN is set; name it w1 in rackhand.yaml)');
      expect(r.stdout).toContain('In the cluster but not in rackhand.yaml: w1');
    } finally {
      await writeFile(lab.configPath, cfg);
    }
  });
});
