// The helm side of the lab: releases stored as helm 3 stores them (a Secret sh.helm.release.v1.<name>.v<rev> of type
// helm.sh/release.v1 in the release namespace, labels name/owner=helm/status/version, data.release = base64(gzip(JSON));
// pkg/storage/driver/secrets.go + util.go), and what installing one does to the cluster: namespace, CRDs, objects,
// the CNI becoming ready (cilium), the flux-operator's work (a FluxInstance), helm --wait on the workloads.
import { gunzipSync, gzipSync } from 'node:zlib';
import type { NodeController } from '../controllers/nodes.js';
import type { Registry } from '../kinds/registry.js';
import { groupResource } from '../kinds/types.js';
import type { Store } from '../store/store.js';
import type { KObject } from '../store/types.js';
import { appVersion, chartCrds, chartName, chartVersion, renderChart, type ChartRelease } from './charts.js';
import { crdManifest } from './crds.js';
import { reconcileFluxInstance } from './flux-operator.js';
import { checkMapping, MappingError, upsert } from './objects.js';
import { statusBlock } from './output.js';

export interface HelmDeps {
  store: Store;
  registry: Registry;
  nodes: NodeController;
  record(type: string, object: string, detail?: string): void;
  /** lab time compression for helm's --timeout (default 5m) */
  timeScale: number;
}

/** what the lab keeps of a release (the fields of helm's release.Release it needs) */
export interface StoredRelease {
  name: string;
  namespace: string;
  version: number;
  info: { status: string; first_deployed: string; last_deployed: string; description: string };
  chart: { metadata: { name: string; version: string; appVersion: string } };
  config: Record<string, unknown>;
  manifest: string;
  /** the lab's change detector: sha256 over chart name, version and values (what helm-diff would see change) */
  labDigest: string;
}

export interface SyncOptions {
  digest: string;
  wait: boolean;
  timeoutSec: number;
  createNamespace: boolean;
  skipCrds: boolean;
}

export interface SyncOutcome {
  revision: number;
  stdout: string;
  /** helm's stderr when it failed ("Error: ...\n") */
  error?: string;
}

const SECRETS = 'secrets';
const now = () => new Date();

export class HelmWorld {
  /** release name => the error its next install/upgrade fails with */
  readonly faults = new Map<string, string>();
  stopped = false;

  constructor(private readonly deps: HelmDeps) {}

  /** an entry in the lab's event log (hooks' view of the caller's environment, ...) */
  note(type: string, object: string, detail?: string): void { this.deps.record(type, object, detail); }

  /** every revision of a release, newest last */
  history(namespace: string, name: string): StoredRelease[] {
    if (!this.deps.store.find('namespaces', undefined, namespace)) return [];
    return this.deps.store.list(SECRETS, { namespace, labelSelector: `owner=helm,name=${name}` }).items
      .filter((s) => s.type === 'helm.sh/release.v1')
      .map((s) => JSON.parse(gunzipSync(Buffer.from(Buffer.from(s.data.release, 'base64').toString('utf8'), 'base64')).toString('utf8')) as StoredRelease)
      .sort((a, b) => a.version - b.version);
  }

  latest(namespace: string, name: string): StoredRelease | undefined {
    return this.history(namespace, name).pop();
  }

  private writeRelease(rel: StoredRelease): void {
    const { store } = this.deps;
    const encoded = gzipSync(Buffer.from(JSON.stringify(rel))).toString('base64');
    const secret: KObject = {
      apiVersion: 'v1', kind: 'Secret', type: 'helm.sh/release.v1',
      metadata: {
        name: `sh.helm.release.v1.${rel.name}.v${rel.version}`, namespace: rel.namespace,
        labels: { name: rel.name, owner: 'helm', status: rel.info.status, version: String(rel.version), modifiedAt: String(Math.floor(Date.now() / 1000)) },
      },
      data: { release: Buffer.from(encoded).toString('base64') },
    };
    upsert(store, this.deps.registry, secret);
    if (rel.info.status !== 'deployed') return;
    // the previous deployed revision becomes superseded (pkg/action/upgrade.go)
    for (const old of this.history(rel.namespace, rel.name)) {
      if (old.version !== rel.version && old.info.status === 'deployed') this.writeRelease({ ...old, info: { ...old.info, status: 'superseded' } });
    }
  }

