// The corpus modelled on community repositories (test/fixtures/real-world/, each file naming what it models): every
// file loads as it is, and the dry-runs of bootstrap, apply-node, upgrade-node and volsync:restore against a lab of
// the same shape show the commands an operator of that repository would expect -- the right installer image per
// node, the right machine config file, the right release order, every backup of a volume paused.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readInputs } from '../../lib/bootstrap/inputs.ts';
import { readTalconfig } from '../../lib/config/talconfig.ts';
import { withLab } from '../helpers/lab.ts';
import { applyComponent, argvOf, configure, corpus, CORPUS, shapeOf, topologyFile, type TestLab } from './helpers.ts';

const CE4C = 'ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515';
const GPU = '4b3cd373a192c8469e859b7a0cfbed3ecc3577c4a2d346a37b0aeff9cd17cdb0';
const AGE = 'op://homelab/sops/age-key';

/** every file of the corpus carries a header naming what it models (YAML/Go-template comments) */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
}

describe('the corpus', () => {
  it('names, in every file, the repository and path it models (or says it is generated output)', async () => {
    const { readFileSync } = await import('node:fs');
    const all = files(CORPUS);
    expect(all.length).toBeGreaterThan(40);
    for (const f of all) expect(readFileSync(f, 'utf8').slice(0, 400), f).toMatch(/Modelled on [\w.-]+\/[\w.-]+|What `talhelper genconfig` writes/);
  });

  it('loads every talconfig unmodified: FQDN names, per-node and per-role schematics, talenv variables', async () => {
    const t = async (p: string) => readTalconfig(corpus(p), {});
    const ct = await t('cluster-template/talos/talconfig.yaml');
    expect(ct).toMatchObject({ clusterName: 'kubernetes', versions: { talos: 'v1.10.3', kubernetes: 'v1.33.1' } });
    expect(ct.nodes.map((n) => n.installer)).toEqual(Array(3).fill(`factory.talos.dev/installer/${CE4C}`));
    const bjws = await t('bjw-s-home-ops/kubernetes/talos/talconfig.yaml');
    expect(bjws.nodes.map((n) => `${n.name}=${n.hostname}`)).toEqual(['delta=delta.bjw-s.internal', 'enigma=enigma.bjw-s.internal', 'felix=felix.bjw-s.internal', 'gpu1=gpu1.bjw-s.internal']);
    expect(new Set(bjws.nodes.map((n) => n.installer)).size).toBe(2);
    expect(bjws.nodes.find((n) => n.name === 'gpu1')!.extensions).toEqual(['siderolabs/i915', 'siderolabs/intel-ucode', 'siderolabs/mei']);
    const jory = await t('joryirving-home-ops/kubernetes/main/bootstrap/talos/talconfig.yaml');
    expect(jory.nodes.find((n) => n.name === 'arthur')!.installer).toBe(`factory.talos.dev/installer/${GPU}`);
    expect((await t('joryirving-home-ops/kubernetes/utility/bootstrap/talos/talconfig.yaml')).nodes.map((n) => n.name)).toEqual(['ford']);
    const mirc = await t('mirceanton-home-ops/infrastructure/talos/talconfig.yaml');
    // registerWithFQDN comes from an @file patch: the nodes keep their full names
    expect(mirc.nodes.map((n) => n.name)).toEqual(['cp01.k8s.mirceanton.com', 'cp02.k8s.mirceanton.com', 'cp03.k8s.mirceanton.com']);
    expect(new Set(mirc.nodes.map((n) => n.installer)).size).toBe(1);
    // buroa: a variable only talenv.sops.yaml defines stays unset (and is named) when there is no way to decrypt it
    const buroa = await t('buroa-k8s-gitops/talos/talconfig.yaml');
    expect(buroa.unset).toEqual(['clusterEndpointIP']);
    expect(buroa.nodes.map((n) => n.role)).toEqual(['controlplane', 'controlplane', 'controlplane', 'worker']);
  });

  it('reads every bootstrap layout: helmfiles found or named, bases left out, secret templates mixing kinds', () => {
    const ct = readInputs(corpus('cluster-template/bootstrap'), 't');
    expect([ct.helmfiles.crds, ct.helmfiles.apps].map((l) => l.map((f) => f.split('/bootstrap/')[1]))).toEqual([['helmfile.d/00-crds.yaml'], ['helmfile.d/01-apps.yaml']]);
    const od = readInputs(corpus('onedr0p-home-ops/bootstrap'), 't', { secrets: ['resources.yaml.j2'] });
    expect(od.helmfiles.apps.map((f) => f.split('/bootstrap/')[1])).toEqual(['helmfile.yaml']);
    expect(od.namespaces.map((n) => n.metadata.name)).toEqual(['external-secrets', 'flux-system', 'network']);
    expect(od.secrets.map((s) => `${s.kind} ${s.metadata.namespace}/${s.metadata.name}`)).toEqual(['Secret external-secrets/onepassword-secret', 'Secret flux-system/github-token', 'Secret network/cloudflare-tunnel-id-secret']);
    const jo = readInputs(corpus('joryirving-home-ops/kubernetes/main/bootstrap'), 't');
    expect([jo.helmfiles.crds, jo.helmfiles.apps].map((l) => l.map((f) => f.split('/bootstrap/')[1]))).toEqual([['helmfile/crds.yaml'], ['helmfile/apps.yaml']]);
    expect(jo.secrets.map((s) => s.kind)).toEqual(['Secret', 'Secret', 'ConfigMap']);
    expect(jo.references).toHaveLength(3);
  });
});

