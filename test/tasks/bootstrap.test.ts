// bootstrap:cluster against an EMPTY lab: every machine in maintenance mode, no etcd, no API until bootstrapped.
// The real kubectl, the fake talosctl / helmfile / op / flux, the repository's own bootstrap inputs for `infra`.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { withLab } from '../helpers/lab.ts';

type TestLab = Awaited<ReturnType<typeof withLab>>;
const empty = () => withLab({ empty: true, topology: 'lab/topologies/infra.yaml', rebootMs: 300, apiStartMs: 300 });
const mutating = (r: { record?: { commands: { mutating: boolean; dryRun?: boolean }[] } }) => (r.record?.commands ?? []).filter((c) => c.mutating && !c.dryRun);

async function vaultValues(): Promise<string[]> {
  const doc = parse(await readFile('lab/vault.yaml', 'utf8')) as { vaults: { items: { fields: { value: string; type?: string }[] }[] }[] };
  return doc.vaults.flatMap((v) => v.items.flatMap((i) => i.fields.filter((f) => f.type !== 'STRING').map((f) => f.value)));
}

describe('bootstrap:infra on an empty lab', () => {
  let lab: TestLab;
  beforeAll(async () => { lab = await empty(); }, 60_000);
  afterAll(async () => { await lab?.stop(); });

  it('--dry-run prints the whole plan with commands and changes nothing', async () => {
    const r = await lab.run(['bootstrap:infra', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    for (const cmd of [/\[dry-run\] talosctl .*--nodes 10\.10\.0\.11 apply-config --insecure --file \S+infra-infra-cp1\.yaml/, /\[dry-run\] talosctl .*bootstrap/, /\[dry-run\] talosctl .*kubeconfig --force/]) expect(r.stderr).toMatch(cmd);
    expect(lab.talos.machines.every((m) => m.stage === 'maintenance')).toBe(true);
    expect(mutating(r)).toEqual([]);
  }, 60_000);

  it('bootstraps to a healthy Flux cluster; secrets never print; kubeconfig is 0600', async () => {
    const r = await lab.run(['bootstrap:infra', '--yes', '--json']);
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(r.record!.checks.filter((c) => c.phase === 'postflight').map((c) => [c.name, c.ok])).toEqual([['every Flux Kustomization is Ready', true]]);
    expect((await stat(lab.kubeconfigPath)).mode & 0o777).toBe(0o600);
    const order = lab.events.filter((e) => e.type === 'helm-release-installed').map((e) => e.object.split('/').pop());
    expect(order).toEqual(['cilium', 'coredns', 'spegel', 'cert-manager', 'external-secrets', 'flux-operator', 'flux-instance']);
    const text = `${r.stdout}${r.stderr}${JSON.stringify(r.record)}${JSON.stringify(lab.events)}`;
    for (const v of await vaultValues()) expect(text).not.toContain(v);
    const secret = lab.store.find('secrets', 'flux-system', 'flux-git-auth');
    expect(Buffer.from(secret!.data.password, 'base64').toString()).toBe(lab.vault.get('op://homelab/flux/github-token'));
  }, 240_000);

  it('helmfile runs `sync` with a kubeconfig whose current context is the checked one (hooks calling kubectl), removed afterwards', async () => {
    const { existsSync } = await import('node:fs');
    const seen = lab!.events.filter((e) => e.type === 'helmfile-hook-context').map((e) => e.detail!);
    expect(seen.length).toBeGreaterThan(0);
    for (const d of seen) {
      const [context, path] = d.split(' ');
      expect(context).toBe('admin@infra');
      expect(path).toMatch(/rackhand-kubeconfig-[^/]+\/kubeconfig$/);
      expect(existsSync(path!)).toBe(false);
    }
  });

  it('a re-run runs zero mutating commands', async () => {
    const r = await lab.run(['bootstrap:infra', '--yes']);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(mutating(r)).toEqual([]);
    expect(r.stderr).toContain('nothing to do');
  }, 120_000);
});

describe('bootstrap: refusals and failures', () => {
  let lab: TestLab | undefined;
  afterAll(async () => { await lab?.stop(); });

  it('a missing 1Password item refuses in preflight (exit 3) naming the reference; nothing changed', async () => {
    lab = await empty();
    lab.vault.delete('op://homelab/flux/github-token');
    const r = await lab.run(['bootstrap:infra', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('op://homelab/flux/github-token');
    expect(r.record!.commands.filter((c) => c.mutating)).toEqual([]);
    expect(lab.talos.machines.every((m) => m.stage === 'maintenance')).toBe(true);
    await lab.stop();
    lab = undefined;
  }, 60_000);

  it('interrupted after the CRD stage, a re-run completes; a failing release stops the run naming it', async () => {
    lab = await empty();
    const interrupt = new AbortController();
    const watch = setInterval(() => { if (lab!.store.list('customresourcedefinitions.apiextensions.k8s.io').items.length >= 5 && lab!.events.some((e) => e.type === 'helm-release-installed')) { interrupt.abort(); clearInterval(watch); } }, 50);
    const first = await lab.run(['bootstrap:infra', '--yes'], { interrupt });
    clearInterval(watch);
    expect(first.code).toBe(130);

    lab.faults.helmReleaseFails('cert-manager');
    const failing = await lab.run(['bootstrap:infra', '--yes']);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(/release cert-manager/);
    // the stages after the releases did not run
    expect(failing.record!.steps.filter((s) => /^flux check|^first reconcile/.test(s.title)).map((s) => s.status)).toEqual(['pending', 'pending']);
    expect(lab.events.some((e) => e.type === 'helm-release-installed' && e.object.endsWith('/flux-instance'))).toBe(false);

    lab.faults.clearFaults();
    const again = await lab.run(['bootstrap:infra', '--yes']);
    expect(again.code, again.stderr.slice(-2000)).toBe(0);
    const steps = again.record!.steps;
    expect(steps.find((s) => s.title.startsWith('bootstrap etcd'))!.status).toBe('skipped');
    expect(steps.find((s) => s.title.startsWith('CRDs'))!.status).toBe('skipped');
  }, 300_000);
});

describe('bootstrap:apps', () => {
  let lab: TestLab | undefined;
  afterAll(async () => { await lab?.stop(); });

  it('bootstraps the apps cluster from its own inputs; the alias refuses another --cluster (exit 2)', async () => {
    lab = await withLab({ empty: true, topology: 'lab/topologies/apps.yaml', rebootMs: 300, apiStartMs: 300 });
    const wrong = await lab.run(['bootstrap:apps', '--cluster', 'infra']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--cluster: bootstrap:apps always runs with --cluster apps');
    // an operator's own context name: the fetched kubeconfig gets it
    const cfg = await readFile(lab.configPath, 'utf8');
    expect(cfg).toContain('context: admin@apps');
    await writeFile(lab.configPath, cfg.replace('context: admin@apps', 'context: apps-main'));
    const r = await lab.run(['bootstrap:apps', '--yes']);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(r.record!.cluster).toBe('apps');
    expect((parse(await readFile(lab.kubeconfigPath, 'utf8')) as { contexts: { name: string }[] }).contexts.map((c) => c.name)).toEqual(['apps-main']);
    expect((await stat(lab.kubeconfigPath)).mode & 0o777).toBe(0o600);
    expect(lab.store.list('nodes').items.map((n) => n.metadata.name).sort()).toEqual(['apps-cp1', 'apps-w1', 'apps-w2']);
  }, 240_000);
});
