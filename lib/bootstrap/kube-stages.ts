// Bootstrap stages on the Kubernetes side, each probing real state first: API readyz -> nodes registered (NotReady is
// expected before the CNI) -> namespaces -> secrets (op:// references resolved in memory, sent through stdin, never
// written to disk) -> CRDs (helmfile template, CRD documents only, server-side apply) -> releases (helmfile sync or apply, in
// `needs:` order) -> nodes Ready.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { parseAllDocuments } from 'yaml';
import { StepFailure, type Step, type TaskContext } from '../engine/types.ts';
import type { KubeObject } from '../tools/kube-types.ts';
import { failedRelease, Helmfile } from '../tools/helmfile.ts';
import { waitUntil } from '../wait.ts';
import { buildReleases } from './helmfiles.ts';
import { renderSecrets, type BootstrapInputs, type Manifest } from './inputs.ts';

/** A probe that cannot answer yet (no API, no file) answers "not done". */
export const quiet = async <T>(p: Promise<T>): Promise<T | undefined> => p.catch(() => undefined);

function waitStep(ctx: TaskContext, title: string, what: string, probe: () => Promise<string | false>): Step {
  return {
    title, mutating: false,
    isDone: async () => (await quiet(probe())) || false,
    async run(rt) {
      if (ctx.dryRun) return;
      await waitUntil({
        what, timeoutMs: ctx.flags.timeout as number, intervalMs: 1_000, signal: ctx.signal,
        probe: async () => {
          const r = await quiet(probe());
          return r ? { done: true, value: r } : { done: false, seen: 'not yet' };
        },
      }).then((r) => rt.output(r));
    },
  };
}

export function apiStep(ctx: TaskContext): Step {
  // GET /readyz answers "ok" once every check passes (kubernetes.io/docs/reference/using-api/health-checks/)
  return waitStep(ctx, `wait for the API server ${ctx.cluster.apiServer} (readyz)`, 'the API server to answer /readyz', async () =>
    ((await ctx.kubectl.read(['get', '--raw', '/readyz'], 10_000)).trim() === 'ok' ? 'the API server is ready' : false));
}

interface Node extends KubeObject { status?: { conditions?: { type: string; status: string }[] } }
const ready = (n: Node) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export function nodesRegisteredStep(ctx: TaskContext): Step {
  const want = ctx.cluster.nodes.map((n) => n.name);
  return waitStep(ctx, `wait until every node has registered (${want.join(', ')}; NotReady until the CNI runs)`, 'every node to register', async () => {
    const have = new Set((await ctx.kubectl.list<Node>('nodes')).map((n) => n.metadata.name));
    return want.every((n) => have.has(n)) ? `${want.length} node(s) registered` : false;
  });
}

export function nodesReadyStep(ctx: TaskContext): Step {
  return waitStep(ctx, 'wait until every node is Ready (the CNI is up)', 'every node to be Ready', async () => {
    const nodes = await ctx.kubectl.list<Node>('nodes');
    return nodes.length >= ctx.cluster.nodes.length && nodes.every(ready) ? `${nodes.length} node(s) Ready` : false;
  });
}

export function namespacesStep(ctx: TaskContext, inputs: BootstrapInputs): Step {
  const names = inputs.namespaces.map((n) => n.metadata.name);
  return {
    title: `namespaces: ${names.join(', ')}`,
    async isDone() {
      const have = new Set((await quiet(ctx.kubectl.list('namespaces')) ?? []).map((n) => n.metadata.name));
      return names.every((n) => have.has(n)) ? 'every namespace exists' : false;
    },
    async run() { await ctx.kubectl.apply(inputs.namespaces); },
  };
}

const digest = (data: Record<string, string>) => createHash('sha256').update(JSON.stringify(Object.entries(data).sort())).digest('hex');

