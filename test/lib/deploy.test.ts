// The scheduled-drill artifacts are what an operator applies as-is: the CronJob must call a real task with flags
// rackhand accepts, run locked down, and carry a config rackhand loads; the RBAC must allow what the drill does.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { GLOBAL_FLAGS, parseFlags } from '../../lib/engine/flags.ts';
import { loadRegistry } from '../../lib/engine/registry.ts';

const registry = await loadRegistry({ env: process.env, cwd: process.cwd() });

const ROOT = join(import.meta.dirname, '..', '..');
const docs = async (path: string) => parseAllDocuments(await readFile(join(ROOT, path), 'utf8')).map((d) => d.toJS() as any);

describe('deploy/dr-drill and the Containerfile', () => {
  it('the CronJob runs dr:drill --all --yes --json with flags rackhand accepts, non-root on a read-only root', async () => {
    const [cron] = await docs('deploy/dr-drill/cronjob.yaml');
    expect(cron.kind).toBe('CronJob');
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    const pod = cron.spec.jobTemplate.spec.template.spec;
    const c = pod.containers[0];
    const [task, ...args] = c.args as string[];
    expect(task).toBe('dr:drill');
    expect(args).toEqual(expect.arrayContaining(['--all', '--yes', '--json']));
    const parsed = parseFlags(args, { ...GLOBAL_FLAGS, ...registry[task!]!.flags });
    expect(parsed.positionals).toEqual([]);
    expect(parsed.values).toMatchObject({ all: true, yes: true, json: true, cluster: 'home' });
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(c.volumeMounts.map((m: { mountPath: string }) => m.mountPath)).toContain('/tmp');
    expect(pod.serviceAccountName).toBe('rackhand-drill');
  });

  it('the ConfigMap holds a rackhand.yaml that loads, pointing at the in-cluster kubeconfig beside it', async () => {
    const [cm] = await docs('deploy/dr-drill/config.yaml');
    const dir = await mkdtemp(join(tmpdir(), 'rh-deploy-'));
    try {
      await writeFile(join(dir, 'rackhand.yaml'), cm.data['rackhand.yaml']);
      await writeFile(join(dir, 'kubeconfig'), cm.data.kubeconfig);
      const cfg = await loadConfig(join(dir, 'rackhand.yaml'));
      const home = cfg.clusters.get('home')!;
      expect(home.kubeconfig).toBe(join(dir, 'kubeconfig'));
      expect(home.backups?.drill?.pushgateway).toMatch(/^http:\/\//);
      const kc = (await docs('deploy/dr-drill/config.yaml'))[0].data.kubeconfig as string;
      expect(kc).toContain('tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the ClusterRole allows each kind of call the drill makes', async () => {
    const role = (await docs('deploy/dr-drill/rbac.yaml')).find((d) => d.kind === 'ClusterRole');
    const allows = (group: string, resource: string, verb: string) =>
      role.rules.some((r: any) => r.apiGroups?.includes(group) && r.resources?.includes(resource) && r.verbs.includes(verb));
    for (const [g, r, v] of [
      ['volsync.backube', 'replicationsources', 'list'], ['volsync.backube', 'replicationdestinations', 'create'], ['volsync.backube', 'replicationdestinations', 'patch'],
      ['', 'namespaces', 'create'], ['', 'namespaces', 'delete'], ['', 'secrets', 'get'], ['', 'secrets', 'create'], ['', 'persistentvolumeclaims', 'get'],
      ['batch', 'jobs', 'create'], ['batch', 'jobs', 'get'], ['', 'pods', 'list'], ['', 'pods/log', 'get'],
    ] as const) expect(allows(g, r, v), `${g}/${r} ${v}`).toBe(true);
    const kust = (await docs('deploy/dr-drill/kustomization.yaml'))[0];
    for (const f of kust.resources as string[]) expect(existsSync(join(ROOT, 'deploy/dr-drill', f)), f).toBe(true);
  });

  it('the CI example runs the same drill command', async () => {
    const [wf] = await docs('deploy/ci/github-actions-dr-drill.yaml');
    const run = (wf.jobs.drill.steps as { run?: string }[]).map((s) => s.run ?? '').join('\n');
    expect(run).toMatch(/npx tsx tasks dr:drill --cluster home --all --yes --json/);
  });

  it('the Containerfile installs restic and kubectl, copies what exists and runs as non-root', async () => {
    const text = await readFile(join(ROOT, 'Containerfile'), 'utf8');
    expect(text).toMatch(/apt-get install [^\n]*restic/);
    expect(text).toMatch(/kubectl\.sha256/);
    expect(text).toMatch(/^USER 1000:1000$/m);
    for (const m of text.matchAll(/^COPY (.+) \S+$/gm)) for (const f of m[1]!.split(' ')) expect(existsSync(join(ROOT, f)), f).toBe(true);
    const entry = /^ENTRYPOINT \["[^"]+", "\/app\/(.+?)"\]$/m.exec(text)![1]!;
    expect(existsSync(join(ROOT, entry))).toBe(true);
  });
});
