// The nightly configuration export as its CronJob runs it: deploy/config-export applied to the lab, then
// `backup:export-config --json` with the in-cluster kubeconfig of its ConfigMap and the token of its ServiceAccount.
// The lab authorizes every request with the RBAC objects of deploy/config-export: a missing verb is a real 403 here,
// and every rule the ClusterRole grants must have been used (read-only: list, nothing else).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { parseAllDocuments, parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';
import { cli } from '../helpers/cli.ts';

interface Rule { apiGroups?: string[]; resources?: string[]; verbs: string[]; nonResourceURLs?: string[] }

describe('backup:export-config with the ServiceAccount and RBAC of deploy/config-export', () => {
  let lab: Awaited<ReturnType<typeof withLab>>;
  let manifests = '';
  let env: Record<string, string | undefined>;
  const kubectl = (args: string[], input?: string) => execa('kubectl', args, { env: { ...process.env, ...lab.env }, reject: false, ...(input !== undefined ? { input } : {}) });

  beforeAll(async () => {
    lab = await withLab();
    manifests = (await kubectl(['kustomize', join(process.cwd(), 'deploy/config-export')])).stdout;
    const cm = parseAllDocuments(manifests).map((d) => d.toJS()).find((o) => o.kind === 'ConfigMap');
    const server = `${lab.url}/_sa/${lab.serviceAccountToken('rackhand-system', 'rackhand-config-export')}`;
    const kubeconfig = parse(cm.data.kubeconfig);
    kubeconfig.clusters[0].cluster = { server };
    delete kubeconfig.users[0].user.tokenFile;
    await writeFile(join(lab.dir, 'export-kubeconfig'), stringify(kubeconfig), { mode: 0o600 });
    const cfg = parse(cm.data['rackhand.yaml']);
    const home = cfg.clusters.home;
    home.kubeconfig = './export-kubeconfig';
    home.apiServer = server;
    home.nodes = parse(await readFile(lab.configPath, 'utf8')).clusters.lab.nodes;
    // the lab's repository: a folder, its password in the lab's 1Password; no S3 keys
    lab.vault.set('op://homelab/config-export/restic-password', 'export-repo-pw');
    home.backups.configExport.repository = { RESTIC_REPOSITORY: join(lab.dir, 'export-repo'), RESTIC_PASSWORD: 'op://homelab/config-export/restic-password' };
    home.backups.configExport.recipients = [await identityToRecipient(await generateX25519Identity())];
    await writeFile(join(lab.dir, 'export.yaml'), stringify(cfg));
    env = { ...process.env, ...lab.env, RACKHAND_CONFIG: join(lab.dir, 'export.yaml'), RACKHAND_STATE_DIR: join(lab.dir, '.rackhand-export'), CI: 'true', KUBECONFIG: '' };
    const applied = await kubectl(['apply', '-f', '-'], manifests);
    expect(applied.exitCode, applied.stderr).toBe(0);
  });
  afterAll(async () => { await lab?.stop(); });

  it('exports with exactly the permissions of its ClusterRole: no 403, no rule unused, nothing but list', async () => {
    const r = await cli(['backup:export-config', '--cluster', 'home', '--namespace', 'apps', '--json'], { env, cwd: lab.dir });
    expect(r.code, r.stderr).toBe(0);
    const mine = lab.authorizations.filter((d) => d.user === 'system:serviceaccount:rackhand-system:rackhand-config-export');
    expect(mine.filter((d) => !d.allowed)).toEqual([]);
    expect(new Set(mine.filter((d) => d.resource).map((d) => d.verb))).toEqual(new Set(['list']));
    const role = parseAllDocuments(manifests).map((d) => d.toJS()).find((o) => o.kind === 'ClusterRole');
    const granted = (role.rules as Rule[]).filter((x) => !x.nonResourceURLs).flatMap((x) => x.apiGroups!.flatMap((g) => x.resources!.flatMap((res) => x.verbs.map((v) => `${g}/${res}:${v}`))));
    const used = new Set(mine.map((d) => `${d.group}/${d.resource}:${d.verb}`));
    expect(granted.filter((g) => !used.has(g))).toEqual([]);
  });

  it('without list on Secrets it is a real 403 that the run names (exit 1), and nothing reaches the repository', async () => {
    const role = parseAllDocuments(manifests).map((d) => d.toJS()).find((o) => o.kind === 'ClusterRole');
    role.rules = (role.rules as Rule[]).map((x) => (x.resources?.includes('secrets') ? { ...x, resources: x.resources.filter((res) => res !== 'secrets') } : x));
    expect((await kubectl(['apply', '-f', '-'], JSON.stringify(role))).exitCode).toBe(0);
    const r = await cli(['backup:export-config', '--cluster', 'home', '--namespace', 'apps'], { env, cwd: lab.dir });
    expect(r.code).toBe(1);
    expect(`${r.stdout}${r.stderr}`).toContain('cannot list resource "secrets" in API group "" in the namespace "apps"');
    expect(r.record!.commands.some((c) => c.argv[0] === 'restic' && c.argv[1] === 'backup')).toBe(false);
  });
});