/** Secrets from secrets.yaml.tpl with their references resolved (values: from the preflight check). */
export function secretsStep(ctx: TaskContext, inputs: BootstrapInputs, values: () => Promise<Map<string, string>>): Step {
  const ids = inputs.secrets.map((s) => `${s.kind === 'Secret' ? '' : `${s.kind} `}${s.metadata.namespace ?? ''}${s.metadata.namespace ? '/' : ''}${s.metadata.name}`);
  return {
    title: `secrets from 1Password: ${ids.join(', ')} (applied through stdin, never written to disk)`,
    async isDone() {
      const rendered = renderSecrets(inputs.secrets, await values());
      for (const s of rendered) {
        // Secrets are compared by a digest of their data (stringData becomes data: the API server merges it); other
        // objects of the template only need to exist
        if (s.kind !== 'Secret') {
          if (!(await quiet(ctx.kubectl.get(`${s.kind!.toLowerCase()}`, s.metadata.name, s.metadata.namespace)))) return false;
          continue;
        }
        const live = await quiet(ctx.kubectl.get<KubeObject & { data?: Record<string, string> }>('secret', s.metadata.name, s.metadata.namespace));
        const want = {
          ...((s.data ?? {}) as Record<string, string>),
          ...Object.fromEntries(Object.entries((s.stringData ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(String(v)).toString('base64')])),
        };
        if (!live || digest(live.data ?? {}) !== digest(want)) return false;
      }
      return 'every object of the template exists, the Secrets with the current 1Password values';
    },
    async run() {
      const rendered = renderSecrets(inputs.secrets, await values());
      await ctx.kubectl.apply(rendered);
    },
  };
}

const helmfileFor = (ctx: TaskContext, file: string) => new Helmfile(ctx.exec, file, { kubeconfig: ctx.cluster.kubeconfig, context: ctx.cluster.context });

/** Fills inputs.releases from helmfile itself (`helmfile build` of each apps helmfile); a file helmfile cannot read
 *  is a usage error naming it (exit 2) before anything changes. */
export async function loadReleases(ctx: TaskContext, inputs: BootstrapInputs): Promise<void> {
  inputs.releases = [];
  for (const file of inputs.helmfiles.apps) inputs.releases.push({ file, releases: await buildReleases(helmfileFor(ctx, file), file) });
}

const allReleases = (inputs: BootstrapInputs) => inputs.releases.flatMap((f) => f.releases);

export function crdsStep(ctx: TaskContext, inputs: BootstrapInputs): Step {
  const files = inputs.helmfiles.crds;
  let crds: Promise<Manifest[]> | undefined;
  // `helmfile template` renders every manifest; only the CustomResourceDefinitions are applied here (the community's
  // `yq 'select(.kind == "CustomResourceDefinition")'`, community-ops-tooling.md "CRDs").
  const rendered = () => (crds ??= (async () => {
    const out: Manifest[] = [];
    for (const f of files) {
      const text = await helmfileFor(ctx, f).template();
      out.push(...parseAllDocuments(text).map((d) => d.toJS() as Manifest | null).filter((m): m is Manifest => m?.kind === 'CustomResourceDefinition'));
    }
    return out;
  })());
  const shown = files.map((f) => relative(inputs.dir, f)).join(', ');
  return {
    title: `CRDs from ${shown} (helmfile template, CRDs only, server-side apply)`,
    async isDone() {
      const want = (await rendered()).map((c) => c.metadata.name);
      const have = new Set((await quiet(ctx.kubectl.list('customresourcedefinitions.apiextensions.k8s.io')) ?? []).map((c) => c.metadata.name));
      return want.length && want.every((n) => have.has(n)) ? `all ${want.length} CRDs exist` : false;
    },
    async run(rt) {
      const docs = await rendered();
      if (!docs.length) throw new StepFailure(`helmfile template of ${shown} rendered no CustomResourceDefinition`, `helmfile -f ${files[0]} template --include-crds | grep -c 'kind: CustomResourceDefinition'`);
      await ctx.kubectl.apply(docs);
      if (ctx.dryRun) return;
      // Established before anything creates custom resources (kubectl wait --for condition=established)
      const t = ctx.flags.timeout as number;
      await ctx.kubectl.read(['wait', 'customresourcedefinitions.apiextensions.k8s.io', ...docs.map((d) => d.metadata.name), '--for=condition=Established', `--timeout=${Math.ceil(t / 1000)}s`], t + 15_000);
      rt.output(`${docs.length} CRDs applied`);
    },
  };
}