  /**
   * `helm upgrade --install`: returns helm's stdout and, on failure, its stderr. A first install prints
   * `Release "x" does not exist. Installing it now.` and fails unwrapped; an upgrade fails as `UPGRADE FAILED: ...`
   * (cmd/helm/upgrade.go).
   */
  async sync(r: ChartRelease, o: SyncOptions): Promise<SyncOutcome> {
    const { store, registry, record } = this.deps;
    const prev = this.latest(r.namespace, r.name);
    const revision = (prev?.version ?? 0) + 1;
    const first = !prev || prev.info.status === 'uninstalled';
    let stdout = first ? `Release ${JSON.stringify(r.name)} does not exist. Installing it now.\n` : '';
    const started = now().toISOString();
    const rendered = renderChart(r);
    const rel: StoredRelease = {
      name: r.name, namespace: r.namespace, version: revision,
      info: { status: 'pending-install', first_deployed: prev?.info.first_deployed ?? started, last_deployed: started, description: first ? 'Install complete' : 'Upgrade complete' },
      chart: { metadata: { name: chartName(r.chart), version: chartVersion(r), appVersion: appVersion(r) } },
      config: r.values ?? {}, manifest: rendered.map((x) => `---\n# Source: ${x.source}\n`).join(''), labDigest: o.digest,
    };
    const fail = (message: string): SyncOutcome => {
      if (store.find('namespaces', undefined, r.namespace)) this.writeRelease({ ...rel, info: { ...rel.info, status: 'failed', description: `Release "${r.name}" failed: ${message}` } });
      record('helm-release-failed', `${r.namespace}/${r.name}`, message);
      return { revision, stdout, error: `Error: ${first ? '' : 'UPGRADE FAILED: '}${message}\n` };
    };
    if (!store.find('namespaces', undefined, r.namespace)) {
      // helm --create-namespace (helmfile's default createNamespace: true); without it pkg/action: namespaces "x" not found
      if (!o.createNamespace) return fail(`create: failed to create: namespaces ${JSON.stringify(r.namespace)} not found`);
      upsert(store, registry, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: r.namespace, labels: { 'kubernetes.io/metadata.name': r.namespace, name: r.namespace } } });
    }
    const fault = this.faults.get(r.name);
    if (fault !== undefined) return fail(fault);
    // crds/ are installed on first install only, never upgraded (helm's CRD policy); --skip-crds skips them
    if (!o.skipCrds) for (const d of chartCrds(r)) if (!store.find('customresourcedefinitions.apiextensions.k8s.io', undefined, `${d.plural}.${d.group}`)) upsert(store, registry, crdManifest(d));
    const objects = rendered.map(({ object }) => ({
      ...object, metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, 'meta.helm.sh/release-name': r.name, 'meta.helm.sh/release-namespace': r.namespace } },
    }));
    try {
      for (const obj of objects) checkMapping(registry, obj);
      for (const obj of objects) upsert(store, registry, obj);
    } catch (e) {
      // pkg/action/install.go: "unable to build kubernetes objects from release manifest: %w"
      if (e instanceof MappingError) return fail(`unable to build kubernetes objects from release manifest: ${e.message}`);
      return fail((e as Error).message);
    }
    this.effects(r, objects);
    // helm's --timeout (5m by default) in lab time, never under 2 s so a loaded machine still starts the pods
    if (o.wait && !(await this.waitReady(objects, Date.now() + Math.max(2_000, o.timeoutSec * 1000 * this.deps.timeScale)))) return fail('context deadline exceeded');
    this.writeRelease({ ...rel, info: { ...rel.info, status: 'deployed' } });
    record('helm-release-installed', `${r.namespace}/${r.name}`, String(revision));
    if (!first) stdout += `Release ${JSON.stringify(r.name)} has been upgraded. Happy Helming!\n`;
    return { revision, stdout: stdout + statusBlock({ name: r.name, namespace: r.namespace, revision, deployed: new Date(started) }) };
  }

  /** `helm uninstall` (an `installed: false` release that exists): its objects and release Secrets go; helm prints
   *  `release "x" uninstalled` (cmd/helm/uninstall.go) */
  uninstall(namespace: string, name: string): string {
    const { store, registry, record } = this.deps;
    for (const kind of registry.all()) {
      if (!kind.namespaced || kind.resource === SECRETS || kind.resource === 'pods') continue;
      const resource = groupResource(kind);
      for (const o of store.list(resource, { namespace }).items) {
        const a = o.metadata.annotations ?? {};
        if (a['meta.helm.sh/release-name'] === name && a['meta.helm.sh/release-namespace'] === namespace) store.delete(resource, namespace, o.metadata.name!);
      }
    }
    for (const s of store.list(SECRETS, { namespace, labelSelector: `owner=helm,name=${name}` }).items) store.delete(SECRETS, namespace, s.metadata.name!);
    record('helm-release-uninstalled', `${namespace}/${name}`);
    return `release ${JSON.stringify(name)} uninstalled\n`;
  }

  /** what the installed software does by itself: a CNI makes the kubelets Ready; the flux-operator acts on a FluxInstance */
  private effects(r: ChartRelease, objects: KObject[]): void {
    if (chartName(r.chart) === 'cilium') this.deps.nodes.setNetworkReady(true);
    for (const o of objects) {
      if (o.kind !== 'FluxInstance') continue;
      reconcileFluxInstance(this.deps.store, this.deps.registry, this.deps.store.get('fluxinstances.fluxcd.controlplane.io', o.metadata.namespace, o.metadata.name!));
    }
  }

  /** helm --wait (pkg/kube/ready.go): every Deployment has its ready replicas, every DaemonSet all its pods ready */
  private async waitReady(objects: KObject[], deadline: number): Promise<boolean> {
    const { store } = this.deps;
    const ready = () => objects.every((o) => {
      if (o.kind !== 'Deployment' && o.kind !== 'DaemonSet' && o.kind !== 'StatefulSet') return true;
      const cur = store.find(`${o.kind.toLowerCase()}s.apps`, o.metadata.namespace, o.metadata.name!);
      if (!cur || (cur.status?.observedGeneration ?? 0) < (cur.metadata.generation ?? 1)) return false;
      if (o.kind === 'DaemonSet') return cur.status?.desiredNumberScheduled !== undefined && (cur.status?.numberReady ?? 0) >= cur.status.desiredNumberScheduled;
      return (cur.status?.readyReplicas ?? 0) >= (cur.spec?.replicas ?? 1);
    });
    while (!this.stopped) {
      if (ready()) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((res) => setTimeout(res, 20));
    }
    return false;
  }
}
