// The scheduled drill as the CronJob runs it: deploy/dr-drill applied to the lab (server-side dry run first, as an
// operator would try it), then `dr:drill --all --yes --json` with the in-cluster kubeconfig of its ConfigMap and the
// token of its ServiceAccount. The lab authorizes every request with the RBAC objects of deploy/dr-drill, so a
// missing verb is a real 403 here, not at 3 a.m. And every rule the ClusterRole grants must have been used.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { parseAllDocuments, parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLab } from '../helpers/lab.ts';
import { cli } from '../helpers/cli.ts';

type TestLab = Awaited<ReturnType<typeof withLab>>;
interface Rule { apiGroups?: string[]; resources?: string[]; verbs: string[]; nonResourceURLs?: string[] }

describe('dr:drill with the ServiceAccount and RBAC of deploy/dr-drill', () => {
  let lab: TestLab;
  let manifests = '';
  let env: Record<string, string | undefined>;
  const kubectl = (args: string[], input?: string) => execa('kubectl', args, { env: { ...process.env, ...lab.env }, reject: false, ...(input !== undefined ? { input } : {}) });

  beforeAll(async () => {
    lab = await withLab();
    manifests = (await kubectl(['kustomize', 'deploy/dr-drill'].map((a) => (a === 'deploy/dr-drill' ? join(process.cwd(), a) : a)))).stdout;
    // the in-cluster kubeconfig and rackhand.yaml of the ConfigMap, pointed at the lab: its URL instead of
    // kubernetes.default.svc, the token file the pod would have, the lab's nodes and the real sentinel hash
    const cm = parseAllDocuments(manifests).map((d) => d.toJS()).find((o) => o.kind === 'ConfigMap');
    // the lab takes the token in the server URL (kubectl sends no credentials over plain HTTP): the pod's token file
    // becomes part of the address
    const server = `${lab.url}/_sa/${lab.serviceAccountToken('rackhand-system', 'rackhand-drill')}`;
    const kubeconfig = parse(cm.data.kubeconfig);
    kubeconfig.clusters[0].cluster = { server };
    delete kubeconfig.users[0].user.tokenFile;
    await writeFile(join(lab.dir, 'drill-kubeconfig'), stringify(kubeconfig), { mode: 0o600 });
    const cfg = parse(cm.data['rackhand.yaml']);
    const home = cfg.clusters.home;
    home.kubeconfig = './drill-kubeconfig';
    home.apiServer = server;
    home.nodes = parse(await readFile(lab.configPath, 'utf8')).clusters.lab.nodes;
    delete home.backups.drill.pushgateway;
    const sentinel = await readFile(join(lab.volumePath('apps', 'paperless'), '.rackhand-sentinel'));
    home.backups.apps.paperless.sentinel.sha256 = createHash('sha256').update(sentinel).digest('hex');
    await writeFile(join(lab.dir, 'drill.yaml'), stringify(cfg));
    env = { ...process.env, RACKHAND_CONFIG: join(lab.dir, 'drill.yaml'), RACKHAND_STATE_DIR: join(lab.dir, '.rackhand-drill'), CI: 'true', KUBECONFIG: '' };
  });
  afterAll(async () => { await lab?.stop(); });

  it('the manifests pass a server-side dry run and apply: the lab serves rbac.authorization.k8s.io', async () => {
    // as in a real cluster, namespaced objects of a namespace that does not exist yet fail a dry run: create it first
    expect((await kubectl(['create', 'namespace', 'rackhand-system'])).exitCode).toBe(0);
    const dry = await kubectl(['apply', '--dry-run=server', '-f', '-'], manifests);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('clusterrole.rbac.authorization.k8s.io/rackhand-drill created (server dry run)');
    const applied = await kubectl(['apply', '-f', '-'], manifests);
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect((await kubectl(['get', 'clusterrolebinding', 'rackhand-drill', '-o', 'jsonpath={.subjects[0].name}'])).stdout).toBe('rackhand-drill');
  });

  it('the drill passes with exactly the permissions of its ClusterRole: no 403, and no rule it never used', async () => {
    const r = await cli(['dr:drill', '--cluster', 'home', '--all', '--yes', '--json'], { env, cwd: lab.dir });
    expect(r.code, r.stderr).toBe(0);
    const mine = lab.authorizations.filter((d) => d.user === 'system:serviceaccount:rackhand-system:rackhand-drill');
    expect(mine.length).toBeGreaterThan(10);
    expect(mine.filter((d) => !d.allowed)).toEqual([]);
    // too-broad rules are visible: every (group, resource, verb) the ClusterRole grants was used by this drill
    const role = parseAllDocuments(manifests).map((d) => d.toJS()).find((o) => o.kind === 'ClusterRole');
    const granted = (role.rules as Rule[]).filter((x) => !x.nonResourceURLs).flatMap((x) => x.apiGroups!.flatMap((g) => x.resources!.flatMap((res) => x.verbs.map((v) => `${g}/${res}:${v}`))));
    const used = new Set(mine.map((d) => `${d.group}/${d.resource}:${d.verb}`));
    expect(granted.filter((g) => !used.has(g))).toEqual([]);
  });

  it('a verb missing from the ClusterRole is a real 403 that the drill names, and the scratch namespace is still removed', async () => {
    const role = parseAllDocuments(manifests).map((d) => d.toJS()).find((o) => o.kind === 'ClusterRole');
    role.rules = (role.rules as Rule[]).map((x) => (x.resources?.includes('jobs') ? { ...x, verbs: x.verbs.filter((v) => v !== 'create') } : x));
    expect((await kubectl(['apply', '-f', '-'], JSON.stringify(role))).exitCode).toBe(0);
    const r = await cli(['dr:drill', '--cluster', 'home', '--all', '--yes'], { env, cwd: lab.dir });
    expect(r.code).toBe(1);
    expect(`${r.stdout}${r.stderr}`).toContain('User "system:serviceaccount:rackhand-system:rackhand-drill" cannot create resource "jobs" in API group "batch" in the namespace "rackhand-drill-paperless"');
    expect(lab.store.find('namespaces', undefined, 'rackhand-drill-paperless')).toBeUndefined();
  });
});