interface HelmSecret extends KubeObject { metadata: KubeObject['metadata'] & { labels?: Record<string, string> } }

export function releasesStep(ctx: TaskContext, inputs: BootstrapInputs): Step {
  const command = (ctx.flags['helmfile-command'] as 'sync' | 'apply' | undefined) ?? 'sync';
  const releases = allReleases(inputs);
  const names = releases.map((r) => `${r.namespace}/${r.name}`);
  const files = inputs.releases.length > 1 ? ` from ${inputs.releases.map((f) => relative(inputs.dir, f.file)).join(', ')}` : '';
  return {
    title: `releases: ${releases.map((r) => r.name).join(' -> ')}${files} (helmfile ${command}, in needs order)`,
    async isDone() {
      // Helm keeps each release revision as a Secret sh.helm.release.v1.<name>.v<rev> labelled owner=helm, name,
      // status (helm pkg/storage/driver/secrets.go)
      const secrets = await quiet(ctx.kubectl.list<HelmSecret>('secrets', { allNamespaces: true, labels: 'owner=helm,status=deployed' }));
      if (!secrets) return false;
      const deployed = new Set(secrets.map((s) => `${s.metadata.namespace}/${s.metadata.labels?.name}`));
      return names.every((n) => deployed.has(n)) ? `all ${names.length} releases are deployed` : false;
    },
    async run(rt) {
      for (const { file } of inputs.releases) {
        const helmfile = helmfileFor(ctx, file);
        try {
          await withPinnedKubeconfig(ctx, (path) => helmfile.withKubeconfig(path, () => helmfile.install(command)));
        } catch (err) {
          const release = failedRelease(err);
          const ns = releases.find((r) => r.name === release)?.namespace;
          const c = ctx.cluster;
          throw new StepFailure(`helmfile ${command} of ${relative(inputs.dir, file)} failed${release ? ` at release ${release}` : ''}: ${(err as Error).message}`,
            `${ns ? `kubectl --kubeconfig ${c.kubeconfig} --context ${c.context} -n ${ns} get pods,events; fix the cause, then ` : ''}npx tsx tasks bootstrap:cluster --cluster ${c.name} (it continues with what is left)`);
        }
      }
      rt.output(ctx.dryRun ? `would deploy ${names.length} releases` : `${names.length} releases deployed`);
    },
  };
}

/** A kubeconfig holding only the checked context, as its current context (`kubectl config view --minify --flatten`:
 *  that context, its cluster and user, credentials inlined), in a private temp folder for the length of `fn`:
 *  helmfile hooks that call a bare `kubectl` then reach the cluster rackhand checked, not whatever the operator's
 *  kubeconfig has as current context. Mode 0600 from creation; removed afterwards. */
async function withPinnedKubeconfig<T>(ctx: TaskContext, fn: (path: string) => Promise<T>): Promise<T> {
  if (ctx.dryRun) return fn(ctx.cluster.kubeconfig);
  const text = await ctx.kubectl.read(['config', 'view', '--minify', '--flatten', '--raw', '--output', 'yaml']);
  const dir = await mkdtemp(join(tmpdir(), 'rackhand-kubeconfig-'));
  const path = join(dir, 'kubeconfig');
  try {
    await writeFile(path, text, { mode: 0o600, flag: 'wx' });
    return await fn(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