describe('dry-runs against labs shaped like the corpus repositories', () => {
  let lab: TestLab | undefined;
  afterEach(async () => { await lab?.stop(); lab = undefined; });

  it('cluster-template: upgrade-node uses each node\'s talosImageURL; apply-node finds clusterconfig/kubernetes-<host>.yaml', async () => {
    const talconfig = corpus('cluster-template/talos/talconfig.yaml');
    lab = await withLab({ topology: topologyFile(await shapeOf(talconfig)) });
    await configure(lab, { home: { talconfig } }, 'kubernetes');
    const up = await lab.run(['talos:upgrade-node', '--all', '--dry-run']);
    expect(up.code, up.stderr).toBe(0);
    const upgrades = argvOf(up).filter((a) => a.includes(' upgrade '));
    expect(upgrades).toHaveLength(3);
    for (const u of upgrades) expect(u).toContain(`--image factory.talos.dev/installer/${CE4C}:v1.10.3`);
    const apply = await lab.run(['talos:apply-node', '--node', 'k8s-1', '--dry-run']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(argvOf(apply)).toContain(`talosctl --talosconfig ${lab.dir}/talosconfig --nodes 192.168.42.11 apply-config --file ${corpus('cluster-template/talos/clusterconfig/kubernetes-k8s-1.yaml')} --mode auto --dry-run`);
  });

  it('cluster-template: bootstrap --dry-run templates 00-crds, syncs 01-apps in needs order, applies each node\'s file', async () => {
    const talconfig = corpus('cluster-template/talos/talconfig.yaml');
    lab = await withLab({ empty: true, topology: topologyFile(await shapeOf(talconfig)) });
    await configure(lab, { home: { talconfig, bootstrap: corpus('cluster-template/bootstrap') } }, 'kubernetes');
    const r = await lab.run(['bootstrap:cluster', '--cluster', 'home', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    const a = argvOf(r);
    expect(r.record!.steps.map((s) => s.title)).toContain('releases: cilium -> coredns -> spegel -> cert-manager -> flux-operator -> flux-instance (helmfile sync, in needs order)');
    expect(a.some((x) => x.includes(`--file ${corpus('cluster-template/bootstrap/helmfile.d/00-crds.yaml')}`) && x.endsWith('template --include-crds --skip-tests'))).toBe(true);
    expect(a.some((x) => x.startsWith(`helmfile --file ${corpus('cluster-template/bootstrap/helmfile.d/01-apps.yaml')}`) && x.endsWith(' sync'))).toBe(true);
    for (const h of ['k8s-0', 'k8s-1', 'k8s-2']) expect(a.some((x) => x.endsWith(`apply-config --insecure --file ${corpus(`cluster-template/talos/clusterconfig/kubernetes-${h}.yaml`)}`))).toBe(true);
  });

  it('onedr0p: machine configs rendered by a pipeline (template | talosctl machineconfig patch), one helmfile with bases and inherit', async () => {
    const nodes = ['k8s-0:10', 'k8s-1:11', 'k8s-2:12'].map((s) => ({ name: s.split(':')[0]!, address: `192.168.42.${s.split(':')[1]}`, role: 'controlplane' as const }));
    lab = await withLab({ empty: true, topology: topologyFile({ cluster: 'main', nodes, talos: 'v1.10.3', kubernetes: 'v1.33.1' }) });
    await configure(lab, {
      main: {
        nodes, versions: { talos: 'v1.10.3', kubernetes: 'v1.33.1' },
        // minijinja-cli stands in as sed here: the template's one variable is the machine type
        machineConfig: { cwd: corpus('onedr0p-home-ops'), render: [['sed', '-e', 's/{{ ENV.MACHINE_TYPE }}/{role}/', 'talos/machineconfig.yaml.j2'], ['talosctl', 'machineconfig', 'patch', '/dev/stdin', '--patch', '@talos/nodes/{node}.yaml.j2']] },
        bootstrap: { dir: corpus('onedr0p-home-ops/bootstrap'), secrets: ['resources.yaml.j2'] },
      },
    }, 'main');
    const r = await lab.run(['bootstrap:cluster', '--cluster', 'main', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    const titles = r.record!.steps.map((s) => s.title);
    expect(titles).toContain('releases: cilium -> coredns -> spegel -> cert-manager -> external-secrets -> flux-operator -> flux-instance (helmfile sync, in needs order)');
    expect(titles).toContain('CRDs from helmfile.yaml (helmfile template, CRDs only, server-side apply)');
    expect(titles).toContain('namespaces: external-secrets, flux-system, network');
    const a = argvOf(r);
    expect(a.filter((x) => x.includes('talosctl machineconfig patch /dev/stdin --patch @talos/nodes/'))).toHaveLength(3);
    expect(a.filter((x) => x.endsWith('apply-config --insecure --file /dev/stdin'))).toHaveLength(3);
    // the patched config reached talosctl on stdin: the node's own hostname is in what the dry-run shows
    expect(r.stderr).toContain('hostname: k8s-1');
    expect(r.stderr).not.toContain('placeholder.machinetoken0');
  });

  it('onedr0p: a kopia VolSync component restores through VolSync (dry-run shows the kopia destination)', async () => {
    lab = await withLab({ topology: topologyFile({ cluster: 'main', nodes: [{ name: 'k8s-0', address: '10.0.0.10', role: 'controlplane' }, { name: 'k8s-1', address: '10.0.0.11', role: 'worker' }], talos: 'v1.10.3', kubernetes: 'v1.33.1', volsyncApps: [{ name: 'paperless', mover: 'kopia', snapshots: 1, files: { 'config/app.db': 'corpus\n' } }] }) });
    await configure(lab, { main: { nodes: [{ name: 'k8s-0', address: '10.0.0.10', role: 'controlplane' }, { name: 'k8s-1', address: '10.0.0.11', role: 'worker' }] } }, 'main');
    await applyComponent(lab, corpus('onedr0p-home-ops/kubernetes/components/volsync/replicationsource.yaml'), { APP: 'paperless', VOLSYNC_STORAGECLASS: 'openebs-hostpath' });
    const r = await lab.run(['volsync:restore', '--app', 'paperless', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('with the kopia snapshot VolSync\'s mover picks');
    expect(r.stderr).toMatch(/"kopia":\{"repository":"paperless-volsync-secret",[^\n]*"sourceIdentity":\{"sourceName":"paperless","sourceNamespace":"apps"\}/);
    expect(r.record!.commands.filter((c) => c.mutating && !('dryRun' in c && c.dryRun))).toEqual([]);
  });

  it('bjw-s: FQDN hostnames register short; each role\'s schematic is its installer; both backups of a volume are paused', async () => {
    const talconfig = corpus('bjw-s-home-ops/kubernetes/talos/talconfig.yaml');
    lab = await withLab({ topology: topologyFile(await shapeOf(talconfig, { volsyncApps: [{ name: 'paperless', snapshots: 1, files: { 'config/app.db': 'corpus\n' } }] })) });
    await configure(lab, { main: { talconfig } }, 'main');
    const up = await lab.run(['talos:upgrade-node', '--all', '--dry-run']);
    expect(up.code, up.stderr).toBe(0);
    const images = up.record!.data.images as Record<string, string>;
    expect(Object.keys(images)).toEqual(['delta', 'enigma', 'felix', 'gpu1']);
    expect(images.gpu1).not.toBe(images.delta);
    const apply = await lab.run(['talos:apply-node', '--node', 'delta', '--dry-run']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(argvOf(apply).some((x) => x.includes(`--file ${corpus('bjw-s-home-ops/kubernetes/talos/clusterconfig/main-delta.bjw-s.internal.yaml')}`))).toBe(true);
    await applyComponent(lab, corpus('bjw-s-home-ops/kubernetes/components/volsync/replicationsource-nfs.yaml'), { APP: 'paperless' });
    await applyComponent(lab, corpus('bjw-s-home-ops/kubernetes/components/volsync/replicationsource-r2.yaml'), { APP: 'paperless' });
    const restore = await lab.run(['volsync:restore', '--app', 'paperless', '--dry-run']);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.record!.steps.map((s) => s.title)).toContain('pause ReplicationSources apps/paperless, apps/paperless-r2 (every source of PVC paperless)');
  });

  it('joryirving: two clusters in one repository (only the targeted one is read); the GPU node keeps its schematic', async () => {
    const main = corpus('joryirving-home-ops/kubernetes/main/bootstrap/talos/talconfig.yaml');
    lab = await withLab({ topology: topologyFile(await shapeOf(main, { volsyncApps: [{ name: 'paperless', snapshots: 1, files: { 'config/app.db': 'corpus\n' } }] })) });
    await configure(lab, {
      main: { talconfig: main },
      // a talconfig that does not exist: the other cluster's files are not read by a task for main
      utility: { talconfig: corpus('joryirving-home-ops/kubernetes/utility/bootstrap/talos/missing.yaml') },
    }, 'main');
    const up = await lab.run(['talos:upgrade-node', '--cluster', 'main', '--all', '--dry-run']);
    expect(up.code, up.stderr).toBe(0);
    const images = up.record!.data.images as Record<string, string>;
    expect(images.arthur).toBe(`factory.talos.dev/installer/${GPU}:v1.10.0`);
    expect(images.marvin).toBe(`factory.talos.dev/installer/${CE4C}:v1.10.0`);
    await applyComponent(lab, corpus('joryirving-home-ops/kubernetes/components/volsync/replicationsource.yaml'), { APP: 'paperless', VOLSYNC_STORAGECLASS: 'openebs-hostpath' });
    const restore = await lab.run(['volsync:restore', '--cluster', 'main', '--app', 'paperless', '--dry-run']);
    expect(restore.code, restore.stderr).toBe(0);
    // what the component set is what the restore copies: cache on openebs-hostpath, the mover's uid
    expect(restore.stderr).toMatch(/"restic":\{"repository":"paperless-volsync-secret","destinationPVC":"paperless",[^\n]*"runAsUser":1000[^\n]*"cacheCapacity":"2Gi","cacheStorageClassName":"openebs-hostpath"/);
  });

  it('joryirving: bootstrap --dry-run with a helmfile/ folder (a base, several documents, installed: false) and secrets.yaml.tpl', async () => {
    const main = corpus('joryirving-home-ops/kubernetes/main/bootstrap/talos/talconfig.yaml');
    lab = await withLab({ empty: true, topology: topologyFile(await shapeOf(main)) });
    await configure(lab, { main: { talconfig: main, bootstrap: corpus('joryirving-home-ops/kubernetes/main/bootstrap') } }, 'main');
    const r = await lab.run(['bootstrap:cluster', '--cluster', 'main', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    const titles = r.record!.steps.map((s) => s.title);
    expect(titles).toContain('releases: cilium -> coredns -> external-secrets -> flux-operator -> flux-instance (helmfile sync, in needs order)');
    expect(titles).toContain('CRDs from helmfile/crds.yaml (helmfile template, CRDs only, server-side apply)');
    expect(titles).toContain('secrets from 1Password: external-secrets/onepassword-connect-credentials-secret, external-secrets/onepassword-connect-vault-secret, ConfigMap external-secrets/cluster-settings (applied through stdin, never written to disk)');
    const a = argvOf(r);
    expect(a.filter((x) => x.includes('/helmfile/default.yaml'))).toEqual([]);
    for (const h of ['marvin', 'trillian', 'zaphod', 'arthur']) expect(a.some((x) => x.endsWith(`--file ${main.replace('talconfig.yaml', `clusterconfig/main-${h}.yaml`)}`))).toBe(true);
  });

  it('buroa: talenv.sops.yaml is decrypted with the age key from 1Password; talos:image works from the files alone', async () => {
    lab = await withLab();
    await configure(lab, { buroa: { talconfig: corpus('buroa-k8s-gitops/talos/talconfig.yaml'), sopsAgeKey: AGE } }, 'lab');
    const r = await lab.run(['talos:image', '--cluster', 'buroa']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/talos-1: +factory\.talos\.dev\/installer\/[0-9a-f]{64}:v1\.10\.3 \(siderolabs\/qemu-guest-agent\)/);
    expect(r.stdout).toMatch(/talos-4: +factory\.talos\.dev\/installer\/[0-9a-f]{64}:v1\.10\.3 \(siderolabs\/i915, siderolabs\/intel-ucode\)/);
    expect(r.record!.commands.map((c) => c.argv[0])).toEqual(['op', 'sops']);
  });

  it('doctor reads each repository the way its operator does: guesses named, exit 1 for the FQDN mapping, 0 for mirceanton', async () => {
    lab = await withLab();
    await configure(lab, {
      main: { talconfig: corpus('bjw-s-home-ops/kubernetes/talos/talconfig.yaml') },
      mirkwood: { talconfig: corpus('mirceanton-home-ops/infrastructure/talos/talconfig.yaml') },
      jory: { talconfig: corpus('joryirving-home-ops/kubernetes/main/bootstrap/talos/talconfig.yaml'), bootstrap: corpus('joryirving-home-ops/kubernetes/main/bootstrap'), apiServer: 'https://10.69.1.20:6443' },
    }, 'lab');
    const bjws = await lab.run(['doctor', '--cluster', 'main']);
    expect(bjws.code).toBe(1);
    expect(bjws.stdout).toContain('GUESS     node delta: talconfig hostname delta.bjw-s.internal registers as delta');
    expect(bjws.stdout).toContain('machine config: ' + corpus('bjw-s-home-ops/kubernetes/talos/clusterconfig/main-gpu1.bjw-s.internal.yaml'));
    const jory = await lab.run(['doctor', '--cluster', 'jory']);
    expect(jory.stdout).toContain('releases of helmfile/apps.yaml: kube-system/cilium -> kube-system/coredns -> external-secrets/external-secrets -> flux-system/flux-operator -> flux-system/flux-instance');
    expect(jory.stdout).toContain('CRDs from: helmfile/crds.yaml');
    const mirc = await lab.run(['doctor', '--cluster', 'mirkwood']);
    expect(mirc.stdout).toContain('cp01.k8s.mirceanton.com 10.0.10.11 controlplane');
    expect(mirc.stdout).not.toContain('registers as');
  });
});
